"""Load an API library in a child process and ask its version (a bad file can only crash the
child). Two checks: the bare library through ctypes, and the SWIG binding of a site folder."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# GetApiVersion is a static member; openctp's builds put the classes in namespace ctp_sopt.
VERSION_SYMBOLS: dict[str, tuple[str, ...]] = {
    "td": (
        "_ZN8ctp_sopt19CThostFtdcTraderApi13GetApiVersionEv",
        "_ZN19CThostFtdcTraderApi13GetApiVersionEv",
        "?GetApiVersion@CThostFtdcTraderApi@ctp_sopt@@SAPEBDXZ",
        "?GetApiVersion@CThostFtdcTraderApi@@SAPEBDXZ",
    ),
    "md": (
        "_ZN8ctp_sopt15CThostFtdcMdApi13GetApiVersionEv",
        "_ZN15CThostFtdcMdApi13GetApiVersionEv",
        "?GetApiVersion@CThostFtdcMdApi@ctp_sopt@@SAPEBDXZ",
        "?GetApiVersion@CThostFtdcMdApi@@SAPEBDXZ",
    ),
}

LIBRARY_SCRIPT = r"""
import ctypes, json, sys
path, symbols = sys.argv[1], json.loads(sys.argv[2])
try:
    lib = ctypes.CDLL(path)
except OSError as exc:
    print(json.dumps({"ok": False, "reason": "无法加载：" + str(exc)}))
    raise SystemExit(0)
for name in symbols:
    try:
        func = getattr(lib, name)
    except AttributeError:
        continue
    func.restype = ctypes.c_char_p
    func.argtypes = []
    version = func() or b""
    print(json.dumps({"ok": True, "version": version.decode("ascii", "replace")}))
    raise SystemExit(0)
print(json.dumps({"ok": False, "reason": "库中没有 GetApiVersion（不是对应的 SOPT API 库）"}))
"""

BINDING_SCRIPT = r"""
import json, locale, sys
sys.path.insert(0, sys.argv[1])
if sys.platform != "win32":
    try:
        locale.setlocale(locale.LC_ALL, "zh_CN.GB18030")
    except locale.Error:
        pass
import openctp_ctpopt
from openctp_ctpopt import soptthostmduserapi as md, soptthosttraderapi as td
print(json.dumps({"ok": True, "package": openctp_ctpopt.__file__,
                  "td": td.CThostFtdcTraderApi.GetApiVersion(),
                  "md": md.CThostFtdcMdApi.GetApiVersion()}))
"""

ELF_MAGIC: bytes = b"\x7fELF"
PE_MAGIC: bytes = b"MZ"


@dataclass(frozen=True)
class ProbeResult:
    """``version`` when the library loaded and answered, else ``reason`` (Chinese)."""

    ok: bool
    version: str = ""
    reason: str = ""


def elf_truncation(head: bytes, size: int) -> str:
    """Why an ELF file of ``size`` bytes whose first 64 bytes are ``head`` is cut short ("" if
    its program and section header tables fit)."""
    if len(head) < 52:
        return f"文件被截断（只有 {size} 字节）"
    order = "<" if head[5] == 1 else ">"
    if head[4] == 2:  # ELFCLASS64
        if len(head) < 64:
            return f"文件被截断（只有 {size} 字节）"
        phoff, shoff = struct.unpack_from(order + "QQ", head, 0x20)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", head, 0x36)
    else:
        phoff, shoff = struct.unpack_from(order + "II", head, 0x1C)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", head, 0x2A)
    need = max(phoff + phentsize * phnum, shoff + shentsize * shnum)
    if need > size:
        return f"文件被截断（应至少 {need} 字节，实际 {size} 字节）"
    return ""


def header_problem(path: Path) -> str:
    """Why ``path`` is not a whole shared library for this platform ("" when the header fits)."""
    try:
        with path.open("rb") as file:
            head = file.read(64)
        size = path.stat().st_size
    except OSError as exc:
        return f"无法读取文件：{exc}"
    magic, kind = (PE_MAGIC, "PE (.dll)") if sys.platform == "win32" else (ELF_MAGIC, "ELF (.so)")
    if not head.startswith(magic):
        return f"不是共享库文件（文件头不是 {kind}）"
    return elf_truncation(head, size) if magic == ELF_MAGIC else ""


def _run(args: list[str], timeout: float) -> tuple[dict[str, object] | None, str]:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"检查进程 {timeout:g} 秒未结束"
    lines = done.stdout.strip().splitlines()
    if done.returncode < 0:
        return None, f"加载时检查进程崩溃（信号 {-done.returncode}），文件可能损坏"
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or [""])[-1]
        return None, f"检查进程异常退出（返回码 {done.returncode}）{tail}"
    try:
        data = json.loads(lines[-1])
    except json.JSONDecodeError:
        return None, f"检查进程输出无法解析：{lines[-1][:200]}"
    return (data, "") if isinstance(data, dict) else (None, "检查进程输出无法解析")


def probe_library(path: Path, api: str, timeout: float = 30.0) -> ProbeResult:
    """Load ``path`` alone in a child process and read the ``api`` ("td"/"md") version."""
    if not path.is_file():
        return ProbeResult(False, reason=f"文件不存在：{path}")
    problem = header_problem(path)
    if problem:
        return ProbeResult(False, reason=problem)
    symbols = json.dumps(VERSION_SYMBOLS[api])
    data, error = _run([sys.executable, "-c", LIBRARY_SCRIPT, str(path), symbols], timeout)
    if data is None:
        return ProbeResult(False, reason=error)
    if data.get("ok"):
        return ProbeResult(True, version=str(data.get("version", "")))
    return ProbeResult(False, reason=str(data.get("reason", "")))


def probe_binding(site: Path, timeout: float = 60.0) -> dict[str, ProbeResult]:
    """Import openctp_ctpopt from ``site`` in a child process: the versions its td and md
    modules report (what the gateway gets), or why the import failed."""
    data, error = _run([sys.executable, "-c", BINDING_SCRIPT, str(site)], timeout)
    if data is None:
        return {api: ProbeResult(False, reason=error) for api in ("td", "md")}
    package = Path(str(data.get("package", "")))
    if site.resolve() not in package.resolve().parents:
        reason = f"导入的 openctp_ctpopt 不在 {site}：{package}"
        return {api: ProbeResult(False, reason=reason) for api in ("td", "md")}
    return {api: ProbeResult(True, version=str(data.get(api, ""))) for api in ("td", "md")}
