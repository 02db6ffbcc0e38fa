"""Progress of long runs: a tqdm bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(
    items: Iterable[T], total: int | None, desc: str, unit: str, every: float = 5.0
) -> Iterator[T]:
    """Yield ``items`` while showing progress: tqdm when stderr is a terminal, else one plain
    line at most every ``every`` seconds and one at the end."""
    if sys.stderr.isatty():
        yield from tqdm(items, total=total, desc=desc, unit=unit)
        return
    last = time.monotonic()
    count = 0
    for item in items:
        yield item
        count += 1
        now = time.monotonic()
        if now - last >= every:
            last = now
            of = f"/{total}" if total else ""
            print(f"{desc}: {count}{of} {unit}", file=sys.stderr, flush=True)
    print(f"{desc}: 完成 {count} {unit}", file=sys.stderr, flush=True)
