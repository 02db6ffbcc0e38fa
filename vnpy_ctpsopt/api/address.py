"""Front address parsing: the scheme picks the backend."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

NATIVE_SCHEMES: tuple[str, ...] = ("tcp", "ssl")
SIM_SCHEME: str = "sim"

ACCEPTED_FORMS: str = "tcp://host:port, ssl://host:port, sim://NAME?seed=7&speed=1"


class FrontAddressError(ValueError):
    """A front address that no backend accepts."""


@dataclass(frozen=True)
class FrontAddress:
    """A parsed front address. ``name`` and ``params`` are only used by ``sim://``."""

    scheme: str
    host: str = ""
    port: int = 0
    name: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def is_native(self) -> bool:
        return self.scheme in NATIVE_SCHEMES

    @property
    def url(self) -> str:
        """The address in the form the native library wants."""
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_front_address(address: str) -> FrontAddress:
    """Parse ``tcp://``, ``ssl://`` or ``sim://`` addresses, raising FrontAddressError otherwise."""
    text: str = address.strip()
    if "://" not in text:
        raise FrontAddressError(
            f"前置地址缺少协议头: {address!r}，可用格式: {ACCEPTED_FORMS}"
            f" (front address has no scheme)"
        )
    parts = urlsplit(text)
    scheme: str = parts.scheme.lower()
    if scheme == SIM_SCHEME:
        name: str = (parts.netloc + parts.path).strip("/") or "default"
        try:
            params = tuple(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True))
        except ValueError:
            if parts.query:
                raise FrontAddressError(
                    f"模拟柜台地址参数格式错误: {address!r}，应为 sim://NAME?key=value&..."
                ) from None
            params = ()
        return FrontAddress(scheme=scheme, name=name, params=params)
    if scheme in NATIVE_SCHEMES:
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or not port:
            raise FrontAddressError(
                f"前置地址需要主机和端口: {address!r}，可用格式: {ACCEPTED_FORMS}"
            )
        return FrontAddress(scheme=scheme, host=parts.hostname, port=port)
    raise FrontAddressError(
        f"不支持的前置地址协议 {parts.scheme!r}: {address!r}，可用格式: {ACCEPTED_FORMS}"
    )


def normalize_front_address(address: str) -> str:
    """Settings convenience: an address without a scheme gets ``tcp://``."""
    text: str = address.strip()
    if text and "://" not in text:
        text = "tcp://" + text
    return text
