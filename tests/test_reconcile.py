"""Reconciliation: what the API said a unit holds against what landed, and Help Scout's numbers
that are meant to agree.

The simulator is made (through a mangling proxy) to drop one result from a drilldown page: the
mismatch is in the run's summary, in ``_hs_extract_state`` and in ``check``. A conversations
summary and histogram counts changed on the way show in ``check --reconcile``: a report, not a
failure (exit 0).
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.pipeline.reconcile import reconcile
from hs_extract.simulator import Simulator
from tests.pipeline_support import CUTOFF, Dest, sim_source
from tests.proxy import MangleProxy

WINDOW = "2026-10-21"


def config(base_url, sim, tmp_path, dest: Dest, reports) -> str:
    cfg = {
        "source": {**sim_source(sim, max_workers=2), "base_url": base_url},
        "windows": {"start": "2026-10-20", "end": "2026-10-24", "size": "day"},
        "reports": reports,
        "destinations": {"sql": dest.sql(), "parquet": {"path": str(tmp_path / "pq")}},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def flat(text: str) -> str:
    return " ".join(text.split())


def drop_one_result(path, query, n, payload):
    """The first page of one window's drilldown comes back one result short."""
    drilldown = path.endswith("/conversations/drilldown")
    if drilldown and query["start"].startswith(WINDOW) and query.get("page") == "1":
        payload["conversations"]["results"].pop()
    return payload


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_dropped_result_is_in_the_summary_the_state_and_check(tmp_path, kind):
    dest = Dest(kind, tmp_path)
    try:
        with (
            Simulator(seed=23, cutoff=CUTOFF, rate_limit=100_000) as sim,
            MangleProxy(sim.base_url, drop_one_result) as proxy,
        ):
            path = config(proxy.base_url, sim, tmp_path, dest, ["conversations_drilldown"])
            res = CliRunner().invoke(main, ["run", "--config", path, "--no-progress"])
            assert res.exit_code == 0, res.output  # a warning, not a failure
            states = {s["window_start"].strftime("%Y-%m-%d"): s for s in dest.state()}
            off = states[WINDOW]
            assert off["expected_rows"] == off["rows"] + 1 and off["pages"] >= 1
            assert all(s["expected_rows"] == s["rows"] for d, s in states.items() if d != WINDOW)
            expected, landed = off["expected_rows"], off["rows"]
            line = (
                f"reconcile: conversations_drilldown {WINDOW}: the API said {expected} "
                f"results, {landed} landed"
            )
            assert line in flat(res.output)
            runs = dest.table("_hs_extract_runs")
            with dest.engine.connect() as c:
                assert c.execute(runs.select()).one()._mapping["mismatches"] == 1
            res = CliRunner().invoke(main, ["check", "--config", path, "--format", "json"])
        assert res.exit_code == 0, res.output
        state = next(c for c in json.loads(res.output)["checks"] if c["check"] == "state")
        assert state["status"] == "note"
        assert state["detail"].startswith("1 of 4 units differ: conversations_drilldown ")
        assert f"{WINDOW}: the API said {expected} results, {landed} landed" in state["detail"]
    finally:
        dest.drop()


def skewed(path, query, n, payload):
    """One window's summary says 5 more new conversations; one histogram count is 1 off."""
    if not query.get("start", "").startswith(WINDOW):
        return payload
    if path == "/v2/reports/conversations":
        payload["current"]["newConversations"] += 5
    if path == "/v2/reports/productivity":
        payload["responseTime"]["count"] += 1
    return payload


def test_check_reconcile_shows_the_numbers_that_disagree(tmp_path):
    dest = Dest("sqlite", tmp_path)
    reports = ["conversations", "conversations_new_conversations", "productivity"]
    with (
        Simulator(seed=23, cutoff=CUTOFF, rate_limit=100_000) as sim,
        MangleProxy(sim.base_url, skewed) as proxy,
    ):
        path = config(proxy.base_url, sim, tmp_path, dest, reports)
        assert CliRunner().invoke(main, ["run", "--config", path, "--no-progress"]).exit_code == 0
        res = CliRunner().invoke(main, ["check", "--config", path, "--reconcile"])
        assert res.exit_code == 0, res.output  # differences are a report, not a failure
        assert "reconcile" in res.output and "everything is fine" in res.output
        res = CliRunner().invoke(
            main, ["check", "--config", path, "--reconcile", "--format", "json"]
        )
    checks = json.loads(res.output)["checks"]
    new, histo = [c for c in checks if c["check"] == "reconcile"]
    assert new["status"] == histo["status"] == "note"
    series = new["detail"].split(": 4 compared, 1 differ; ")
    assert (
        series[0] == "conversations newConversations = Σ conversations_new_conversations (windows)"
    )
    summary, buckets = (int(x.split()[-1]) for x in series[1].split(", "))
    assert series[1].startswith(f"{WINDOW}: conversations.new_conversations ")
    assert summary == buckets + 5
    assert histo["detail"].startswith(
        "productivity 4 histograms' count, previousCount = Σ their ranges: 32 compared, 1 differ; "
        f"{WINDOW} responseTime count: count "
    )


def test_reconcile_reads_parquet_alone_and_skips_what_is_not_loaded(tmp_path):
    with Simulator(seed=23, cutoff=CUTOFF, rate_limit=100_000) as sim:
        cfg = {
            "source": sim_source(sim),
            "windows": {"start": "2026-10-20", "end": "2026-10-22", "size": "day"},
            "reports": ["conversations", "conversations_new_conversations", "email"],
            "destinations": {"parquet": {"path": str(tmp_path / "pq")}},
        }
        path = tmp_path / "cfg.yaml"
        path.write_text(yaml.safe_dump(cfg))
        runner = CliRunner()
        assert runner.invoke(main, ["run", "--config", str(path), "--no-progress"]).exit_code == 0
        from hs_extract.pipeline import Job, load_config

        pipeline = Job(load_config(path))
        found = reconcile(pipeline.dest.frame, ["conversations", "conversations_new_conversations"])
        assert [(r.compared, len(r.differences)) for r in found] == [(2, 0)]
        found = reconcile(pipeline.dest.frame, ["chat"])  # configured nowhere: nothing loaded
        assert [str(r) for r in found] == [
            "chat 4 histograms' count, previousCount = Σ their ranges: no window holds both"
        ]
