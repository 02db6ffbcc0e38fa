"""VeighNa Trader's connect dialog builds from our default_setting and connects the gateway
(Qt offscreen)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
QtWidgets = pytest.importorskip("PySide6.QtWidgets")

from vnpy.trader.locale import _  # noqa: E402
from vnpy.trader.ui.widget import ConnectDialog  # noqa: E402

from vnpy_ctpsopt import CtpsoptGateway, CtpsoptSimGateway  # noqa: E402

from .harness import Harness  # noqa: E402


@pytest.fixture(scope="module")
def qapp():  # type: ignore[no-untyped-def]
    existing = QtWidgets.QApplication.instance()
    app = existing or QtWidgets.QApplication([])
    yield app
    if existing is None:
        # Qt allows one QApplication per process: destroy ours so later tests (run.py's
        # create_qapp) can make theirs.
        app.shutdown()


def test_ctpsopt_dialog_has_vnpy_sopt_keys_presets_and_masked_password(qapp, harness: Harness) -> None:  # type: ignore[no-untyped-def]
    harness.add("CTPSOPT", CtpsoptGateway)
    dialog = ConnectDialog(harness.main_engine, "CTPSOPT")
    keys = list(dialog.widgets)
    assert keys[:7] == ["用户名", "密码", "经纪商代码", "交易服务器", "行情服务器", "产品名称", "授权编码"]
    combo = dialog.widgets["预设环境"][0]
    assert isinstance(combo, QtWidgets.QComboBox)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["自定义", "宏源期货仿真", "兴证期货仿真 电信", "兴证期货仿真 联通", "本地模拟柜台"]
    # vn.py masks fields whose name contains its *translated* "密码": masked in a Chinese locale,
    # not under LANG=C.UTF-8 / en (vn.py behaviour, same for vnpy_sopt's identical key)
    password = dialog.widgets["密码"][0]
    masked = _("密码") in "密码"
    assert (password.echoMode() == QtWidgets.QLineEdit.EchoMode.Password) is masked


def test_sim_dialog_connects(qapp, harness: Harness, sim: str) -> None:  # type: ignore[no-untyped-def]
    gateway = harness.add("CTPSOPT_SIM", CtpsoptSimGateway)
    gateway.td.scheduler.interval = 0.02
    dialog = ConnectDialog(harness.main_engine, "CTPSOPT_SIM")
    dialog.widgets["初始资金"][0].setText("300000")
    dialog.widgets["随机种子"][0].setText("11")
    dialog.widgets["状态文件"][0].setText("memory")
    dialog.connect_gateway()
    harness.wait_log("合约信息查询成功", "CTPSOPT_SIM")
    account = harness.wait(lambda e: e.type == "eAccount." and e.data.gateway_name == "CTPSOPT_SIM").data
    assert account.balance == 300000.0
