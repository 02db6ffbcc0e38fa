"""Without openctp-ctpopt (macOS has no wheel) the package installs and runs but the native backend."""

from __future__ import annotations

import subprocess
import sys

NO_WHEEL = """
import sys
sys.modules["openctp_ctpopt"] = None  # as on macOS, where no wheel exists
import vnpy_ctpsopt
from vnpy_ctpsopt import CtpsoptGateway, CtpsoptSimGateway
from vnpy_ctpsopt.api import TdSpi, create_td_api
from vnpy_ctpsopt.api.native import NativeLibraryError
try:
    create_td_api("tcp://127.0.0.1:9", TdSpi())
except NativeLibraryError as exc:
    print("ERROR:", exc)
api = create_td_api("sim://nowheel?state=memory&seed=1", TdSpi())
api.close()
print("SIM OK")
"""


def test_without_the_wheel_everything_but_the_native_backend_works() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_WHEEL], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("ERROR:") and "macOS" in lines[0] and "sim://" in lines[0]
    assert lines[-1] == "SIM OK"
