"""The gateway on the real openctp-ctpopt library against local fronts that drop every
connection, and against a port with nothing listening: reasons logged without flooding, close()
bounded, nothing crashes. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from vnpy_ctpsopt.api.native import NativeLibraryError, load_modules

from .harness import Harness, poll

pytestmark = pytest.mark.native


@pytest.fixture(scope="module", autouse=True)
def native_library() -> None:
    try:
        load_modules()
    except NativeLibraryError as exc:
        pytest.skip(f"native library unavailable: {exc}")


class DroppingFront:
    """Accepts each connection and closes it at once; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def front() -> Iterator[DroppingFront]:
    f = DroppingFront()
    yield f
    f.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dropping_front_logs_reason_once_and_closes_in_bounded_time(
    harness: Harness, front: DroppingFront
) -> None:
    gateway = harness.add()
    address = f"127.0.0.1:{front.port}"
    harness.main_engine.connect(
        {"用户名": "u", "密码": "p", "交易服务器": address, "行情服务器": address}, gateway.gateway_name
    )
    text = harness.wait_log("交易服务器连接断开")
    assert "原因" in text
    # the library keeps reconnecting; the same reason is not logged again within the minute
    assert poll(lambda: front.accepted >= 6, timeout=30)
    disconnects = [m for m in harness.logs() if "交易服务器连接断开" in m]
    assert len(disconnects) == 1
    started = time.monotonic()
    gateway.close()
    assert time.monotonic() - started < 12


def test_port_with_nothing_listening(harness: Harness) -> None:
    """The library gives no callback at all: the gateway says within a bounded time that the
    front does not answer (once a minute), and keeps the connection retrying."""
    gateway = harness.add()
    gateway.td.connect_timeout = gateway.md.connect_timeout = 2.0
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    harness.main_engine.connect(
        {"用户名": "u", "密码": "p", "交易服务器": address, "行情服务器": address}, gateway.gateway_name
    )
    text = harness.wait_log("交易服务器tcp://127.0.0.1:")
    assert "无响应" in text and "继续重试" in text
    assert "行情服务器" in harness.wait_log("行情服务器tcp://127.0.0.1:")
    assert time.monotonic() - started < 8  # 2 s timeout + one EVENT_TIMER tick or so
    assert not [m for m in harness.logs() if "连接断开" in m]  # nothing else was said
    assert gateway.td.api is not None  # still dialling
    assert not gateway.td.login_status
    started = time.monotonic()
    gateway.close()
    assert time.monotonic() - started < 12
    assert not [m for m in harness.logs() if "处理异常" in m]
