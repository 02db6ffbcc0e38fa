"""A throw-away PostgreSQL server from Debian's binaries (/usr/lib/postgresql/*/bin).

initdb into a fresh temporary folder, pg_ctl start on 127.0.0.1 with a free port and a unix
socket folder of its own, trust authentication, stopped (and the folder removed) at teardown. As
root the server runs as the ``postgres`` system user (PostgreSQL refuses to run as root). When
it cannot start, tests skip with the reason, or fail under ``CI=true``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

USER: str = "vnpy"


def fail_or_skip(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL unavailable under CI: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    run_as: str | None
    counter: int = 0

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *cmd] if self.run_as else cmd

    def connect_kwargs(self, dbname: str = "postgres") -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "user": USER, "dbname": dbname}

    def create_database(self) -> dict[str, Any]:
        """A new empty database; its vn.py settings."""
        import psycopg2

        self.counter += 1
        name: str = f"ticks{self.counter}"
        conn = psycopg2.connect(**self.connect_kwargs())
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        conn.close()
        return {
            "database.name": "postgresql",
            "database.database": name,
            "database.host": "127.0.0.1",
            "database.port": self.port,
            "database.user": USER,
            "database.password": "",
        }

    def stop(self) -> None:
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server(_unused: Path | None = None) -> PostgresServer:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        fail_or_skip("no /usr/lib/postgresql/*/bin (bash scripts/install.sh installs it)")
    bindir = Path(bins[-1])
    run_as: str | None = None
    # A folder every user can reach (pytest's tmp folders are private to root).
    root = Path(tempfile.mkdtemp(prefix="ctpsopt-pg-"))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        run_as = "postgres"
        if shutil.which("runuser") is None:
            fail_or_skip("running as root and no runuser to start the server as postgres")
        shutil.chown(root, user="postgres")
    server = PostgresServer(bindir=bindir, root=root, port=free_port(), run_as=run_as)
    (root / "sock").mkdir()
    if run_as:
        shutil.chown(root / "sock", user="postgres")
    steps = [
        server._cmd(
            "initdb", "-D", str(root / "data"), "-U", USER, "--auth=trust", "-E", "UTF8",
            "--locale=C",
        ),
        server._cmd(
            "pg_ctl", "-D", str(root / "data"), "-l", str(root / "server.log"), "-w", "-t", "60",
            "-o", f"-h 127.0.0.1 -p {server.port} -k {root / 'sock'} -F", "start",
        ),
    ]  # fmt: skip
    for cmd in steps:
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(root, ignore_errors=True)
            fail_or_skip(f"{cmd[0]}: {exc!r}")
            raise
        if result.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            server.stop()
            fail_or_skip(
                f"{' '.join(cmd)} -> {result.returncode}: {result.stderr[-500:]} {log[-500:]}"
            )
    return server
