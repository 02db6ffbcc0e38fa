"""``python -m vnpy_ctpsopt check`` against local fronts: a front that drops us, a silent one, a
port with nothing, and sim fronts; each reported correctly within its bound, JSON parses, the
password never appears, and without the native library the TCP part still works."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from vnpy_ctpsopt.health import (
    FrontTarget,
    check_all,
    custom_targets,
    preset_targets,
    reason_words,
    tcp_probe,
)
from vnpy_ctpsopt.health.fronts import ROLE_MD, ROLE_TD, private_sim
from vnpy_ctpsopt.health.session import CLOSE_WAIT

from .conftest import LocalFront

START = "20250603T100000"
TIMEOUT = 3.0
_names = itertools.count(1)


def sim_address(extra: str = "") -> str:
    return f"sim://check{next(_names)}x{os.getpid()}?start={START}{extra}"


def native_available() -> bool:
    from vnpy_ctpsopt.api.native import NativeLibraryError, load_modules

    try:
        load_modules()
    except NativeLibraryError:
        return False
    return True


def run_cli(*args: str, env: dict[str, str] | None = None, prelude: str = "") -> subprocess.CompletedProcess[str]:
    script = f"{prelude}\nfrom vnpy_ctpsopt.cli import main\nraise SystemExit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env=dict(os.environ, **(env or {})),
    )


def test_reason_codes_in_words() -> None:
    assert reason_words(4097) == "网络读失败（0x1001）"
    assert reason_words(0x2001) == "接收心跳超时（0x2001）"
    assert reason_words(7) == "未知原因（0x7）"


def test_targets_presets_and_custom() -> None:
    from vnpy_ctpsopt.gateway.setting import PRESETS

    targets = preset_targets()
    assert [(t.label, t.role) for t in targets] == [
        (name, role) for name in PRESETS for role in (ROLE_TD, ROLE_MD)
    ]
    assert custom_targets("1.2.3.4:5", "") == [FrontTarget("自定义", ROLE_TD, "tcp://1.2.3.4:5")]
    with pytest.raises(ValueError, match="未知的预设环境"):
        preset_targets(["nope"])
    with pytest.raises(ValueError):
        custom_targets("", "")
    with pytest.raises(ValueError):
        custom_targets("http://x:1", "")
    assert private_sim("sim://a?seed=1") == "sim://a?seed=1&state=memory"
    assert private_sim("sim://a?state=/tmp/x.db") == "sim://a?state=/tmp/x.db"


def test_tcp_probe_measures_or_says_why(closing_front: LocalFront, dead_port: int) -> None:
    up = tcp_probe("127.0.0.1", closing_front.port, TIMEOUT)
    assert up.connected and up.ip == "127.0.0.1" and 0 <= (up.latency_ms or -1) < TIMEOUT * 1000
    down = tcp_probe("127.0.0.1", dead_port, TIMEOUT)
    assert not down.connected and "拒绝" in down.error
    unresolvable = tcp_probe("no-such-host.invalid", 1, TIMEOUT)
    assert not unresolvable.connected and "域名解析" in unresolvable.error


@pytest.mark.native
def test_each_front_reported_correctly_within_its_bound(
    closing_front: LocalFront, silent_front: LocalFront, dead_port: int
) -> None:
    if not native_available():
        pytest.skip("native library unavailable")
    sim = sim_address()
    targets = [
        FrontTarget("closing", ROLE_TD, closing_front.address),
        FrontTarget("silent", ROLE_MD, silent_front.address),
        FrontTarget("dead", ROLE_TD, f"tcp://127.0.0.1:{dead_port}"),
        FrontTarget("sim", ROLE_TD, sim),
        FrontTarget("sim", ROLE_MD, sim),
    ]
    started = time.monotonic()
    results = {(r.target.label, r.target.role): r for r in check_all(targets, TIMEOUT, None)}
    assert time.monotonic() - started < 2 * TIMEOUT + CLOSE_WAIT + 2
    closing = results["closing", ROLE_TD]
    assert closing.tcp and closing.tcp.connected
    assert closing.api.state == "disconnected" and "网络读失败（0x1001）" in closing.api.detail
    assert not closing.up and closing.seconds < TIMEOUT + 1
    silent = results["silent", ROLE_MD]
    assert silent.tcp and silent.tcp.connected and silent.api.state == "silent" and not silent.up
    assert TIMEOUT - 0.5 < silent.seconds < TIMEOUT + 1
    dead = results["dead", ROLE_TD]
    assert dead.tcp and not dead.tcp.connected and "拒绝" in dead.tcp.error
    assert dead.api.state == "skipped" and not dead.up and dead.seconds < 1
    for role in (ROLE_TD, ROLE_MD):
        front = results["sim", role]
        assert front.tcp is None and front.api.state == "connected" and front.up
        assert front.api.login == "" and "模拟柜台" in front.api_version


def _fronts(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)  # stdout must be nothing but the JSON document
    return data  # type: ignore[no-any-return]


@pytest.mark.native
def test_cli_json_parses_and_exit_code_says_down(closing_front: LocalFront, dead_port: int) -> None:
    if not native_available():
        pytest.skip("native library unavailable")
    started = time.monotonic()
    done = run_cli(
        "check", "--td", closing_front.address, "--md", f"127.0.0.1:{dead_port}",
        "--timeout", str(TIMEOUT), "--json",
    )
    assert time.monotonic() - started < 2 * TIMEOUT + CLOSE_WAIT + 30  # + interpreter start
    assert done.returncode == 1, done.stderr
    data = _fronts(done.stdout)
    assert data["ok"] is False and data["environment"]["native_ok"] is True
    assert "sha256" in data["environment"]["library"]
    td, md = data["fronts"]
    assert td["role"] == ROLE_TD and td["tcp_connected"] is True and td["latency_ms"] >= 0
    assert td["api_state"] == "disconnected" and "0x1001" in td["api_detail"]
    assert td["api_version"].startswith("v3.7")
    assert md["address"] == f"tcp://127.0.0.1:{dead_port}" and md["tcp_connected"] is False
    assert md["up"] is False


def test_cli_sim_login_table_and_password_never_printed() -> None:
    secret = "pw-Zq81-secret"
    sim = sim_address()
    done = run_cli(
        "check", "--td", sim, "--md", sim, "--user", "u1", "--timeout", str(TIMEOUT),
        env={"CTPSOPT_PASSWORD": secret},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert secret not in done.stdout and secret not in done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("自定义")]
    assert len(rows) == 2 and all("登录成功" in row and "正常" in row for row in rows)
    assert "全部前置正常" in done.stdout


def test_cli_sim_with_wrong_auth_code_is_down() -> None:
    sim = sim_address("&auth=APP1:CODE1")
    done = run_cli(
        "check", "--td", sim, "--user", "u1", "--appid", "APP1", "--authcode", "WRONG",
        "--timeout", str(TIMEOUT), "--json",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    (front,) = _fronts(done.stdout)["fronts"]
    assert front["api_state"] == "connected" and front["api_login_ok"] is False
    assert "穿透式认证失败" in front["api_login"]
    good = run_cli(
        "check", "--td", sim_address("&auth=APP1:CODE1"), "--user", "u1", "--appid", "APP1",
        "--authcode", "CODE1", "--timeout", str(TIMEOUT), "--json",
    )
    assert good.returncode == 0 and _fronts(good.stdout)["fronts"][0]["api_login"] == "登录成功"


def test_without_native_library_tcp_still_checked(closing_front: LocalFront, dead_port: int) -> None:
    done = run_cli(
        "check", "--td", closing_front.address, "--md", f"tcp://127.0.0.1:{dead_port}",
        "--timeout", str(TIMEOUT), "--json",
        prelude="import sys\nsys.modules['openctp_ctpopt'] = None",
    )
    assert done.returncode == 1, done.stderr
    data = _fronts(done.stdout)
    assert data["environment"]["native_ok"] is False
    assert "openctp-ctpopt" in data["environment"]["native_detail"]
    td, md = data["fronts"]
    assert td["tcp_connected"] is True and td["latency_ms"] is not None
    assert td["api_state"] == "error" and "openctp-ctpopt" in td["api_detail"]
    assert md["tcp_connected"] is False and "拒绝" in md["tcp_error"]


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from vnpy_ctpsopt.cli import main

    assert main(["check", "--td", "http://x:1"]) == 2
    assert "参数错误" in capsys.readouterr().err
    assert main(["check", "--preset", "本地模拟柜台", "--td", "sim://x"]) == 2
    assert main(["check", "--td", "sim://x", "--timeout", "0"]) == 2
