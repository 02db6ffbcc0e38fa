"""openctp's "swap the dll" for vnpy_ctpsopt: show, replace and restore the SOPT API libraries
that openctp-ctpopt loads (``python -m vnpy_ctpsopt apilib show | use TD MD | restore``)."""

from .describe import describe_loaded
from .layout import SITE_ENV, ApiLibError, ApiLibrary, default_site, find_libraries
from .probe import ProbeResult, probe_binding, probe_library
from .swap import LibraryState, library_states, restore_libraries, use_libraries

__all__ = [
    "SITE_ENV",
    "ApiLibError",
    "ApiLibrary",
    "LibraryState",
    "ProbeResult",
    "default_site",
    "describe_loaded",
    "find_libraries",
    "library_states",
    "probe_binding",
    "probe_library",
    "restore_libraries",
    "use_libraries",
]
