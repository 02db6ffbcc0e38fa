"""RecorderApp in a MainEngine and its widget, real Qt offscreen."""

from __future__ import annotations

import os

from vnpy.event import Event, EventEngine
from vnpy.trader.engine import MainEngine

from tests.gateway.harness import poll
from vnpy_ctpsopt.recorder import (
    APP_NAME,
    EVENT_RECORDER_STATS,
    RecorderApp,
    RecorderEngine,
    RecorderStats,
)


def test_app_loads_engine_and_widget_shows_counters() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from vnpy.trader.ui import create_qapp

    from vnpy_ctpsopt.recorder.ui import RecorderManager

    qapp = create_qapp()
    event_engine = EventEngine()
    main_engine = MainEngine(event_engine)
    try:
        engine = main_engine.add_app(RecorderApp)
        assert isinstance(engine, RecorderEngine) and main_engine.get_engine(APP_NAME) is engine
        app = main_engine.get_all_apps()[-1]
        assert app.widget_name == "RecorderManager" and app.app_module == "vnpy_ctpsopt.recorder"
        widget = RecorderManager(main_engine, event_engine)
        stats = RecorderStats(received=17, written=12, filtered_session=3, merged_same=2)
        event_engine.put(Event(EVENT_RECORDER_STATS, stats))

        def shown() -> bool:
            qapp.processEvents()
            return widget.labels["received"].text() == "17"

        assert poll(shown)
        assert widget.labels["written"].text() == "12"
        assert widget.labels["filtered"].text() == "3"
        assert widget.labels["merged"].text() == "2"
    finally:
        main_engine.close()
