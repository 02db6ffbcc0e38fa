"""What the simulated front needs from a connected api: the exchange's side of the sim seam.

``SimExchange`` talks to its subscribers only through these protocols, so the exchange never
imports the api classes (``sim/api.py`` implements them). A ``SessionSink`` is one connection's
delivery end; a ``PrivateFlowSink`` (td apis) also keeps the private-flow position used to
replay pushes after a login, as the native library keeps it in its flow files.
"""

from __future__ import annotations

from typing import Any, Protocol


class SessionSink(Protocol):
    """The delivery end of one td or md api (``kind``: ``"td"`` or ``"md"``)."""

    @property
    def kind(self) -> str: ...

    def current_generation(self) -> int:
        """The api's connection counter: it grows on every drop."""
        ...

    def deliver(self, generation: int | None, name: str, *args: Any) -> None:
        """Queue ``spi.name(*args)`` for connection ``generation`` (None: deliver regardless)."""
        ...

    def deliver_each(self, generation: int, name: str, items: list[Any]) -> None:
        """Queue ``spi.name(item)`` for every item, as one job (market-data fan-out)."""
        ...

    def drop(self, reason: int, reconnect_delay: float) -> None:
        """Lose the connection: ``onFrontDisconnected(reason)``, reconnect after a delay."""
        ...


class PrivateFlowSink(SessionSink, Protocol):
    """A td api: also receives the numbered private flow and remembers how far it has read."""

    @property
    def resume_type(self) -> int: ...

    @property
    def private_day(self) -> str: ...

    @property
    def last_private_seq(self) -> int: ...

    def deliver_private(
        self, generation: int, trading_day: str, seq: int, name: str, *args: Any
    ) -> None:
        """Queue private-flow push ``seq`` of ``trading_day``; seen once delivered."""
        ...

    def mark_private_seen(self, trading_day: str, seq: int) -> None:
        """Remember the private-flow position (QUICK login: everything so far is seen)."""
        ...
