"""The incremental pipeline against the simulator, into SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from hs_extract.api.retry import RetryConfig
from hs_extract.normalize import table_specs
from hs_extract.pipeline import Job
from hs_extract.simulator import Faults, Simulator
from tests.pipeline_support import CUTOFF, Dest, make_config

FAST = RetryConfig(max_attempts=10, backoff_base=0.01, backoff_cap=0.05)
#: tables the simulator never fills (its user drilldown, like the doc's, has no customerIds)
ALWAYS_EMPTY = {"user_drilldown__customer_ids"}


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 21}


def pipeline(sim, config, **kw) -> Job:
    return Job(config, client=sim.client(retry=FAST), **kw).open()


def report_requests(sim) -> int:
    return sim.log.count("/v2/reports/")


def test_all_reports_load_every_table_and_a_rerun_changes_nothing(sim, dest, tmp_path):
    # compare_previous: the summaries' previous rows and their __deltas tables too
    config = make_config(sim, dest, parquet=tmp_path / "pq", windows={"compare_previous": True})
    p = pipeline(sim, config)
    first = p.run()
    assert first.ok, (first.failures, first.denied)
    assert first.units_loaded == len(first.plan.units) > 7 * 32
    snap = {}
    for name in table_specs():
        n = dest.count(name)
        assert n > 0 or name in ALWAYS_EMPTY, name
        assert dest.duplicates(name) == 0, name
        frame = pd.read_parquet(tmp_path / "pq" / name)
        assert len(frame) == n, name
        snap[name] = dest.snapshot(name)
    assert len(dest.state()) == first.units_loaded
    # a second run reloads only the lookback windows (2 of 7) and changes nothing
    second = pipeline(sim, config).run()
    assert second.ok
    assert {u.window.label for u in second.plan.units} == {"2026-10-25", "2026-10-26"}
    for name in table_specs():
        assert dest.snapshot(name) == snap[name], name
        assert len(pd.read_parquet(tmp_path / "pq" / name)) == len(snap[name]), name


def test_drilldown_and_series_match_the_simulator(sim, tmp_path):
    dest = Dest("sqlite", tmp_path)
    config = make_config(
        sim,
        dest,
        reports=["conversations_drilldown", "productivity_resolved", "company_customers_helped"],
    )
    assert pipeline(sim, config).run().ok
    client = sim.client()
    drill = dest.snapshot("conversations_drilldown")
    resolved = dest.snapshot("productivity_resolved")
    cols = [
        c.name
        for c in dest.table("productivity_resolved").columns
        if c.name not in ("extracted_at", "run_id")
    ]
    by_day = {r[cols.index("date")]: r[cols.index("resolved")] for r in resolved}
    for day in range(20, 27):
        start, end = dt.date(2026, 10, day), dt.date(2026, 10, day + 1)
        page = client.get_conversations_drilldown(start_date=start, end_date=end, rows=1)
        rows = [r for r in drill if r[0] == dt.datetime(2026, 10, day)]
        assert len(rows) == page["conversations"]["count"] > 0
        api = client.get_productivity_resolved(start_date=start, end_date=end, view_by="day")
        assert by_day[dt.datetime(2026, 10, day)] == api["current"][0]["resolved"]
    assert len(resolved) == 7


def test_plan_counts_the_requests_the_run_makes(sim, tmp_path):
    dest = Dest("sqlite", tmp_path)
    config = make_config(sim, dest)
    p = pipeline(sim, config)
    plan = p.plan()
    before = report_requests(sim)
    result = p.run()
    made = report_requests(sim) - before
    assert result.ok
    extra_pages = result.pages - len(plan.requests)
    assert made == len(plan.requests) + extra_pages
    # where every window fits one page, the run makes exactly the planned requests
    with Simulator(seed=21, cutoff=CUTOFF, rate_limit=100_000, volume=10) as quiet:
        small = make_config(
            quiet,
            Dest("sqlite", tmp_path / "small"),
            reports=[
                "company",
                "conversations_drilldown",
                "productivity_resolved",
                "conversations_busiest_times",
            ],
        )
        q = pipeline(quiet, small)
        planned = len(q.plan().requests)
        assert q.run().ok
        assert report_requests(quiet) == planned == 7 + 7 + 1 + 7


def test_faults_give_the_same_tables_as_a_clean_run(sim, dest, tmp_path):
    clean = make_config(
        sim,
        dest,
        reports=[
            "company",
            "conversations_drilldown",
            "user",
            "productivity_response_time",
            "happiness_ratings",
        ],
    )
    assert pipeline(sim, clean).run().ok
    faults = Faults(rate=0.3, kinds=("500", "503", "reset", "truncate", "cutjson"))
    with Simulator(seed=21, cutoff=CUTOFF, rate_limit=100_000, faults=faults) as faulty:
        other = dest.sibling(tmp_path, "faulty")
        try:
            config = make_config(
                faulty,
                other,
                reports=[
                    "company",
                    "conversations_drilldown",
                    "user",
                    "productivity_response_time",
                    "happiness_ratings",
                ],
            )
            result = pipeline(faulty, config).run()
            assert result.ok, result.failures
            assert {e.fault for e in faulty.log.snapshot()} >= {"500", "reset", "cutjson"}
            for name in (
                "company",
                "conversations_drilldown",
                "conversations_drilldown__tags",
                "user_overall",
                "user_overall__profile",
                "productivity_response_time",
                "happiness_ratings",
            ):
                assert other.snapshot(name) == dest.snapshot(name), name
        finally:
            other.drop() if dest.kind == "sqlite" else None


def test_full_refresh_and_state_reset(sim, tmp_path):
    dest = Dest("sqlite", tmp_path)
    config = make_config(sim, dest, reports=["company", "productivity_resolved"])
    p = pipeline(sim, config)
    assert len(p.run().plan.units) == 14
    assert len(p.run().plan.units) == 4  # lookback 2 × 2 reports
    full = p.run(full_refresh=True)
    assert len(full.plan.units) == 14
    assert {r["run_id"] for r in dest.state()} == {full.run_id}
    assert p.state.reset(["company"]) == 7
    after = p.run()
    assert sorted({u.report for u in after.plan.units}) == ["company", "productivity_resolved"]
    assert sum(1 for u in after.plan.units if u.report == "company") == 7
    assert dest.count("company") == 7 and dest.duplicates("company") == 0


def test_a_403_names_the_report_and_the_rest_loads(tmp_path):
    with Simulator(seed=21, cutoff=CUTOFF, faults=Faults(deny=frozenset({"docs", "chat"}))) as s:
        dest = Dest("sqlite", tmp_path)
        config = make_config(s, dest, reports=["docs", "chat", "company", "happiness"])
        result = pipeline(s, config).run()
        assert not result.ok and set(result.denied) == {"docs", "chat"}
        assert "Access denied" in result.denied["docs"]
        assert dest.count("company") == 7 and dest.count("happiness") == 7
        # the denied reports were asked once each, then skipped
        assert s.log.count("/v2/reports/docs") <= 4


def test_parquet_only_keeps_state_in_json(sim, tmp_path):
    config = make_config(
        sim,
        None,
        parquet=tmp_path / "pq",
        reports=["company", {"name": "user_drilldown", "users": [100001, 900001]}],
    )
    p = pipeline(sim, config)
    first = p.run()
    assert first.ok and (tmp_path / "pq" / "_state.json").exists()
    again = pipeline(sim, config).run()
    assert len(again.plan.units) == 2 * (1 + 2)
    frame = pd.read_parquet(tmp_path / "pq" / "user_drilldown")
    assert frame.duplicated(["window_start", "user_id", "id"]).sum() == 0
    assert set(frame["user_id"]) == {100001, 900001}
    assert (tmp_path / "pq" / "_runs.jsonl").read_text().count("\n") == 2
    assert not list((tmp_path / "pq").rglob(".tmp-*"))
