"""Crash campaign: `hs-extract run` killed with SIGKILL at seeded failpoints, then run again.

Each case arms one failpoint (hs_extract/failpoints.py) for its n-th arrival — inside the
PostgreSQL transaction, while a Parquet file has only its temporary name, between a unit's
tables, before the JSON state is rewritten, after a commit — lets the process die there, checks
it died there, and runs again. Every re-run must end with tables identical to an uninterrupted
run, no duplicate keys, no temporary files, and state that agrees with the data. Some cases
start from a loaded destination and crash a ``--full-refresh``, so the replace path (delete,
then insert) is killed halfway too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import types

import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa
import yaml

from hs_extract.failpoints import POINTS
from hs_extract.load.archive import read_record
from hs_extract.load.keys import unit_id, unit_key
from hs_extract.load.storage import TMP_PREFIX
from hs_extract.normalize import main_table
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import VOLATILE, Dest, hs_run, sim_source, table_names

REPORTS = [
    "company",
    "conversations_drilldown",
    "happiness_ratings",
    "conversations_channel_volumes",
    {"name": "user", "users": [100001]},
]
NAMES = table_names(REPORTS)
#: failpoints reached once per loader batch: a run has at least two batches
PER_BATCH = {"sql.deleted", "sql.inserted", "sql.before_commit", "loader.committed"}


def cases(seed: int, count: int, points: list[str]) -> list[tuple[str, int, bool]]:
    """``count`` (failpoint, n-th arrival, start from a loaded destination), every point used."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        point = points[i % len(points)]
        n = rng.randint(1, 2) if point in PER_BATCH else rng.randint(1, 25)
        if point == "json_state.before_write":
            n = rng.randint(1, 2)
        out.append((point, n, rng.random() < 0.35))
    return out


SQL_POINTS = [p for p in POINTS if p != "json_state.before_write"]
JSON_POINTS = ["parquet.temp_written", "parquet.replaced", "json_state.before_write"]
#: ``make soak`` sets HS_CRASH_CASES for a longer campaign (and HS_CRASH_SEED for new points)
SCALE = max(1, int(os.environ.get("HS_CRASH_CASES", "20")) // 20)
SEED = int(os.environ.get("HS_CRASH_SEED", "2026"))
SQL_CASES = cases(SEED, 20 * SCALE, SQL_POINTS)
JSON_CASES = cases(SEED + 1, 6 * SCALE, JSON_POINTS)
#: PostgreSQL gets the long campaign; DuckDB the same points, fewer of them
KINDED_CASES = [("postgres", *c) for c in SQL_CASES] + [
    ("duckdb", *c) for c in cases(SEED + 2, 6 * SCALE, SQL_POINTS)
]


def config(sim, parquet, dest: Dest | None) -> dict:
    # the raw archive beside: its files are written (and killed) before each unit's state moves
    destinations = {
        "parquet": {"path": str(parquet)},
        "archive": {"path": str(archive_of(parquet))},
    }
    if dest is not None:
        destinations["sql"] = dest.sql()
    return {
        "source": sim_source(sim, max_workers=3),
        "windows": {"start": "2026-10-20", "end": "2026-10-26", "size": "day", "lookback": 1},
        "reports": REPORTS,
        "destinations": destinations,
    }


def archive_of(parquet):
    return parquet.parent / "archive"


def archived(parquet, state: dict) -> bool:
    """Whether the unit of a state record has its archive file (readable, of that unit)."""
    start = dt.datetime.fromisoformat(str(state["window_start"]))
    name = f"{unit_id(state['report'], state['slice'], start)}.json.zst"
    files = list(archive_of(parquet).glob(f"account-*/{state['report']}/*/{name}"))
    return len(files) == 1 and read_record(files[0])["report"] == state["report"]


def run_cli(path, *extra: str, failpoint: str | None = None) -> subprocess.CompletedProcess:
    env = {"HS_EXTRACT_FAILPOINT": failpoint} if failpoint else None
    return hs_run("run", "--config", path, "--no-progress", *extra, env=env, text=False)


def parquet_rows(path, name: str) -> list[tuple]:
    """A Parquet dataset's rows but the run-specific columns, sorted: comparable across runs."""
    folder = path / name
    if not folder.exists():
        return []
    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    table = table.drop_columns([c for c in table.column_names if c in VOLATILE])
    rows = [tuple(map(repr, r.values())) for r in table.to_pylist()]
    return sorted(rows)


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 41}


