"""Golden test: the scripted, seeded counter run of golden_counter.py must reproduce, callback
for callback, row for row, the record made from the counter before its split into the exchange
core (vnpy_ctpsopt/core) and the counter package; and a state file written by that old code
must reopen with the same answers."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tests.unit.sim import golden_counter as golden


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Path and values of the first difference (floats equal within 1e-9 relative)."""
    if isinstance(expected, float) or isinstance(actual, float):
        numbers = isinstance(expected, (int, float)) and isinstance(actual, (int, float))
        if numbers and math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9):
            return None
        return f"{path}: {expected!r} != {actual!r}"
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return f"{path}: keys {sorted(expected.keys() ^ actual.keys())} differ"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(e, a, f"{path}[{i}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{path}: length {len(expected)} != {len(actual)}"
        return None
    return None if expected == actual else f"{path}: {expected!r} != {actual!r}"


def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    return data


def test_scripted_run_matches_the_golden_record(tmp_path: Path) -> None:
    result = json.loads(json.dumps(golden.run(tmp_path)))
    assert first_difference(expected()["run"], result) is None


def test_state_file_of_the_old_counter_reopens_unchanged(tmp_path: Path) -> None:
    result = json.loads(json.dumps(golden.reopen(tmp_path, golden.STATE_FIXTURE)))
    assert first_difference(expected()["reopen"], result) is None


def test_first_difference_reports_a_changed_value() -> None:
    assert first_difference({"a": [1.0, 2]}, {"a": [1.0, 2]}) is None
    assert first_difference({"a": [1.0, 2]}, {"a": [1.0 + 1e-12, 2]}) is None
    assert first_difference({"a": [1.0, 2]}, {"a": [1.01, 2]}) == ".a[0]: 1.0 != 1.01"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == ".a: length 1 != 2"
    assert first_difference({"a": "x"}, {"b": "x"}) == ": keys ['a', 'b'] differ"
