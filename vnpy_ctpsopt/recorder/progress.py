"""Live progress of a recording: a tqdm line on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from .base import RecorderStats


def progress_text(stats: RecorderStats, rate: float) -> str:
    """One line: ticks/s, written, buffered, spilled, lag, per underlying received/written."""
    chains: str = " ".join(
        f"{key} {v.received}/{v.written}" for key, v in sorted(stats.per_underlying.items())
    )
    return (
        f"收到 {stats.received}（{rate:.0f}/s） 写入 {stats.written} 缓存 {stats.buffered} "
        f"溢出 {stats.spill_pending} 过滤 {stats.filtered} 合并 {stats.merged} "
        f"延迟 {stats.last_lag:.2f}s 错误 {stats.db_errors} | {chains}"
    )


class Progress:
    """Call ``update(stats)`` about once a second; ``close()`` at the end."""

    def __init__(self, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self.stream: TextIO = stream or sys.stdout
        self.interval: float = interval
        self.tty: bool = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar: Any = None
        self.last_print: float = 0.0
        self.last: tuple[float, int] = (time.monotonic(), 0)
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(file=self.stream, unit="tick", desc="录制", dynamic_ncols=True)

    def update(self, stats: RecorderStats) -> None:
        now: float = time.monotonic()
        then, received = self.last
        rate: float = (stats.received - received) / (now - then) if now > then else 0.0
        self.last = (now, stats.received)
        text: str = progress_text(stats, rate)
        if self.bar is not None:
            self.bar.n = stats.written
            self.bar.set_postfix_str(text, refresh=True)
        elif now - self.last_print >= self.interval:
            self.last_print = now
            print(f"[录制] {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
