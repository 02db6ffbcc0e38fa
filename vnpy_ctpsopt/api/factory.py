"""Backend selection by front address scheme."""

from __future__ import annotations

from pathlib import Path

from .address import parse_front_address
from .base import MdApi, MdSpi, TdApi, TdSpi
from .constant import THOST_TERT_QUICK


def create_td_api(
    address: str,
    spi: TdSpi,
    flow_path: Path | None = None,
    resume_type: int = THOST_TERT_QUICK,
) -> TdApi:
    """A trading api for ``address``: native for tcp:// and ssl://, simulated for sim://.

    ``flow_path`` is the folder for the native library's flow files (one per api instance).
    """
    front = parse_front_address(address)
    if front.is_native:
        from .native import NativeTdApi

        return NativeTdApi(front.url, spi, flow_path, resume_type)
    from ..sim.api import create_sim_td_api

    return create_sim_td_api(address, spi, resume_type)


def create_md_api(address: str, spi: MdSpi, flow_path: Path | None = None) -> MdApi:
    """A market-data api for ``address``: native for tcp:// and ssl://, simulated for sim://."""
    front = parse_front_address(address)
    if front.is_native:
        from .native import NativeMdApi

        return NativeMdApi(front.url, spi, flow_path)
    from ..sim.api import create_sim_md_api

    return create_sim_md_api(address, spi)
