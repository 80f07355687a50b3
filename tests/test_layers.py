"""The suite sorts itself into layers (conftest.py): ``make test-fast`` leaves out what needs
the PostgreSQL server, DuckDB, a process of its own, Dagster, a bucket emulator or a crash
campaign, read off each test's code, never marked by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = "not postgres and not duckdb and not subprocess and not slow"


def collected(expression: str | None = None) -> set[str]:
    args = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    if expression:
        args += ["-m", expression]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if line.startswith("tests/")}


def test_the_fast_layer_leaves_out_servers_processes_and_campaigns():
    everything, fast = collected(), collected(FAST)
    assert 0.5 < len(fast) / len(everything) < 0.95, (len(fast), len(everything))
    pipeline = (
        "tests/test_pipeline.py::test_all_reports_load_every_table_and_a_rerun_changes_nothing"
    )
    assert f"{pipeline}[sqlite]" in fast  # the SQLite pipeline stays
    assert f"{pipeline}[postgres]" not in fast and f"{pipeline}[duckdb]" not in fast
    assert any(t.startswith("tests/test_planner.py::") for t in fast)
    assert any(t.startswith("tests/test_client_requests.py::") for t in fast)
    for left_out in (
        "test_crash_points.py",
        "test_notebooks.py::test_notebook_executes",
        "test_overlap.py",
        "test_pipeline_crash.py",
        "test_layers.py",
    ):
        assert not any(left_out in t for t in fast), left_out


def test_each_marker_comes_from_what_the_test_uses():
    postgres, processes = collected("postgres"), collected("subprocess")
    assert all("sqlite" not in t.rpartition("[")[2] for t in postgres if "[" in t)
    assert "tests/test_archive.py::test_rebuild_in_postgres_equals_the_run" in postgres
    assert any("test_overlap.py::test_a_killed_holder" in t for t in processes)
    assert any("test_notebook_executes" in t for t in processes)
