"""Suite-wide environment: a temporary vn.py settings folder, Shanghai time, a fixed LANG.

This runs before any test module imports vnpy, so vnpy's TRADER_DIR lands in a temporary home.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

_HOME = Path(tempfile.mkdtemp(prefix="ctpsopt-home-"))
(_HOME / ".vntrader").mkdir()
os.environ["HOME"] = str(_HOME)
os.environ["USERPROFILE"] = str(_HOME)
os.environ["TZ"] = "Asia/Shanghai"
os.environ.setdefault("LANG", "C.UTF-8")
if hasattr(time, "tzset"):
    time.tzset()
