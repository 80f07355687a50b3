"""A run killed with SIGKILL, then run again, ends with the tables of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa
import yaml

from hs_extract.normalize import main_table, table_specs, tables_of
from hs_extract.pipeline import Job
from hs_extract.simulator import Simulator
from tests.pipeline_support import CUTOFF, Dest, hs_start, sim_source

REPORTS = [
    "company",
    "conversations_drilldown",
    "productivity_resolved",
    "happiness_ratings",
    {"name": "user", "users": [100001, 100002, 900001]},
    "conversations_busiest_times",
]


def config_dict(sim, dest: Dest, parquet) -> dict:
    return {
        "source": sim_source(sim, max_workers=3),
        "windows": {"start": "2026-10-10", "end": "2026-10-27", "size": "day", "lookback": 1},
        "reports": REPORTS,
        "destinations": {"sql": dest.sql(), "parquet": {"path": str(parquet)}},
    }


def hs_extract(*args: str) -> subprocess.Popen:
    return hs_start(*args, text=False)


def loaded_units(dest: Dest) -> int:
    try:
        return len(dest.state())
    except sa.exc.SQLAlchemyError:  # not created yet, or locked by the writer for a moment
        return 0


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_sigkill_then_rerun_equals_an_uninterrupted_run(kind, tmp_path):
    ref = Dest(kind, tmp_path / "ref")
    killed = ref.sibling(tmp_path, "killed") if kind == "postgres" else Dest(kind, tmp_path)
    with Simulator(seed=31, cutoff=CUTOFF, rate_limit=100_000, latency_ms=25) as sim:
        from hs_extract.pipeline import parse_config

        reference = Job(parse_config(config_dict(sim, ref, tmp_path / "ref_pq"))).open()
        assert reference.run().ok
        path = tmp_path / "cfg.yaml"
        path.write_text(yaml.safe_dump(config_dict(sim, killed, tmp_path / "pq")))
        total = len(reference.plan(full_refresh=True).units)
        proc = hs_extract("run", "--config", str(path), "--no-progress")
        deadline = time.time() + 60
        while loaded_units(killed) < total // 3 and time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"run ended before it could be killed: {proc.communicate()}")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        partial = loaded_units(killed)
        assert 0 < partial < total
        rerun = hs_extract("run", "--config", str(path), "--no-progress")
        _out, errs = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, errs.decode()
    assert loaded_units(killed) == total
    names = [
        t.name
        for r in (
            "company",
            "conversations_drilldown",
            "productivity_resolved",
            "happiness_ratings",
            "user",
            "conversations_busiest_times",
        )
        for t in tables_of(r)
    ]
    for name in names:
        assert killed.snapshot(name) == ref.snapshot(name), name
        assert killed.duplicates(name) == 0
    assert not list((tmp_path / "pq").rglob(".tmp-*"))
    # state agrees with the data: each state row counts its unit's rows in the main table
    main = {n: killed.table(n) for n in table_specs() if n in names}
    with killed.engine.connect() as c:
        for s in killed.state():
            t = main[main_table(s["report"])]
            n = c.execute(
                sa.select(sa.func.count())
                .select_from(t)
                .where(t.c.window_start == s["window_start"])
            ).scalar_one()
            if s["report"] != "user":  # user has three slices per window
                assert n == s["rows"], s
    ref.drop()
    killed.drop()
