"""Every literal in api/constant.py equals the wheel's value."""

import pytest

from vnpy_ctpsopt.api import constant
from vnpy_ctpsopt.api.native import NativeLibraryError, load_modules


def test_literals_match_the_wheel() -> None:
    try:
        td, _ = load_modules()
    except NativeLibraryError as exc:
        pytest.skip(f"native library unavailable here: {exc}")
    names = [n for n in dir(constant) if n.startswith("THOST_")]
    assert len(names) > 150
    mismatched = {n: (getattr(constant, n), getattr(td, n, None)) for n in names
                  if getattr(constant, n) != getattr(td, n, None)}
    assert mismatched == {}


def test_key_sopt_encodings() -> None:
    assert constant.THOST_FTDC_HF_Covered == "4"
    assert constant.THOST_FTDC_PC_ETFOption == "7"
    assert constant.THOST_TERT_QUICK == 2
