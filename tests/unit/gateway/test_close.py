"""Gateway.close(): one side failing to close never keeps the other open."""

from __future__ import annotations

import pytest
from vnpy.event import EventEngine

from vnpy_ctpsopt import CtpsoptGateway


def test_md_is_closed_even_when_td_close_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = CtpsoptGateway(EventEngine(), "CTPSOPT_CLOSE")
    closed: list[str] = []

    def failing_close() -> None:
        raise RuntimeError("td release failed")

    monkeypatch.setattr(gateway.td, "close", failing_close)
    monkeypatch.setattr(gateway.md, "close", lambda: closed.append("md"))
    logs: list[str] = []
    monkeypatch.setattr(gateway, "write_log", lambda msg: logs.append(msg))
    gateway.close()
    assert closed == ["md"]
    assert any("td release failed" in msg for msg in logs)
