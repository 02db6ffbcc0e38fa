"""Put user-supplied SOPT API libraries in place of openctp-ctpopt's, with a backup, and back.

The backup folder ``openctp_ctpopt.libs/ctpsopt-backup/`` holds the files as shipped and
``manifest.json``: file name -> {"api", "original_sha256", "source", "installed_sha256"}.
A second ``use`` keeps the first backup (the originals); ``restore`` puts them back and removes
the folder. Nothing is touched until both new libraries passed the checks.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layout import (
    API_WORDS,
    APIS,
    LIBS_FOLDER,
    ApiLibError,
    ApiLibrary,
    find_libraries,
    sha256_file,
)
from .probe import ProbeResult, probe_binding, probe_library

BACKUP_FOLDER: str = "ctpsopt-backup"
MANIFEST: str = "manifest.json"
BUSY_HINT: str = "（Windows 下请先关闭所有使用 openctp-ctpopt 的程序，如 VeighNa Trader）"


@dataclass(frozen=True)
class LibraryState:
    """What one vendored library is now: its file, hash, reported version, and whether it is the
    shipped file (by RECORD or the backup) or a replacement (``source`` then names where from)."""

    library: ApiLibrary
    sha256: str
    probe: ProbeResult
    original: bool | None  # None: no RECORD entry and no backup to compare with
    source: str = ""


def backup_dir(site: Path) -> Path:
    return site / LIBS_FOLDER / BACKUP_FOLDER


def read_manifest(site: Path) -> dict[str, dict[str, Any]]:
    path = backup_dir(site) / MANIFEST
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def library_states(site: Path, probe: bool = True) -> dict[str, LibraryState]:
    """Each API's library as it is now, keyed by "td" / "md" (``probe`` loads it in a child)."""
    manifest = read_manifest(site)
    states: dict[str, LibraryState] = {}
    for api, library in find_libraries(site).items():
        digest = sha256_file(library.path)
        entry = manifest.get(library.path.name, {})
        reference = entry.get("original_sha256") or library.shipped_sha256
        original = None if reference is None else digest == reference
        result = probe_library(library.path, api) if probe else ProbeResult(False, reason="未检查")
        source = str(entry.get("source", "")) if original is False else ""
        states[api] = LibraryState(library, digest, result, original, source)
    return states


def _check_candidates(sources: dict[str, Path]) -> dict[str, ProbeResult]:
    results: dict[str, ProbeResult] = {}
    for api, path in sources.items():
        result = probe_library(path, api)
        if not result.ok:
            raise ApiLibError(f"拒绝替换：{API_WORDS[api]}库 {path} 无法使用：{result.reason}（未做任何修改）")
        results[api] = result
    return results


def _replace(target: Path, source: Path) -> None:
    """Copy ``source`` over ``target`` through a temporary file in the same folder."""
    temp = target.with_name(f".{target.name}.ctpsopt-new")
    shutil.copyfile(source, temp)
    shutil.copymode(target, temp)
    try:
        temp.replace(target)
    except OSError:
        temp.unlink(missing_ok=True)
        raise


def use_libraries(site: Path, td_source: Path, md_source: Path) -> dict[str, ProbeResult]:
    """Check both libraries in child processes, back up the shipped files, put the new ones in
    place and check that openctp_ctpopt loads them (else roll back). Returns the versions."""
    sources = {"td": td_source.resolve(), "md": md_source.resolve()}
    libraries = find_libraries(site)
    checked = _check_candidates(sources)
    folder = backup_dir(site)
    folder.mkdir(exist_ok=True)
    manifest = read_manifest(site)
    for api in APIS:
        library = libraries[api]
        name = library.path.name
        if name not in manifest:  # keep the first backup: those are the shipped files
            shutil.copy2(library.path, folder / name)
            manifest[name] = {"api": api, "original_sha256": sha256_file(folder / name)}
    done: list[str] = []
    try:
        for api in APIS:
            _replace(libraries[api].path, sources[api])
            done.append(api)
            entry = manifest[libraries[api].path.name]
            entry["source"] = str(sources[api])
            entry["installed_sha256"] = sha256_file(sources[api])
        loaded = probe_binding(site)
        failed = [f"{API_WORDS[a]}：{r.reason}" for a, r in loaded.items() if not r.ok]
        if failed:
            raise ApiLibError("替换后 openctp_ctpopt 无法加载，已恢复原文件：" + "；".join(failed))
    except (OSError, ApiLibError) as exc:
        for api in done:
            name = libraries[api].path.name
            _replace(libraries[api].path, folder / name)
            manifest[name].pop("source", None)
            manifest[name].pop("installed_sha256", None)
        _finish(folder, manifest)
        if isinstance(exc, ApiLibError):
            raise
        raise ApiLibError(f"替换失败，已恢复原文件：{exc}{BUSY_HINT if sys.platform == 'win32' else ''}") from exc
    _finish(folder, manifest)
    return checked


def _finish(folder: Path, manifest: dict[str, dict[str, Any]]) -> None:
    """Write the manifest, or remove the backup when nothing is replaced any more."""
    if any("source" in entry for entry in manifest.values()):
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        shutil.rmtree(folder, ignore_errors=True)


def restore_libraries(site: Path) -> list[str]:
    """Put the backed-up shipped libraries back; returns the restored file names."""
    folder = backup_dir(site)
    manifest = read_manifest(site)
    if not manifest:
        raise ApiLibError("没有备份：当前使用的就是 openctp-ctpopt 自带的库")
    restored: list[str] = []
    for name, entry in sorted(manifest.items()):
        backup = folder / name
        if sha256_file(backup) != entry.get("original_sha256"):
            raise ApiLibError(f"备份文件 {backup} 已损坏（哈希不符）；请重新安装 openctp-ctpopt")
        target = site / LIBS_FOLDER / name
        try:
            _replace(target, backup)
        except OSError as exc:
            raise ApiLibError(f"无法恢复 {target}：{exc}{BUSY_HINT}") from exc
        restored.append(name)
    shutil.rmtree(folder)
    return restored
