"""The notebooks run (nbclient, the venv's python as kernel, this checkout on its PYTHONPATH),
produce their figures, and are committed without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "notebooks"
FIGURES = {
    "option_chain_smile.ipynb": ["smile.html"],
    "portfolio_greeks.ipynb": ["portfolio_greeks.html"],
    "backtest_covered_call.ipynb": ["covered_call_premium.html", "backtest.html"],
}


def test_committed_notebooks_have_no_outputs() -> None:
    found = sorted(p.name for p in FOLDER.glob("*.ipynb"))
    assert found == sorted(FIGURES)
    for path in FOLDER.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_notebook_executes_and_writes_its_figures(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "figures"
    monkeypatch.setenv("CTPSOPT_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))  # fmt: skip
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    nb = nbformat.read(FOLDER / name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(FOLDER)}})  # fmt: skip
    client.execute()  # raises CellExecutionError with the cell's traceback on any error
    for figure in FIGURES[name]:
        html = (out / figure).read_text(encoding="utf-8")
        assert "plotly" in html.lower() and len(html) > 1000, figure
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
