"""Connect settings: the vn.py settings dict of CtpsoptGateway / CtpsoptSimGateway to a validated
ConnectSetting (fronts, presets, private-flow resume type, password from the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..api import constant as c
from ..api.address import FrontAddressError, normalize_front_address, parse_front_address

# The password may come from this environment variable instead of the saved settings file.
PASSWORD_ENV: str = "CTPSOPT_PASSWORD"

PRESET_CUSTOM: str = "自定义"
PRESET_SIM: str = "本地模拟柜台"
PRESETS: dict[str, tuple[str, str]] = {
    "宏源期货仿真": ("tcp://118.26.194.228:42205", "tcp://118.26.194.228:42213"),
    "兴证期货仿真 电信": ("tcp://58.32.234.179:46666", "tcp://58.32.234.179:47777"),
    "兴证期货仿真 联通": ("tcp://58.247.2.86:46666", "tcp://58.247.2.86:47777"),
    PRESET_SIM: ("sim://ctpsopt", "sim://ctpsopt"),
}

RESUME_TYPES: dict[str, int] = {
    "QUICK": c.THOST_TERT_QUICK,
    "RESTART": c.THOST_TERT_RESTART,
    "RESUME": c.THOST_TERT_RESUME,
}


@dataclass(frozen=True)
class ConnectSetting:
    """Validated connect settings. ``repr`` never shows the password or auth code."""

    userid: str
    password: str
    brokerid: str
    td_address: str
    md_address: str
    appid: str
    auth_code: str
    resume_type: int = c.THOST_TERT_QUICK

    def __repr__(self) -> str:
        return (
            f"ConnectSetting(userid={self.userid!r}, brokerid={self.brokerid!r}, "
            f"td={self.td_address!r}, md={self.md_address!r}, appid={self.appid!r}, "
            f"password=***, auth_code=***, resume_type={self.resume_type})"
        )


def parse_setting(
    setting: dict[str, Any], environ: dict[str, str] | None = None
) -> tuple[ConnectSetting | None, str]:
    """The vn.py settings dict to a ConnectSetting, or (None, reason in Chinese).

    A preset (预设环境) other than 自定义 supplies both fronts; addresses without a scheme get
    ``tcp://``; an empty 密码 is read from the CTPSOPT_PASSWORD environment variable.
    """
    env: dict[str, str] = dict(os.environ) if environ is None else environ
    preset: str = str(setting.get("预设环境", PRESET_CUSTOM) or PRESET_CUSTOM)
    if preset in PRESETS:
        td_address, md_address = PRESETS[preset]
    elif preset == PRESET_CUSTOM:
        td_address = normalize_front_address(str(setting.get("交易服务器", "")))
        md_address = normalize_front_address(str(setting.get("行情服务器", "")))
    else:
        return None, f"未知的预设环境：{preset}"
    for label, address in (("交易服务器", td_address), ("行情服务器", md_address)):
        if not address:
            return None, f"{label}地址为空"
        try:
            parse_front_address(address)
        except FrontAddressError as exc:
            return None, f"{label}地址无效：{exc}"
    password: str = str(setting.get("密码", "") or "") or env.get(PASSWORD_ENV, "")
    resume_name: str = str(setting.get("私有流模式", "QUICK") or "QUICK")
    resume_type: int | None = RESUME_TYPES.get(resume_name)
    if resume_type is None:
        return None, f"未知的私有流模式：{resume_name}"
    userid: str = str(setting.get("用户名", "")).strip()
    if not userid:
        return None, "用户名为空"
    return (
        ConnectSetting(
            userid=userid,
            password=password,
            brokerid=str(setting.get("经纪商代码", "")).strip(),
            td_address=td_address,
            md_address=md_address,
            appid=str(setting.get("产品名称", "")).strip(),
            auth_code=str(setting.get("授权编码", "")).strip(),
            resume_type=resume_type,
        ),
        "",
    )


def sim_address(gateway_name: str, setting: dict[str, Any]) -> tuple[str, str]:
    """The ``sim://`` address for CtpsoptSimGateway settings, or ("", reason)."""
    params: list[str] = []
    try:
        capital: float = float(setting.get("初始资金", 1_000_000.0) or 1_000_000.0)
        speed: float = float(setting.get("行情倍速", 1.0) or 1.0)
    except (TypeError, ValueError):
        return "", "初始资金和行情倍速必须是数字"
    if capital <= 0 or speed <= 0:
        return "", "初始资金和行情倍速必须大于0"
    params.append(f"capital={capital:.2f}")
    params.append(f"speed={speed:g}")
    seed: str = str(setting.get("随机种子", "") or "").strip()
    if seed:
        if not seed.isdigit():
            return "", f"随机种子必须是非负整数：{seed}"
        params.append(f"seed={seed}")
    state: str = str(setting.get("状态文件", "") or "").strip()
    if state:
        params.append(f"state={quote(state, safe='/:')}")
    address: str = f"sim://{gateway_name.lower()}?" + "&".join(params)
    try:
        parse_front_address(address)
    except FrontAddressError as exc:
        return "", str(exc)
    return address, ""
