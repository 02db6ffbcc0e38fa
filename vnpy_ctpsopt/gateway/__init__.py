"""The vn.py gateway: CtpsoptGateway (real counters) and CtpsoptSimGateway (simulated counter)."""

from .ctpsopt_gateway import PASSWORD_ENV, CtpsoptGateway, CtpsoptSimGateway
from .events import (
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
    LockType,
)
from .parsing import COVERED_SUFFIX, LOCKED_SUFFIX

__all__ = [
    "COVERED_SUFFIX",
    "EVENT_CTPSOPT_EXERCISE",
    "EVENT_CTPSOPT_LOCK",
    "LOCKED_SUFFIX",
    "PASSWORD_ENV",
    "CtpsoptGateway",
    "CtpsoptSimGateway",
    "ExerciseData",
    "ExerciseRequest",
    "LockData",
    "LockRequest",
    "LockType",
]
