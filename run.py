"""VeighNa Trader with the CTP stock-option gateways (and OptionMaster when installed).

    .venv/bin/python run.py
"""

from vnpy.event import EventEngine
from vnpy.trader.engine import MainEngine
from vnpy.trader.ui import MainWindow, create_qapp

from vnpy_ctpsopt import CtpsoptGateway, CtpsoptSimGateway


def build_engine() -> tuple[MainEngine, EventEngine]:
    """A MainEngine with both gateways and, when installed, OptionMaster."""
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    main_engine.add_gateway(CtpsoptGateway)
    main_engine.add_gateway(CtpsoptSimGateway)
    try:
        from vnpy_optionmaster import OptionMasterApp
    except ImportError:
        pass
    else:
        main_engine.add_app(OptionMasterApp)
    return main_engine, event_engine


def main() -> None:
    qapp = create_qapp()
    main_engine, event_engine = build_engine()
    main_window = MainWindow(main_engine, event_engine)
    main_window.showMaximized()
    qapp.exec()


if __name__ == "__main__":
    main()
