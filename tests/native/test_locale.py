"""Without the zh_CN.GB18030 locale the package imports and the native backend fails cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import vnpy_ctpsopt
from vnpy_ctpsopt.api import create_td_api, TdSpi
from vnpy_ctpsopt.api.native import NativeLibraryError
try:
    create_td_api("tcp://127.0.0.1:9", TdSpi())
except NativeLibraryError as exc:
    print("ERROR:", exc)
else:
    print("NO ERROR")
"""


def test_missing_locale_gives_a_clear_error_not_an_abort(tmp_path: Path) -> None:
    env = dict(os.environ, LOCPATH=str(tmp_path), LC_ALL="C")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR:"), result.stdout
    assert "zh_CN.GB18030" in lines[0] and "locale-gen" in lines[0]


def test_raw_library_import_would_abort_without_the_locale(tmp_path: Path) -> None:
    """The reason for the pre-flight: the unguarded import kills the process."""
    env = dict(os.environ, LOCPATH=str(tmp_path), LC_ALL="C")
    result = subprocess.run(
        [sys.executable, "-c", "import openctp_ctpopt.soptthosttraderapi"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    if sys.platform != "win32":
        assert result.returncode != 0

