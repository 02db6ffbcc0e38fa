"""ruff and mypy are part of the test suite."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from import_graph import cycles, import_graph

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_cycles_in_the_package() -> None:
    """Any import between two modules of vnpy_ctpsopt counts, TYPE_CHECKING and function-local
    ones included; a cycle fails with its path."""
    found = cycles(import_graph(ROOT / "vnpy_ctpsopt"))
    assert found == [], "\n".join(" -> ".join(cycle) for cycle in found)


def plant(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root / "pkg"


@pytest.mark.parametrize(
    ("closing", "kind"),
    [
        ("from ..a import A\n", "module level, relative"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n", "TYPE_CHECKING"),
        ("def f():\n    import pkg.a\n    return pkg.a.A\n", "function-local, absolute"),
        ("from .. import a\n", "parent-relative module import"),
    ],
)
def test_the_checker_finds_a_planted_cycle(tmp_path: Path, closing: str, kind: str) -> None:
    """pkg.a -> pkg.sub.b -> pkg.c -> pkg.sub.d -> back to pkg.a, where d's import of a is
    written in each way an import can be written."""
    package = plant(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .sub.b import B\nA = 1\n",
            "pkg/sub/b.py": "from ..c import C\nB = 2\n",  # pkg/sub is a namespace package
            "pkg/c.py": "import os\nC = 3\n",
            "pkg/sub/d.py": closing,
        },
    )
    assert cycles(import_graph(package)) == [], kind  # d is imported by no one yet
    (package / "c.py").write_text("from .sub import d\nC = 3\n", encoding="utf-8")
    found = cycles(import_graph(package))
    assert found == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.sub.d", "pkg.a"]], (kind, found)


def test_the_checker_accepts_diamonds_and_outside_imports(tmp_path: Path) -> None:
    package = plant(
        tmp_path,
        {
            "pkg/__init__.py": "from .top import T\n",
            "pkg/top.py": "from . import left, right\nimport json\nT = 0\n",
            "pkg/left.py": "from .base import X\n",
            "pkg/right.py": "from pkg.base import X\nfrom typing import TYPE_CHECKING\n",
            "pkg/base.py": "from collections import abc\nX = 1\n",
        },
    )
    graph = import_graph(package)
    assert graph == {
        "pkg": {"pkg.top"},
        "pkg.top": {"pkg.left", "pkg.right"},
        "pkg.left": {"pkg.base"},
        "pkg.right": {"pkg.base"},
        "pkg.base": set(),
    }
    assert cycles(graph) == []
