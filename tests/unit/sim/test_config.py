"""sim:// address parameters: defaults, every key, and a clear error for anything wrong."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from vnpy_ctpsopt.api.address import FrontAddressError
from vnpy_ctpsopt.sim.config import (
    DEFAULT_CAPITAL,
    DEFAULT_QPS,
    DEFAULT_SPEED,
    HOURS_24X7,
    SimConfigError,
    parse_sim_config,
)


def test_defaults() -> None:
    config = parse_sim_config("sim://demo")
    assert config.name == "demo"
    assert config.seed is None
    assert config.speed == DEFAULT_SPEED
    assert config.capital == DEFAULT_CAPITAL
    assert config.hours == HOURS_24X7
    assert config.qps == DEFAULT_QPS
    assert config.clock == "live"
    assert config.given == frozenset()
    assert config.state_path(Path("/x")) == Path("/x/demo.db")


def test_every_key() -> None:
    config = parse_sim_config(
        "sim://A?seed=7&speed=2.5&capital=500000&state=memory&hours=exchange"
        "&clock=manual&start=20261130T093000&qps=6&reconnect=0&auth=app:code,app2:c2"
        "&makers=mm1,mm2"
    )
    assert config.seed == 7
    assert config.speed == 2.5
    assert config.capital == 500000.0
    assert config.in_memory and config.state_path(Path("/x")) is None
    assert config.hours == "exchange"
    assert config.clock == "manual"
    assert config.start == datetime(2026, 11, 30, 9, 30)
    assert config.qps == 6.0
    assert config.reconnect == 0.0
    assert config.auth == frozenset({("app", "code"), ("app2", "c2")})
    assert config.makers == frozenset({"mm1", "mm2"})
    assert "seed" in config.given and "auth" in config.given


def test_state_file_and_start_forms(tmp_path: Path) -> None:
    target = tmp_path / "acct.db"
    assert parse_sim_config(f"sim://A?state={target}").state_path(Path("/x")) == target
    assert parse_sim_config("sim://A?start=20261130").start == datetime(2026, 11, 30)
    assert parse_sim_config("sim://A?start=2026-11-30T13:05:01").start == datetime(
        2026, 11, 30, 13, 5, 1
    )


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("seeds=1", "seeds"),
        ("seed=x", "seed"),
        ("seed=-1", "seed"),
        ("seed=1.5", "seed"),
        ("speed=0", "speed"),
        ("speed=-2", "speed"),
        ("speed=nan", "speed"),
        ("speed=inf", "speed"),
        ("capital=0", "capital"),
        ("capital=abc", "capital"),
        ("hours=9to5", "hours"),
        ("clock=fast", "clock"),
        ("start=tomorrow", "start"),
        ("start=2026-11-30T09:30:00%2B08:00", "start"),
        ("qps=0", "qps"),
        ("reconnect=-1", "reconnect"),
        ("auth=nocolon", "auth"),
        ("makers=a,,b", "makers"),
        ("seed=1&seed=2", "seed"),
        ("state=", "state"),
    ],
)
def test_bad_parameters_raise(query: str, word: str) -> None:
    with pytest.raises(SimConfigError) as info:
        parse_sim_config(f"sim://A?{query}")
    message = str(info.value)
    assert "模拟柜台地址错误" in message  # for traders
    assert "sim address error" in message  # for developers
    assert word in message
    assert isinstance(info.value, FrontAddressError)


def test_conflicts_only_for_explicit_keys() -> None:
    first = parse_sim_config("sim://A?seed=7&speed=2")
    assert first.conflicts(parse_sim_config("sim://A")) == []
    assert first.conflicts(parse_sim_config("sim://A?seed=7")) == []
    assert first.conflicts(parse_sim_config("sim://A?seed=8&speed=2")) == ["seed"]


def test_not_sim_scheme() -> None:
    with pytest.raises(SimConfigError):
        parse_sim_config("tcp://127.0.0.1:1234")
