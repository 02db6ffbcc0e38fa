"""vnpy_ctpsopt: VeighNa gateway for CTP stock-option (SOPT) counters, with a simulated counter."""

__version__ = "0.1.0"

from .gateway import *  # noqa: E402, F403 - __version__ first for the build backend's regex
from .gateway import __all__ as _gateway_all  # noqa: E402

__all__ = [*_gateway_all, "__version__"]
