from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("vnpy_ctpsopt.sim.market", reason="sim market not in this tree yet")

from .harness import Harness, sim_name  # noqa: E402


@pytest.fixture
def harness() -> Iterator[Harness]:
    h = Harness()
    yield h
    h.close()


@pytest.fixture
def sim() -> str:
    return sim_name()
