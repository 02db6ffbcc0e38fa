"""Spill files: rows waiting for the database, one JSON line each, fsynced per append.

A file per run (``spill-<start>-<pid>.jsonl``) in the spill folder. A run appends while the
database is failing and its memory bound is reached, replays when the database is back and deletes
the file once every row is stored. Files left by a process that died are replayed at the next
start. A damaged line (a crash mid-write leaves at most the last one) is counted and skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .rows import line_to_row, row_to_line

Row = tuple[Any, ...]


class SpillFile:
    """One append-only spill file. ``offset`` is the byte position replayed so far; ``rows`` the
    tick rows appended and not yet replayed."""

    def __init__(self, path: Path) -> None:
        self.path: Path = path
        self.offset: int = 0
        self.rows: int = 0

    @classmethod
    def for_run(cls, folder: Path) -> SpillFile:
        stamp: str = datetime.now().strftime("%Y%m%d%H%M%S%f")
        return cls(folder / f"spill-{stamp}-{os.getpid()}.jsonl")

    def append(self, ticks: Sequence[Row], bars: Sequence[Row]) -> None:
        """Append rows durably (flush + fsync) before the caller forgets them."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines: list[str] = [row_to_line("tick", r) for r in ticks]
        lines.extend(row_to_line("bar", r) for r in bars)
        with self.path.open("a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
            f.flush()
            os.fsync(f.fileno())
        self.rows += len(ticks)

    def chunks(self, size: int) -> Iterator[tuple[list[Row], list[Row], int, int]]:
        """(ticks, bars, damaged lines, end offset) chunks from ``offset`` on."""
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            f.seek(self.offset)
            ticks: list[Row] = []
            bars: list[Row] = []
            damaged: int = 0
            while True:
                raw: bytes = f.readline()
                if not raw:
                    break
                if not raw.endswith(b"\n"):
                    damaged += 1  # torn last line of a killed process
                    break
                try:
                    kind, row = line_to_row(raw.decode("utf-8"))
                except (ValueError, TypeError, UnicodeDecodeError):
                    damaged += 1
                    continue
                (ticks if kind == "tick" else bars).append(row)
                if len(ticks) + len(bars) >= size:
                    yield ticks, bars, damaged, f.tell()
                    ticks, bars, damaged = [], [], 0
            yield ticks, bars, damaged, f.tell()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.offset = 0
        self.rows = 0


def leftover_files(folder: Path) -> list[SpillFile]:
    """Spill files of earlier runs, oldest first."""
    if not folder.is_dir():
        return []
    return [SpillFile(p) for p in sorted(folder.glob("spill-*.jsonl"))]
