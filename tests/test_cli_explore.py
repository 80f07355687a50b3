"""hs-extract reports, fetch, demo and --help; the configs in configs/ are valid."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.pipeline import load_config

ROOT = Path(__file__).parents[1]


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_reports_lists_all_32():
    res = run("reports")
    assert res.exit_code == 0
    assert "conversations_received_message_stats" in res.output and "user_chat" in res.output
    assert "/v2/reports/user/ratings" in res.output and "user*" in res.output


def test_fetch_json_from_the_simulator():
    res = run(
        "fetch",
        "happiness",
        "--simulator",
        "--start-date",
        "2025-03-03",
        "--end-date",
        "2025-03-10",
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert body["current"]["ratingsCount"] > 0 and "previous" not in body


def test_fetch_all_pages_and_csv():
    res = run(
        "fetch",
        "conversations_drilldown",
        "--simulator",
        "--start-date",
        "2025-03-03",
        "--end-date",
        "2025-03-10",
        "--all-pages",
    )
    pages = json.loads(res.output)
    assert len(pages) > 1 and len({p["conversations"]["page"] for p in pages}) == len(pages)
    res = run(
        "fetch",
        "productivity",
        "--simulator",
        "--start-date",
        "2025-03-03",
        "--format",
        "csv",
        "--table",
        "productivity__ranges",
    )
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("window_start,window_end") and "histogram" in lines[0]
    assert len(lines) > 10


def test_fetch_bad_parameters_exit_2():
    res = run("fetch", "conversations_drilldown", "--simulator", "--rows", "51")
    assert (
        res.exit_code == 2
        and "rows='51' is invalid; allowed: an integer from 1 to 50" in res.output
    )
    res = run("fetch", "conversation", "--simulator")
    assert res.exit_code == 2 and "did you mean conversations" in res.output


def test_fetch_without_credentials_says_how(monkeypatch):
    monkeypatch.delenv("HELPSCOUT_CLIENT_ID", raising=False)
    res = run("fetch", "company")
    assert (
        res.exit_code == 2 and "set HELPSCOUT_CLIENT_ID and HELPSCOUT_CLIENT_SECRET" in res.output
    )


def test_demo_into_a_directory(tmp_path):
    res = run("demo", "--out", str(tmp_path / "d"), "--days", "2")
    assert res.exit_code == 0, res.output
    assert "What landed" in res.output and "conversations_drilldown__tags" in res.output
    assert (tmp_path / "d" / "overview.png").stat().st_size > 30_000
    frame = pd.read_parquet(tmp_path / "d" / "parquet" / "company")
    days = frame[frame["grain"] == "day"]  # and weeks, when a whole one is among the days
    assert set(frame["grain"]) <= {"day", "week"}
    # the demo compares with the previous window: previous rows and the deltas table
    assert set(days["period"]) == {"current", "previous"} and days["window_start"].nunique() == 2
    deltas = pd.read_parquet(tmp_path / "d" / "parquet" / "company__deltas")
    assert len(deltas[deltas["grain"] == "day"]) == 2


def test_the_demo_chart_leaves_a_notebooks_backend_alone(tmp_path):
    # plotting through pyplot switched the kernel to Agg: the notebook's later charts vanished
    import matplotlib

    from hs_extract.cli.demo import run_demo

    before = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        result = run_demo(tmp_path / "d", days=9)
        assert result.chart is not None and result.chart.stat().st_size > 30_000
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)


@pytest.mark.parametrize(
    "command", ["reports", "fetch", "demo", "run", "plan", "state", "simulate", "tables"]
)
def test_every_command_has_help_with_examples(command):
    res = run(command, "--help")
    assert res.exit_code == 0 and "Usage:" in res.output
    if command not in ("reports", "state"):
        assert "Examples:" in res.output, command


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "configs").glob("*.yaml")))
def test_shipped_configs_are_valid(name, monkeypatch):
    for var in ("HELPSCOUT_CLIENT_ID", "HELPSCOUT_CLIENT_SECRET", "PGPASSWORD"):
        monkeypatch.setenv(var, "x")
    config = load_config(ROOT / "configs" / name)
    assert len(config.reports) == 32
