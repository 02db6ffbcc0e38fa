"""Local TCP fronts for the real openctp-ctpopt library (nothing leaves 127.0.0.1)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from vnpy_ctpsopt.api.native import NativeLibraryError, load_modules


@pytest.fixture(scope="session", autouse=True)
def native_library() -> None:
    try:
        load_modules()
    except NativeLibraryError as exc:  # macOS, or a machine without the locale
        pytest.skip(f"native library unavailable: {exc}")


class ClosingFront:
    """Accepts each connection, reads the api's hello, then closes it: a front that drops us."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]
        self.accepted = threading.Semaphore(0)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted.release()
            conn.settimeout(2.0)
            with contextlib.suppress(OSError):
                conn.recv(4096)
            conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._sock.close()
        self._thread.join(5)


@pytest.fixture
def closing_front() -> Iterator[ClosingFront]:
    front = ClosingFront()
    yield front
    front.close()


@pytest.fixture
def dead_port() -> int:
    """A local port with nothing listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
