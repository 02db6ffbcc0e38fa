"""Front and environment health check (``python -m vnpy_ctpsopt check``)."""

from .cli import add_parser, check_all, check_front, run
from .fronts import FrontTarget, TcpResult, custom_targets, preset_targets, tcp_probe
from .report import Environment, FrontResult
from .session import ApiResult, Credentials, api_probe, reason_words

__all__ = [
    "ApiResult",
    "Credentials",
    "Environment",
    "FrontResult",
    "FrontTarget",
    "TcpResult",
    "add_parser",
    "api_probe",
    "check_all",
    "check_front",
    "custom_targets",
    "preset_targets",
    "reason_words",
    "run",
    "tcp_probe",
]
