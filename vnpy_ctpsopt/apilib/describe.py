"""One line naming the SOPT API libraries in use, for the gateway's login log and ``check``."""

from __future__ import annotations

import sys
from pathlib import Path

from .layout import ApiLibError, default_site
from .swap import library_states

_MODULES: dict[str, tuple[str, str]] = {
    "td": ("openctp_ctpopt.soptthosttraderapi", "CThostFtdcTraderApi"),
    "md": ("openctp_ctpopt.soptthostmduserapi", "CThostFtdcMdApi"),
}
_WORDS: dict[str, str] = {"td": "交易库", "md": "行情库"}


def loaded_version(api: str) -> str:
    """The version the already imported binding reports ("" when it is not imported)."""
    module_name, cls = _MODULES[api]
    module = sys.modules.get(module_name)
    if module is None:
        return ""
    try:
        return str(getattr(module, cls).GetApiVersion())
    except Exception:  # noqa: BLE001 - a description must never fail
        return ""


def describe_loaded(site: Path | None = None) -> str:
    """``交易库 <file>（原装|已替换：<source>，<version>，sha256 <12 hex>）；行情库 ...``.

    Never raises: a problem finding the libraries is described instead.
    """
    try:
        states = library_states(site or default_site(), probe=False)
    except (ApiLibError, OSError, ValueError) as exc:
        return f"SOPT API 库：{exc}"
    parts: list[str] = []
    for api in ("td", "md"):
        state = states[api]
        if state.original is None:
            origin = "来源未知"
        elif state.original:
            origin = "原装"
        else:
            origin = f"已替换：{state.source}" if state.source else "已替换"
        version = loaded_version(api)
        details = "，".join(x for x in (origin, version, f"sha256 {state.sha256[:12]}") if x)
        parts.append(f"{_WORDS[api]} {state.library.path.name}（{details}）")
    return "；".join(parts)
