"""vnpy_ctpsopt: VeighNa gateway for CTP stock-option (SOPT) counters, with a simulated counter."""

__version__ = "0.1.0"

from .gateway import (  # noqa: E402 - __version__ first for the build backend's regex
    COVERED_SUFFIX,
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    LOCKED_SUFFIX,
    CtpsoptGateway,
    CtpsoptSimGateway,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
    LockType,
)

__all__ = [
    "COVERED_SUFFIX",
    "EVENT_CTPSOPT_EXERCISE",
    "EVENT_CTPSOPT_LOCK",
    "LOCKED_SUFFIX",
    "CtpsoptGateway",
    "CtpsoptSimGateway",
    "ExerciseData",
    "ExerciseRequest",
    "LockData",
    "LockRequest",
    "LockType",
    "__version__",
]
