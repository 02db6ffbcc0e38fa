"""Backend selection by front address scheme."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .address import parse_front_address
from .base import MdApi, MdSpi, TdApi, TdSpi
from .constant import THOST_TERT_QUICK

if TYPE_CHECKING:
    from ..sim.exchange import SimExchangeRegistry


def create_td_api(
    address: str,
    spi: TdSpi,
    flow_path: Path | None = None,
    resume_type: int = THOST_TERT_QUICK,
    registry: SimExchangeRegistry | None = None,
) -> TdApi:
    """A trading api for ``address``: native for tcp:// and ssl://, simulated for sim://.

    ``flow_path`` is the folder for the native library's flow files (one per api instance).
    ``registry`` (sim:// only) is where the simulated front NAME is looked up or created;
    None means the process-wide ``vnpy_ctpsopt.sim.exchange.REGISTRY``.
    """
    front = parse_front_address(address)
    if front.is_native:
        from .native import NativeTdApi

        return NativeTdApi(front.url, spi, flow_path, resume_type)
    from ..sim.api import create_sim_td_api

    return create_sim_td_api(address, spi, resume_type, registry)


def create_md_api(
    address: str,
    spi: MdSpi,
    flow_path: Path | None = None,
    registry: SimExchangeRegistry | None = None,
) -> MdApi:
    """A market-data api for ``address``: native for tcp:// and ssl://, simulated for sim://
    (``registry`` as for ``create_td_api``)."""
    front = parse_front_address(address)
    if front.is_native:
        from .native import NativeMdApi

        return NativeMdApi(front.url, spi, flow_path)
    from ..sim.api import create_sim_md_api

    return create_sim_md_api(address, spi, registry)
