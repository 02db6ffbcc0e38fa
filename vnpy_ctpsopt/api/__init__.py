"""The seam between the gateway and a counter: CTP-shaped dicts, native or simulated backend."""

from .address import FrontAddress, FrontAddressError, normalize_front_address, parse_front_address
from .base import Data, MdApi, MdSpi, TdApi, TdSpi
from .factory import create_md_api, create_td_api

__all__ = [
    "Data",
    "FrontAddress",
    "FrontAddressError",
    "MdApi",
    "MdSpi",
    "TdApi",
    "TdSpi",
    "create_md_api",
    "create_td_api",
    "normalize_front_address",
    "parse_front_address",
]