@pytest.fixture(scope="module")
def reference(sim, tmp_path_factory):
    """An uninterrupted run: its SQL tables (SQLite: values are the same in any database)
    and its Parquet datasets."""
    tmp = tmp_path_factory.mktemp("reference")
    dest = Dest("sqlite", tmp)
    assert Job(parse_config(config(sim, tmp / "pq", dest))).open().run().ok
    sql = {name: dest.snapshot(name) for name in NAMES}
    pq = {name: parquet_rows(tmp / "pq", name) for name in NAMES}
    dest.drop()
    return sql, pq


def crash_then_rerun(sim, tmp_path, dest, point, n, preloaded):
    parquet = tmp_path / "pq"
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, parquet, dest)))
    if preloaded:  # a loaded destination, then a full refresh killed halfway
        assert Job(parse_config(config(sim, parquet, dest))).open().run().ok
    killed = run_cli(path, *(["--full-refresh"] if preloaded else []), failpoint=f"{point}:{n}")
    assert killed.returncode == -signal.SIGKILL, (
        f"{point}:{n} was not reached: exit {killed.returncode}\n{killed.stderr.decode()}"
    )
    rerun = run_cli(path)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert not list(parquet.rglob(f"{TMP_PREFIX}*")), "temporary files left behind"
    assert not list(archive_of(parquet).rglob(f"{TMP_PREFIX}*")), "temporary archive files left"
    return parquet


def unit_of(state: dict) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        report=state["report"], slice_key=state["slice"], window=(state["window_start"],)
    )


@pytest.mark.parametrize(("kind", "point", "n", "preloaded"), KINDED_CASES)
def test_sigkill_at_a_failpoint_then_rerun_converges_sql(
    sim, reference, tmp_path, kind, point, n, preloaded
):
    dest = Dest(kind, tmp_path)
    try:
        parquet = crash_then_rerun(sim, tmp_path, dest, point, n, preloaded)
        ref_sql, ref_pq = reference
        for name in NAMES:
            assert dest.snapshot(name) == ref_sql[name], name
            assert dest.duplicates(name) == 0, name
            assert parquet_rows(parquet, name) == ref_pq[name], name
        # state agrees with the data: every planned unit, each counting its own rows
        plan = Job(parse_config(config(sim, parquet, dest))).plan(full_refresh=True)
        states = dest.state()
        assert len(states) == len(plan.units)
        with dest.engine.connect() as c:
            for s in states:
                t = dest.table(main_table(s["report"]))
                rows = c.execute(
                    sa.select(sa.func.count())
                    .select_from(t)
                    .where(t.c._unit == unit_key(unit_of(s)))
                ).scalar_one()
                assert rows == s["rows"], s
                assert archived(parquet, s), s  # the archive answers for every loaded unit
    finally:
        dest.drop()


@pytest.mark.parametrize(("point", "n", "preloaded"), JSON_CASES)
def test_sigkill_at_a_failpoint_then_rerun_converges_parquet_only(
    sim, reference, tmp_path, point, n, preloaded
):
    parquet = crash_then_rerun(sim, tmp_path, None, point, n, preloaded)
    _, ref_pq = reference
    for name in NAMES:
        assert parquet_rows(parquet, name) == ref_pq[name], name
    units = json.loads((parquet / "_state.json").read_text())["units"]
    plan = Job(parse_config(config(sim, parquet, None))).plan(full_refresh=True)
    assert len(units) == len(plan.units)
    for s in units.values():
        uid = unit_id(s["report"], s["slice"], dt.datetime.fromisoformat(s["window_start"]))
        files = list((parquet / main_table(s["report"])).glob(f"window_date=*/{uid}.parquet"))
        assert len(files) == 1, s
        assert ds.dataset(files[0], format="parquet").count_rows() == s["rows"], s
        assert archived(parquet, s), s


def test_the_campaign_covers_every_failpoint():
    used = {p for p, _, _ in SQL_CASES + JSON_CASES}
    assert used == set(POINTS)
    assert len(SQL_CASES) + len(JSON_CASES) >= 20
    assert any(pre for _, _, pre in SQL_CASES) and not all(pre for _, _, pre in SQL_CASES)
