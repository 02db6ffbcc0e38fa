"""run.py's VeighNa Trader window, offscreen, with every installed app: the sim gateway connected
through the connect dialog, OptionMaster showing a priced 510050_O.SSE chain, PortfolioStrategy
listing the strategy classes, screenshots that are neither blank nor boxes instead of Chinese.

Screenshots land in tmp_path; with CTPSOPT_SCREENSHOT_DIR set they are copied there too (that is
how docs/screenshots/ is made).
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("vnpy_optionmaster")

from vnpy.trader.ui import QtCore, QtGui, QtWidgets, create_qapp  # noqa: E402

from vnpy_ctpsopt.options.pricing import bs_greeks  # noqa: E402
from vnpy_ctpsopt.sim.config import parse_sim_config  # noqa: E402
from vnpy_ctpsopt.sim.exchange import REGISTRY  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0
SIM_START = datetime(2025, 6, 3, 10, 0)  # a Tuesday; the sim's clock starts here
CAPITAL = "300000"
SEED = "11"
SPEED = "5"
PORTFOLIO = "510050_O.SSE"
UNDERLYING = "510050.SSE"

def wait_qt(qapp: QtWidgets.QApplication, predicate: Callable[[], bool], what: str) -> None:
    """Process Qt events until ``predicate`` holds; fail after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        qapp.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)


def strategy_classes_in(folder: Path) -> set[str]:
    """Names of the StrategyTemplate subclasses each file of ``folder`` defines, found by loading
    the files here under private module names (not through the engine)."""
    from vnpy_portfoliostrategy import StrategyTemplate

    names: set[str] = set()
    for path in sorted(folder.glob("*.py")):
        if path.name == "__init__.py":
            continue
        module_name = f"_trader_test_{folder.name}_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        names.update(
            value.__name__ for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, StrategyTemplate)
            and value.__module__ == module_name
        )
    return names


