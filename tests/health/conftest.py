"""Local fronts on 127.0.0.1 for the check: one that accepts and closes, one that accepts and
says nothing, and a port with nothing listening."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest


class LocalFront:
    """Accepts connections; ``hold=False`` closes each after the client's first bytes (a front
    that drops us), ``hold=True`` keeps it open and silent (a black hole)."""

    def __init__(self, hold: bool) -> None:
        self.hold = hold
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]
        self.accepted = threading.Semaphore(0)
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted.release()
            if self.hold:
                self._held.append(conn)
                continue
            conn.settimeout(2.0)
            with contextlib.suppress(OSError):
                conn.recv(4096)
            conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(5)
        for conn in self._held:
            conn.close()


@pytest.fixture
def closing_front() -> Iterator[LocalFront]:
    front = LocalFront(hold=False)
    yield front
    front.close()


@pytest.fixture
def silent_front() -> Iterator[LocalFront]:
    front = LocalFront(hold=True)
    yield front
    front.close()


@pytest.fixture
def dead_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
