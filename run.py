"""VeighNa Trader for SSE/SZSE ETF options: the CTPSOPT gateways, CtpGateway when vnpy_ctp is
installed, and the apps of an option desk (OptionMaster, PortfolioStrategy, the tick recorder,
DataManager, RiskManager), each when installed. Run from the folder that holds ``strategies/``:

    .venv/bin/python run.py
"""

from vnpy.trader.ui import MainWindow, create_qapp

from vnpy_ctpsopt.trader import build_engine, load_parts


def main() -> None:
    qapp = create_qapp()
    parts = load_parts()
    for line in parts.missing:
        print(f"[提示] {line}")
    main_engine, event_engine, _ = build_engine(parts)
    main_window = MainWindow(main_engine, event_engine)
    main_window.showMaximized()
    qapp.exec()


if __name__ == "__main__":
    main()
