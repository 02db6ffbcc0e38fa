"""``apilib show | use | restore`` on a copy of the installed openctp-ctpopt (the shared venv's
files are never touched): a valid replacement goes in and comes back out byte for byte, broken
files are refused with the reason and nothing changes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from vnpy_ctpsopt.apilib import describe_loaded, find_libraries, library_states
from vnpy_ctpsopt.apilib.layout import LIBS_FOLDER, PACKAGE, SITE_ENV, api_of, default_site
from vnpy_ctpsopt.apilib.swap import BACKUP_FOLDER
from vnpy_ctpsopt.cli import main


def installed_site() -> Path:
    try:
        site = default_site()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"openctp-ctpopt not installed: {exc}")
    if not (site / LIBS_FOLDER).is_dir():
        pytest.skip("openctp-ctpopt without vendored libraries")
    return site


def snapshot(site: Path) -> dict[str, str]:
    """Every file under the copied package folders -> sha256 (computed here, not by the tool)."""
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    source = installed_site()
    target = tmp_path / "site"
    target.mkdir()
    for entry in source.iterdir():
        if entry.name == PACKAGE or entry.name == LIBS_FOLDER or (
            entry.name.startswith(f"{PACKAGE}-") and entry.name.endswith(".dist-info")
        ):
            shutil.copytree(entry, target / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def shipped(site: Path, api: str) -> Path:
    (path,) = [p for p in (site / LIBS_FOLDER).iterdir() if api_of(p.name) == api]
    return path


def test_names_of_both_wheel_layouts() -> None:
    assert api_of("libsoptthosttraderapi_se-b8d80181.so") == "td"
    assert api_of("libsoptthostmduserapi_se-9ca6af46.so") == "md"
    assert api_of("soptthosttraderapi_se-097a7e395747b53e01ec9ea9a0f95594.dll") == "td"
    assert api_of("soptthostmduserapi_se-24943d06fa1eaf1d9f46699a3a694d1b.dll") == "md"
    assert api_of("_soptthosttraderapi.so") is None and api_of("libssl.so") is None


def test_show_names_files_hashes_and_versions(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apilib", "--site", str(site), "show"]) == 0
    out = capsys.readouterr().out
    for api in ("td", "md"):
        path = shipped(site, api)
        assert str(path) in out
        assert hashlib.sha256(path.read_bytes()).hexdigest() in out
    assert out.count("版本：v3.7.3") == 2 and out.count("原装") == 2


def test_use_a_valid_library_then_restore_is_byte_identical(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(site)
    # valid libraries that differ from the shipped ones: trailing bytes are ignored by loaders
    new = tmp_path / "new"
    new.mkdir()
    candidates: dict[str, Path] = {}
    for api in ("td", "md"):
        candidates[api] = new / f"{api}_custom.so"
        candidates[api].write_bytes(shipped(site, api).read_bytes() + b"\0evaluation build\0")
    monkeypatch.setenv(SITE_ENV, str(site))  # the environment variable instead of --site
    assert main(["apilib", "use", str(candidates["td"]), str(candidates["md"])]) == 0, capsys.readouterr()
    for api in ("td", "md"):
        assert shipped(site, api).read_bytes() == candidates[api].read_bytes()
    assert (site / LIBS_FOLDER / BACKUP_FOLDER).is_dir()
    states = library_states(site)
    assert all(s.original is False and s.probe.ok for s in states.values())
    assert states["td"].source == str(candidates["td"].resolve())
    assert "已替换" in describe_loaded(site)
    capsys.readouterr()
    assert main(["apilib", "show"]) == 0
    assert capsys.readouterr().out.count("已替换") == 2
    # a second use keeps the first backup (the shipped files)
    assert main(["apilib", "use", str(candidates["td"]), str(candidates["md"])]) == 0
    assert main(["apilib", "restore"]) == 0
    assert snapshot(site) == before
    assert main(["apilib", "restore"]) == 1  # nothing to restore
    assert "没有备份" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["truncated", "garbage", "wrong_api", "missing", "corrupt"])
def test_broken_libraries_are_refused_and_nothing_changes(
    site: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(site)
    td = shipped(site, "td")
    bad = tmp_path / f"{kind}.so"
    if kind == "truncated":
        bad.write_bytes(td.read_bytes()[: 64 * 1024])
        expected = "文件被截断"
    elif kind == "garbage":
        bad.write_text("this is not a library\n", encoding="utf-8")
        expected = "不是共享库文件"
    elif kind == "wrong_api":
        shutil.copy(shipped(site, "md"), bad)  # the md library offered as the td one
        expected = "GetApiVersion"
    elif kind == "corrupt":  # whole length, headers intact, the middle overwritten
        data = bytearray(td.read_bytes())
        data[4096:-4096] = bytes(len(data) - 8192)
        bad.write_bytes(bytes(data))
        expected = "无法使用"
    else:
        expected = "文件不存在"
    good_md = tmp_path / "md.so"
    shutil.copy(shipped(site, "md"), good_md)
    assert main(["apilib", "--site", str(site), "use", str(bad), str(good_md)]) == 1
    out = capsys.readouterr().out
    assert "拒绝替换" in out and expected in out and "未做任何修改" in out
    assert snapshot(site) == before
    assert not (site / LIBS_FOLDER / BACKUP_FOLDER).exists()


def test_missing_package_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apilib", "--site", str(tmp_path), "show"]) == 1
    assert "找不到" in capsys.readouterr().out
    assert "找不到" in describe_loaded(tmp_path)
    with pytest.raises(Exception, match="找不到"):
        find_libraries(tmp_path)
