"""The native backend over the real openctp-ctpopt library, against local TCP listeners."""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from vnpy_ctpsopt.api import MdSpi, TdSpi, create_md_api, create_td_api
from vnpy_ctpsopt.api.native import (
    NativeMdApi,
    NativeTdApi,
    StructCopier,
    dict_to_struct,
    load_modules,
)

from .conftest import ClosingFront

pytestmark = pytest.mark.native
DBL_MAX = 1.7976931348623157e308


class Recorder:
    """Records (callback, args, thread ident) and lets tests wait for a count."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], int]] = []
        self._cond = threading.Condition()

    def record(self, name: str, *args: Any) -> None:
        with self._cond:
            self.calls.append((name, args, threading.get_ident()))
            self._cond.notify_all()

    def wait_for(self, name: str, count: int = 1, timeout: float = 15.0) -> list[tuple[Any, ...]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c[0] == name]
                if len(found) >= count:
                    return [c[1] for c in found]
                left = deadline - time.monotonic()
                assert left > 0, f"{name} x{count} not seen in {timeout}s: {self.calls}"
                self._cond.wait(left)


class TdRecorder(Recorder, TdSpi):
    def onFrontConnected(self) -> None:
        self.record("onFrontConnected")

    def onFrontDisconnected(self, reason: int) -> None:
        self.record("onFrontDisconnected", reason)


class MdRecorder(Recorder, MdSpi):
    def onFrontConnected(self) -> None:
        self.record("onFrontConnected")

    def onFrontDisconnected(self, reason: int) -> None:
        self.record("onFrontDisconnected", reason)


def test_struct_copy_reads_every_field_of_real_structs() -> None:
    td, md = load_modules()
    tick = md.CThostFtdcDepthMarketDataField()
    tick.InstrumentID = "10007001"
    tick.ExchangeID = "SSE"
    tick.LastPrice = 0.1234
    tick.BidVolume5 = 17
    tick.UpdateTime = "09:30:01"
    tick.UpdateMillisec = 500
    tick.ClosePrice = DBL_MAX
    copier = StructCopier()
    data = copier.to_dict(tick)
    fields = copier.fields(type(tick))
    assert copier.fields(type(tick)) is fields  # cached per class
    assert set(data) == set(fields) and len(fields) > 40 and "thisown" not in data
    assert data["InstrumentID"] == "10007001" and data["ExchangeID"] == "SSE"
    assert data["LastPrice"] == 0.1234 and data["BidVolume5"] == 17
    assert data["UpdateTime"] == "09:30:01" and data["UpdateMillisec"] == 500
    assert data["ClosePrice"] == DBL_MAX  # kept: the parser decides
    assert data["AskPrice1"] == 0.0
    assert copier.to_dict(None) == {}

    order = td.CThostFtdcOrderField()
    order.OrderStatus = "a"
    assert copier.to_dict(order)["OrderStatus"] == "a"


def test_dict_to_struct_fills_and_rejects_clearly() -> None:
    td, _ = load_modules()
    req = {"InstrumentID": "10007001", "LimitPrice": 0.05, "VolumeTotalOriginal": 3,
           "Direction": "0", "CombHedgeFlag": "4"}
    struct = dict_to_struct(td, "CThostFtdcInputOrderField", req)
    back = StructCopier().to_dict(struct)
    assert {k: back[k] for k in req} == req
    with pytest.raises(ValueError, match="NoSuchField"):
        dict_to_struct(td, "CThostFtdcInputOrderField", {"NoSuchField": 1})
    with pytest.raises(ValueError, match="VolumeTotalOriginal"):
        dict_to_struct(td, "CThostFtdcInputOrderField", {"VolumeTotalOriginal": "x"})


@pytest.mark.parametrize("kind", ["td", "md"])
def test_disconnect_arrives_on_the_worker_thread_and_close_is_bounded(
    kind: str, closing_front: ClosingFront, tmp_path: Path
) -> None:
    address = f"tcp://127.0.0.1:{closing_front.port}"
    spi: Recorder
    api: NativeTdApi | NativeMdApi
    if kind == "td":
        spi = TdRecorder()
        api = create_td_api(address, spi, tmp_path)  # type: ignore[assignment]
    else:
        spi = MdRecorder()
        api = create_md_api(address, spi, tmp_path)  # type: ignore[assignment]
    assert isinstance(api, NativeTdApi | NativeMdApi)
    api.connect()
    assert closing_front.accepted.acquire(timeout=15)
    (reason,) = spi.wait_for("onFrontDisconnected")[0]
    assert reason == 4097  # 0x1001: network read failure
    worker = api.worker_thread.ident
    assert all(ident == worker for _, _, ident in spi.calls)
    assert worker != threading.get_ident()
    # The library redials by itself: a second connection attempt reaches the front.
    assert closing_front.accepted.acquire(timeout=15)
    started = time.monotonic()
    api.close()
    assert time.monotonic() - started < 5
    assert not api.worker_thread.is_alive()
    assert any(tmp_path.iterdir())  # flow files went to this instance's folder


def test_nothing_listening_is_silent_and_close_is_bounded(dead_port: int, tmp_path: Path) -> None:
    """A refused connection produces no callback (the library keeps redialling quietly)."""
    spi = TdRecorder()
    api = create_td_api(f"tcp://127.0.0.1:{dead_port}", spi, tmp_path)
    api.connect()
    deadline = time.monotonic() + 15
    while not any(tmp_path.iterdir()):  # the library is up once it has written its flow files
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    api.close()
    assert time.monotonic() - started < 5
    assert spi.calls == []


def test_close_is_bounded_while_a_callback_is_running(
    closing_front: ClosingFront, tmp_path: Path
) -> None:
    entered = threading.Event()
    release = threading.Event()

    class Blocking(TdSpi):
        def onFrontDisconnected(self, reason: int) -> None:
            entered.set()
            release.wait(30)

    api = create_td_api(f"tcp://127.0.0.1:{closing_front.port}", Blocking(), tmp_path)
    api.connect()
    assert entered.wait(15)
    started = time.monotonic()
    api.close(timeout=1.0)
    assert time.monotonic() - started < 5
    release.set()


def test_handler_exception_is_logged_and_delivery_goes_on(
    closing_front: ClosingFront, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seen = Recorder()

    class Failing(TdSpi):
        def onFrontDisconnected(self, reason: int) -> None:
            seen.record("onFrontDisconnected", reason)
            raise SystemExit("a handler bug must not abort the process")

    caplog.set_level(logging.ERROR, logger="vnpy_ctpsopt.native")
    api = create_td_api(f"tcp://127.0.0.1:{closing_front.port}", Failing(), tmp_path)
    api.connect()
    seen.wait_for("onFrontDisconnected", count=2, timeout=20)
    api.close()
    assert "onFrontDisconnected" in caplog.text and "SystemExit" in caplog.text


def test_requests_before_connect_return_an_error_code(tmp_path: Path) -> None:
    api = create_td_api("tcp://127.0.0.1:9", TdSpi(), tmp_path)
    assert api.reqUserLogin({"UserID": "u"}, 1) == -1
    assert api.getTradingDay() == ""
    api.close()
    md = create_md_api("tcp://127.0.0.1:9", MdSpi(), tmp_path)
    assert md.subscribeMarketData(["10007001"]) == -1
    md.close()


def test_layout_copy_equals_property_reads_on_every_struct() -> None:
    td, md = load_modules()
    fast, slow = StructCopier(), StructCopier(fast=False)
    checked = 0
    for module in (td, md):
        for name in dir(module):
            if not (name.startswith("CThostFtdc") and name.endswith("Field")):
                continue
            cls = getattr(module, name)
            probe = cls()
            for i, field in enumerate(fast.fields(cls)):
                value = getattr(probe, field)
                try:
                    if isinstance(value, float):
                        setattr(probe, field, i * 1.5 + 0.125)
                    elif isinstance(value, int):
                        setattr(probe, field, i + 7)
                    elif isinstance(value, str):
                        setattr(probe, field, "Q")
                except (TypeError, ValueError, OverflowError):
                    pass
            assert fast.to_dict(probe) == slow.to_dict(probe), name
            checked += fast.is_fast(cls)
    assert checked > 500
    for hot in ("CThostFtdcOrderField", "CThostFtdcTradeField", "CThostFtdcInvestorPositionField",
                "CThostFtdcTradingAccountField", "CThostFtdcInstrumentField",
                "CThostFtdcRspInfoField", "CThostFtdcExecOrderField", "CThostFtdcLockField"):
        assert fast.is_fast(getattr(td, hot)), hot
    assert fast.is_fast(md.CThostFtdcDepthMarketDataField)


def test_layout_copy_decodes_gbk_text_like_the_binding() -> None:
    """Chinese from the counter arrives as GBK bytes; both reads must give the same str."""
    td, _ = load_modules()
    order = td.CThostFtdcOrderField()
    order.StatusMsg = "ZZZZ"
    order.InstrumentID = "10007001"
    fast, slow = StructCopier(), StructCopier(fast=False)
    address = int(order.this)
    memory = ctypes.string_at(address, fast.layout_size(type(order)))
    offset = memory.index(b"ZZZZ")
    text = "全部成交报单已提交".encode("gbk") + b"\0"
    ctypes.memmove(address + offset, text, len(text))
    assert slow.to_dict(order)["StatusMsg"] == "全部成交报单已提交"
    assert fast.to_dict(order) == slow.to_dict(order)
