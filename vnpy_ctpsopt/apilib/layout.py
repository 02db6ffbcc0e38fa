"""Where openctp-ctpopt keeps the SOPT API libraries, and what each file is (pure file reads).

Both wheels vendor the two C++ API libraries in ``openctp_ctpopt.libs/`` beside the package,
under names carrying a hash the repair tool added:

- Linux (auditwheel): ``libsoptthosttraderapi_se-b8d80181.so``, ``libsoptthostmduserapi_se-9ca6af46.so``;
  the SWIG modules ``_soptthost*.so`` find them through RPATH ``$ORIGIN/../openctp_ctpopt.libs``.
- Windows (delvewheel): ``soptthosttraderapi_se-<32 hex>.dll``, ``soptthostmduserapi_se-<32 hex>.dll``;
  ``openctp_ctpopt/__init__.py`` adds that folder with ``os.add_dll_directory`` and the ``.pyd``
  import tables name the hashed files.

Either way the loader looks for the hashed *file name*, so a replacement keeps that name and only
the bytes change. The wheel's ``RECORD`` holds the sha256 of each shipped file.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE: str = "openctp_ctpopt"
LIBS_FOLDER: str = f"{PACKAGE}.libs"
# Tests and unusual installs point the tool at another site-packages folder with this variable.
SITE_ENV: str = "CTPSOPT_APILIB_SITE"

APIS: tuple[str, ...] = ("td", "md")
API_WORDS: dict[str, str] = {"td": "交易 (TraderApi)", "md": "行情 (MdApi)"}
_NAME = re.compile(
    r"^(?:lib)?soptthost(?P<api>trader|mduser)api_se(?:-[0-9a-f]+)?\.(?:so|dll)$", re.I
)
_API_OF: dict[str, str] = {"trader": "td", "mduser": "md"}


class ApiLibError(RuntimeError):
    """The libraries cannot be found or changed; the message says why (Chinese)."""


@dataclass(frozen=True)
class ApiLibrary:
    """One vendored API library: ``api`` is "td" or "md"; ``shipped_sha256`` comes from RECORD
    (None when the install has no RECORD entry for it)."""

    api: str
    path: Path
    shipped_sha256: str | None


def api_of(name: str) -> str | None:
    """"td" / "md" for a SOPT API library file name, None for anything else."""
    match = _NAME.match(name)
    return _API_OF[match.group("api").lower()] if match else None


def default_site() -> Path:
    """The site-packages folder holding openctp_ctpopt (``CTPSOPT_APILIB_SITE`` overrides)."""
    override: str = os.environ.get(SITE_ENV, "")
    if override:
        return Path(override)
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ApiLibError(f"未安装 openctp-ctpopt（pip install openctp-ctpopt），找不到 {PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations))).parent


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_hashes(site: Path) -> dict[str, str]:
    """RECORD path (posix, relative to site) -> hex sha256, from openctp_ctpopt's dist-info."""
    hashes: dict[str, str] = {}
    for record in sorted(site.glob(f"{PACKAGE}-*.dist-info/RECORD")):
        for line in record.read_text(encoding="utf-8").splitlines():
            parts = line.rsplit(",", 2)
            if len(parts) == 3 and parts[1].startswith("sha256="):
                raw = parts[1][len("sha256=") :]
                padded = raw + "=" * (-len(raw) % 4)
                hashes[parts[0]] = base64.urlsafe_b64decode(padded).hex()
    return hashes


def find_libraries(site: Path) -> dict[str, ApiLibrary]:
    """The td and md libraries the installed openctp_ctpopt loads, keyed by "td" / "md"."""
    folder = site / LIBS_FOLDER
    if not folder.is_dir():
        raise ApiLibError(f"找不到 {folder}（openctp-ctpopt 未安装或不是官方 wheel）")
    hashes = record_hashes(site)
    found: dict[str, ApiLibrary] = {}
    for path in sorted(folder.iterdir()):
        api = api_of(path.name) if path.is_file() else None
        if api is None:
            continue
        if api in found:
            raise ApiLibError(f"{folder} 中有多个{API_WORDS[api]}库：{found[api].path.name}，{path.name}")
        shipped = hashes.get(f"{LIBS_FOLDER}/{path.name}")
        found[api] = ApiLibrary(api=api, path=path, shipped_sha256=shipped)
    missing = [API_WORDS[a] for a in APIS if a not in found]
    if missing:
        raise ApiLibError(f"{folder} 中缺少{'、'.join(missing)}库")
    return found
