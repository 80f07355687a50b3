"""Both notebooks run top to bottom, and are committed without outputs."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parents[1] / "hs_extract" / "starter" / "notebooks"
NAMES = ["01_explore_reports.ipynb", "02_warehouse.ipynb"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name, tmp_path, monkeypatch):
    # no credentials: the simulator; an empty demo dir: the warehouse notebook runs a short demo
    monkeypatch.delenv("HELPSCOUT_CLIENT_ID", raising=False)
    monkeypatch.delenv("HELPSCOUT_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("HS_DEMO_DIR", str(tmp_path / "demo"))
    monkeypatch.setenv("HS_DEMO_DAYS", "10")  # a complete week among them
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    if name.startswith("02"):
        assert (tmp_path / "demo" / "helpscout.db").exists()
        texts = "".join(
            str(o.get("data", {}).get("text/plain", ""))
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
        )
        assert "replies" in texts and "conversations_drilldown" in texts
    if name.startswith("01"):
        cell = next(c for c in nb.cells if "conversations_drilldown" in c.source)
        streams = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        # Jupyter without ipywidgets: the progress in text lines, to the last page
        bar = re.findall(r"conversations_drilldown: (\d+)/(\d+)", streams)
        assert bar and bar[-1][0] == bar[-1][1] and int(bar[-1][1]) > 1, streams
        hits = re.search(
            r"again: [\d,]+ conversations, (\d+) answers from the cache, 0 fetched", streams
        )
        assert hits and int(hits.group(1)) > 1, streams