def save_shot(widget: QtWidgets.QWidget, folder: Path, name: str) -> QtGui.QImage:
    """Grab ``widget`` to folder/name.png (and the docs folder when asked); return the image."""
    pixmap = widget.grab()
    path = folder / f"{name}.png"
    assert pixmap.save(str(path)), path
    extra = os.environ.get("CTPSOPT_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    return pixmap.toImage()


def gray_spread(image: QtGui.QImage) -> float:
    """Standard deviation of gray levels over a grid of pixels (0 for a blank image)."""
    values: list[int] = []
    step_x = max(1, image.width() // 120)
    step_y = max(1, image.height() // 120)
    for y in range(0, image.height(), step_y):
        for x in range(0, image.width(), step_x):
            values.append(QtGui.qGray(image.pixel(x, y)))
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def render_text(text: str, font: QtGui.QFont) -> QtGui.QImage:
    image = QtGui.QImage(64, 64, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("white"))
    painter = QtGui.QPainter(image)
    painter.setFont(font)
    painter.setPen(QtGui.QColor("black"))
    painter.drawText(image.rect(), QtCore.Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def number(text: str) -> float:
    return float(text.replace(",", "")) if text.strip() else 0.0


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The project root as working folder (its strategies/), OptionMaster's clock on the sim's date, the sim front
    pinned to SIM_START (the dialog's gateway joins it by name)."""
    workdir = ROOT  # run.py is started from the project root, where strategies/ lives
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    monkeypatch.delitem(sys.modules, "strategies", raising=False)

    import vnpy_optionmaster.time as om_time

    class SimDate(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> SimDate:  # type: ignore[override]
            return cls.combine(SIM_START.date(), SIM_START.time())

    # OptionMaster counts days to expiry from the wall clock; let it see the sim's date.
    monkeypatch.setattr(om_time, "datetime", SimDate)

    config = parse_sim_config(
        f"sim://ctpsopt_sim?capital={float(CAPITAL):.2f}&speed={SPEED}&seed={SEED}"
        f"&state=memory&start={SIM_START:%Y%m%dT%H%M%S}"
    )
    exchange = REGISTRY.acquire(config)
    try:
        yield {"workdir": workdir, "shots": tmp_path}
    finally:
        REGISTRY.release(exchange)


def check_parts(main_engine: Any, parts: Any) -> None:
    """Every installed gateway and app is in the engine, and only those."""
    installed = {name: importlib.util.find_spec(name) is not None for name in (
        "vnpy_ctp", "vnpy_optionmaster", "vnpy_portfoliostrategy", "vnpy_datamanager",
        "vnpy_riskmanager",
    )}
    recorder = importlib.util.find_spec("vnpy_ctpsopt.recorder") is not None
    gateways = {"CTPSOPT", "CTPSOPT_SIM"} | ({"CTP"} if installed["vnpy_ctp"] else set())
    assert set(main_engine.get_all_gateway_names()) == gateways
    app_names = {app.app_name for app in main_engine.get_all_apps()}
    for module, app_name in (
        ("vnpy_optionmaster", "OptionMaster"),
        ("vnpy_portfoliostrategy", "PortfolioStrategy"),
        ("vnpy_datamanager", "DataManager"),
        ("vnpy_riskmanager", "RiskManager"),
    ):
        assert (app_name in app_names) is installed[module], (app_name, app_names)
    assert len(app_names) == sum(installed[m] for m in installed if m != "vnpy_ctp") + recorder
    assert any("vnpy_ctp" in line for line in parts.missing) is not installed["vnpy_ctp"]


def connect_sim(qapp: Any, main_engine: Any) -> None:
    """Connect CTPSOPT_SIM through the connect dialog's code path (exec() would block)."""
    from vnpy.trader.ui.widget import ConnectDialog

    dialog = ConnectDialog(main_engine, "CTPSOPT_SIM")
    dialog.widgets["初始资金"][0].setText(CAPITAL)
    dialog.widgets["行情倍速"][0].setText(SPEED)
    dialog.widgets["随机种子"][0].setText(SEED)
    dialog.widgets["状态文件"][0].setText("memory")
    dialog.connect_gateway()
    wait_qt(
        qapp,
        lambda: any(a.balance == float(CAPITAL) for a in main_engine.get_all_accounts()),
        "the sim account",
    )
    wait_qt(
        qapp,
        lambda: main_engine.get_contract(UNDERLYING) is not None
        and sum(c.option_portfolio == "510050_O" for c in main_engine.get_all_contracts()) > 8,
        "the 510050 option chain",
    )


def open_optionmaster(qapp: Any, window: Any, action: Any) -> Any:
    """OptionMaster from its menu action, the portfolio set up through the portfolio dialog's
    code path; returns the manager widget with its T-quote monitor shown."""
    from vnpy_optionmaster.ui.widget import PortfolioDialog

    action.trigger()
    manager = window.widgets["OptionMaster"]
    wait_qt(
        qapp,
        lambda: manager.portfolio_combo.findText(PORTFOLIO) >= 0,
        "the portfolio in OptionMaster's combo",
    )
    manager.portfolio_combo.setCurrentIndex(manager.portfolio_combo.findText(PORTFOLIO))
    portfolio_dialog = PortfolioDialog(manager.option_engine, PORTFOLIO)
    portfolio_dialog.model_name_combo.setCurrentText("Black-Scholes 欧式股票期权")
    portfolio_dialog.precision_spin.setValue(4)
    assert portfolio_dialog.combos, "no option chains in the portfolio"
    for combo in portfolio_dialog.combos.values():
        combo.setCurrentIndex(combo.findText(UNDERLYING))
    portfolio_dialog.update_portfolio_setting()
    assert portfolio_dialog.result() == QtWidgets.QDialog.DialogCode.Accepted
    manager.portfolio_name = PORTFOLIO
    manager.init_widgets()
    manager.market_monitor.resize(2950, 820)  # the whole T: calls, strikes, puts
    manager.market_monitor.show()
    return manager


def check_prices_and_greeks(qapp: Any, event_engine: Any, manager: Any) -> None:
    """Prices, implied vols and greeks fill the T-quote; OptionMaster's deltas agree with our
    own Black-Scholes at its inputs."""
    monitor = manager.market_monitor
    portfolio = manager.option_engine.get_portfolio(PORTFOLIO)

    def priced() -> list[Any]:
        return [
            o for o in portfolio.options.values()
            if o.tick and o.mid_impv and o.theo_delta and o.underlying.mid_price
        ]

    wait_qt(qapp, lambda: len(priced()) >= 10, "options priced with greeks")
    wait_qt(
        qapp,
        lambda: sum(
            number(monitor.cells[o.vt_symbol]["theo_delta"].text()) != 0
            and number(monitor.cells[o.vt_symbol]["bid_price"].text()) > 0
            for o in priced()
        ) >= 10,
        "prices and greeks in the T-quote cells",
    )
    for option in priced():
        delta = number(monitor.cells[option.vt_symbol]["theo_delta"].text())
        if delta:
            assert (delta > 0) is (option.option_type > 0), (option.vt_symbol, delta)
        assert 0 < option.mid_impv < 3, (option.vt_symbol, option.mid_impv)

    # OptionMaster recomputes greeks on each underlying tick (on the event engine's thread):
    # read inputs and outputs right after one, on that thread, so that they belong together.
    snapshot: list[tuple[float, float, float, float, float, bool, float]] = []

    def take_snapshot(event: Any) -> None:
        if not snapshot and event.type == f"eTick.{UNDERLYING}":
            snapshot.extend(
                (
                    o.underlying.mid_price + o.underlying_adjustment, o.strike_price,
                    o.time_to_expiry, o.interest_rate, o.mid_impv, o.option_type > 0,
                    o.theo_delta / o.size,
                )
                for o in priced()
            )

    event_engine.register_general(take_snapshot)
    wait_qt(qapp, lambda: bool(snapshot), "a snapshot of OptionMaster's greeks")
    event_engine.unregister_general(take_snapshot)
    assert len(snapshot) >= 10
    for s, k, t, r, sigma, is_call, delta in snapshot:
        assert 0 < t < 1 and sigma > 0
        assert float(bs_greeks(s, k, t, r, sigma, is_call).delta) == pytest.approx(delta, abs=1e-6)


def check_strategy_classes(window: Any, action: Any, workdir: Path) -> Any:
    """PortfolioStrategy lists the built-in classes and those of ``workdir``/strategies."""
    import vnpy_portfoliostrategy

    action.trigger()
    widget = window.widgets["PortfolioStrategy"]
    combo = widget.class_combo
    listed = {combo.itemText(i) for i in range(combo.count())}
    builtin = strategy_classes_in(Path(vnpy_portfoliostrategy.__file__).parent / "strategies")
    ours = strategy_classes_in(workdir / "strategies")
    assert ours and builtin
    assert builtin | ours <= listed, (builtin | ours) - listed
    widget.resize(1200, 700)
    return widget


def check_cjk(font: QtGui.QFont) -> None:
    """Chinese renders as glyphs: two different characters give two different images (a font
    without CJK draws the same box for both)."""
    font.setPixelSize(40)
    first, second = render_text("期", font), render_text("权", font)
    blank = render_text("", font)
    assert first != blank and second != blank and first != second
    assert QtGui.QFontDatabase.families(QtGui.QFontDatabase.WritingSystem.SimplifiedChinese)


@pytest.mark.slow
def test_trader_window_with_every_app(desk: dict[str, Any]) -> None:
    spec = importlib.util.spec_from_file_location("ctpsopt_run", ROOT / "run.py")
    assert spec and spec.loader
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    from vnpy.trader.ui import MainWindow

    from vnpy_ctpsopt import trader

    assert run.build_engine is trader.build_engine and run.load_parts is trader.load_parts
    existing = QtWidgets.QApplication.instance()
    qapp = existing or create_qapp()
    parts = run.load_parts()
    main_engine, event_engine, _ = run.build_engine(parts)
    shots: Path = desk["shots"]
    try:
        window = MainWindow(main_engine, event_engine)
        window.resize(1600, 900)
        window.show()
        qapp.processEvents()
        check_parts(main_engine, parts)
        actions = {a.text(): a for a in window.findChildren(QtGui.QAction)}
        assert any(text.endswith("CTPSOPT_SIM") for text in actions), list(actions)

        connect_sim(qapp, main_engine)
        manager = open_optionmaster(qapp, window, actions[main_engine.apps["OptionMaster"].display_name])
        check_prices_and_greeks(qapp, event_engine, manager)
        market_image = save_shot(manager.market_monitor, shots, "optionmaster_tquote")
        strategy_widget = check_strategy_classes(
            window, actions[main_engine.apps["PortfolioStrategy"].display_name], desk["workdir"]
        )
        strategy_image = save_shot(strategy_widget, shots, "portfoliostrategy")
        qapp.processEvents()
        window_image = save_shot(window, shots, "trader_main")
        for image in (window_image, market_image, strategy_image):
            assert image.width() > 200 and image.height() > 200
            assert gray_spread(image) > 5.0, "blank screenshot"
        check_cjk(window.font())

        for widget in (manager.market_monitor, strategy_widget, manager):
            widget.hide()
        window.hide()  # close() would ask for confirmation in a modal dialog
    finally:
        main_engine.close()
        if existing is None:
            # one QApplication per process: destroy ours so later tests can create theirs
            qapp.shutdown()
