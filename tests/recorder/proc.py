"""``python -m vnpy_ctpsopt record`` in a child process, its output read line by line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.gateway.harness import poll

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(
    r"收到行情 (\d+) = 写入 (\d+) \+ 过滤 (\d+).*合并重复 (\d+).*异常 (\d+) \+ 缓存中 (\d+) \+ 溢出未回放 (\d+)"
)
RECOVERED = re.compile(r"回放上次遗留 (\d+) 条（其中已在库 (\d+)）")


def make_home(folder: Path, setting: dict[str, Any] | None = None) -> Path:
    """A working folder whose .vntrader points vn.py's database at ``ticks.db`` there."""
    (folder / ".vntrader").mkdir(parents=True, exist_ok=True)
    setting = setting or {"database.name": "sqlite", "database.database": "ticks.db"}
    (folder / ".vntrader" / "vt_setting.json").write_text(json.dumps(setting))
    return folder


class RecorderProcess:
    """The record command as a child (PYTHONPATH = this worktree, cwd = ``home``)."""

    def __init__(self, home: Path, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), TZ="Asia/Shanghai", PYTHONUNBUFFERED="1")
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vnpy_ctpsopt", "record", *args],
            cwd=home,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        regex = re.compile(pattern)
        found: list[re.Match[str]] = []

        def seen() -> bool:
            with self.cond:
                for line in self.lines:
                    match = regex.search(line)
                    if match:
                        found.append(match)
                        return True
            return self.proc.poll() is not None and not self.reader.is_alive() and False

        assert poll(seen, timeout), "\n".join(self.lines[-30:])
        return found[0]

    def finish(self, timeout: float = 120.0) -> int:
        code = self.proc.wait(timeout)
        self.reader.join(10)
        return code

    def output(self) -> str:
        with self.cond:
            return "\n".join(self.lines)

    def summary(self) -> dict[str, int]:
        match = SUMMARY.search(self.output())
        assert match, self.output()[-3000:]
        keys = (
            "received",
            "written",
            "filtered",
            "merged",
            "malformed",
            "buffered",
            "spill_pending",
        )
        return dict(zip(keys, map(int, match.groups()), strict=True))

    def recovered(self) -> tuple[int, int]:
        match = RECOVERED.search(self.output())
        assert match, self.output()[-3000:]
        return int(match.group(1)), int(match.group(2))
