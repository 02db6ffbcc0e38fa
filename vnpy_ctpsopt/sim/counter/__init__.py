"""The simulated SOPT counter (see ``counter.SimCounter``): sessions, CTP-shaped requests and
rows, the private flow, flow control and persistence over the exchange core."""

from .config import CounterConfig
from .counter import SimCounter
from .records import (
    TARGET_FORQUOTE,
    TARGET_INVESTOR,
    TARGET_PUBLIC,
    TARGET_SESSION,
    Callback,
    Data,
    Outgoing,
    SessionRef,
)

__all__ = [
    "TARGET_FORQUOTE",
    "TARGET_INVESTOR",
    "TARGET_PUBLIC",
    "TARGET_SESSION",
    "Callback",
    "CounterConfig",
    "Data",
    "Outgoing",
    "SessionRef",
    "SimCounter",
]
