"""The vn.py gateway: CtpsoptGateway (real counters) and CtpsoptSimGateway (simulated counter).

This is the one export list of the package (``vnpy_ctpsopt`` re-exports it)."""

from .ctpsopt_gateway import CtpsoptGateway, CtpsoptSimGateway
from .events import (
    EVENT_CTPSOPT_COMB,
    EVENT_CTPSOPT_EXERCISE,
    EVENT_CTPSOPT_LOCK,
    EVENT_CTPSOPT_RFQ,
    CombActionData,
    CombActionRequest,
    CombExerciseRequest,
    ExerciseData,
    ExerciseRequest,
    LockData,
    LockRequest,
    LockType,
    RfqData,
    SoptOrderType,
)
from .parsing import COVERED_SUFFIX, LOCKED_SUFFIX
from .setting import PASSWORD_ENV, ConnectSetting, parse_setting, sim_address

__all__ = [
    "COVERED_SUFFIX",
    "EVENT_CTPSOPT_COMB",
    "EVENT_CTPSOPT_EXERCISE",
    "EVENT_CTPSOPT_LOCK",
    "EVENT_CTPSOPT_RFQ",
    "LOCKED_SUFFIX",
    "PASSWORD_ENV",
    "CombActionData",
    "CombActionRequest",
    "CombExerciseRequest",
    "ConnectSetting",
    "CtpsoptGateway",
    "CtpsoptSimGateway",
    "ExerciseData",
    "ExerciseRequest",
    "LockData",
    "LockRequest",
    "LockType",
    "RfqData",
    "SoptOrderType",
    "parse_setting",
    "sim_address",
]
