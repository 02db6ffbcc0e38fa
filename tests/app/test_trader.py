"""run.py: VeighNa Trader's real main window, offscreen, with both gateways and OptionMaster."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_trader_window_offers_both_gateways_and_optionmaster(tmp_path: Path) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    spec = importlib.util.spec_from_file_location("ctpsopt_run", ROOT / "run.py")
    assert spec and spec.loader
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)

    from vnpy.trader.ui import MainWindow, QtGui, create_qapp

    qapp = create_qapp()
    main_engine, event_engine = run.build_engine()
    try:
        window = MainWindow(main_engine, event_engine)
        window.show()
        qapp.processEvents()
        assert set(main_engine.get_all_gateway_names()) == {"CTPSOPT", "CTPSOPT_SIM"}
        assert "OptionMaster" in {app.app_name for app in main_engine.get_all_apps()}
        connect_items = [action.text() for action in window.findChildren(QtGui.QAction)]
        assert any(text.endswith("CTPSOPT_SIM") for text in connect_items), connect_items
        assert any(text.endswith("CTPSOPT") for text in connect_items), connect_items
        shot = tmp_path / "trader.png"
        assert window.grab().save(str(shot)) and shot.stat().st_size > 0
        window.hide()  # close() would ask for confirmation in a modal dialog
    finally:
        main_engine.close()
