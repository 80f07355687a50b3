"""One run at a time per destination: overlapping runs, queued runs, a killed lock holder."""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import time

import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa
import yaml

from hs_extract.load.keys import unit_id, unit_key
from hs_extract.normalize import main_table, tables_of
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import Dest, destination, hs_run, hs_start, sim_source

REPORTS = ["company", "conversations_drilldown", "productivity_resolved", "happiness_ratings"]
NAMES = sorted({t.name for r in REPORTS for t in tables_of(r)})
#: exit status of a run that found the destination held by another run
LOCKED = 75
HOLDER = re.compile(r"pid \d+ on host \S+ since \d{4}-\d\d-\d\dT")


# answers slow enough that a run lasts seconds: two runs started together overlap
#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 51, "latency_ms": 40}


@pytest.fixture(params=["postgres", "sqlite", "duckdb", "parquet"])
def target(request, tmp_path):
    """(kind, Dest or None, parquet path or None)."""
    kind = request.param
    if kind == "parquet":
        yield kind, None, tmp_path / "pq"
        return
    with destination(kind, tmp_path) as dest:
        yield kind, dest, None


def config(sim, dest, parquet) -> dict:
    destinations = {}
    if dest is not None:
        destinations["sql"] = dest.sql()
    if parquet is not None:
        destinations["parquet"] = {"path": str(parquet)}
    return {
        "source": sim_source(sim, max_workers=2),
        # every round reloads a week: runs long enough to meet even on a loaded machine
        "windows": {"start": "2026-10-10", "end": "2026-10-24", "lookback": 7},
        "reports": REPORTS,
        "destinations": destinations,
    }


def start(path, *extra: str) -> subprocess.Popen:
    return hs_start("run", "--config", path, "--no-progress", *extra)


def finish(*procs: subprocess.Popen) -> list[tuple[int, str]]:
    out = []
    for p in procs:
        _, err = p.communicate(timeout=240)
        out.append((p.returncode, err))
    return out


def check_consistent(sim, dest, parquet, raw=None) -> None:
    """No duplicate key, and state equal to the data, unit by unit."""
    cfg = parse_config(raw or config(sim, dest, parquet))
    planned = Job(cfg).plan(full_refresh=True).units
    if dest is not None:
        for name in NAMES:
            assert dest.duplicates(name) == 0, name
        states = dest.state()
        assert len(states) == len(planned)
        with dest.engine.connect() as c:
            for s in states:
                t = dest.table(main_table(s["report"]))
                unit = type("U", (), {"report": s["report"], "slice_key": s["slice"]})()
                start_ = s["window_start"]  # SQLite gives it back naive: it is UTC
                unit.window = (start_ if start_.tzinfo else start_.replace(tzinfo=dt.UTC),)
                n = c.execute(
                    sa.select(sa.func.count()).select_from(t).where(t.c._unit == unit_key(unit))
                ).scalar_one()
                assert n == s["rows"], s
    else:
        units = json.loads((parquet / "_state.json").read_text())["units"]
        assert len(units) == len(planned)
        for s in units.values():
            start_ = dt.datetime.fromisoformat(s["window_start"])
            uid = unit_id(s["report"], s["slice"], start_)
            files = list((parquet / main_table(s["report"])).glob(f"window_date=*/{uid}.parquet"))
            assert len(files) == 1, s
            assert ds.dataset(files[0], format="parquet").count_rows() == s["rows"], s
        assert not list(parquet.rglob(".tmp-*"))


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_two_runs_started_together_one_runs_the_other_says_who_holds_it(sim, target, tmp_path):
    _kind, dest, parquet = target
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, dest, parquet)))
    for _round in range(3):  # a fresh destination (CREATE SCHEMA races too), then loaded ones
        results = finish(start(path), start(path))
        codes = sorted(code for code, _ in results)
        assert codes == [0, LOCKED], results
        line = one_line(next(err for code, err in results if code == LOCKED))
        assert "another hs-extract run" in line and HOLDER.search(line), line
        assert socket.gethostname() in line
        check_consistent(sim, dest, parquet)


def test_two_full_refreshes_started_together(sim, target, tmp_path):
    _kind, dest, parquet = target
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, dest, parquet)))
    assert finish(start(path))[0][0] == 0
    results = finish(start(path, "--full-refresh"), start(path, "--full-refresh"))
    assert sorted(code for code, _ in results) == [0, LOCKED], results
    check_consistent(sim, dest, parquet)


def wait_until_loading(dest, parquet, proc, timeout=60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the run ended first: {proc.communicate()}")
        if dest is not None and dest.kind == "duckdb":
            # opening the file would race the run for DuckDB's lock on it (and fail it now and
            # then): the write-ahead log the run's first commit writes says as much
            wal = pathlib.Path(f"{dest.engine.url.database}.wal")
            if wal.exists() and wal.stat().st_size > 0:
                return
        elif dest is not None:
            try:
                if dest.state():
                    return
            except sa.exc.SQLAlchemyError:
                pass
        if parquet is not None and any(parquet.glob("*/window_date=*/*.parquet")):
            return
        time.sleep(0.05)
    pytest.fail("the run never started loading")


def test_a_killed_holder_frees_the_destination_at_once(sim, target, tmp_path):
    _kind, dest, parquet = target
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, dest, parquet)))
    holder = start(path)
    wait_until_loading(dest, parquet, holder)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    began = time.monotonic()
    [(code, err)] = finish(start(path))
    assert code == 0, err
    assert time.monotonic() - began < 60
    check_consistent(sim, dest, parquet)


def hs(*args: str) -> subprocess.CompletedProcess:
    return hs_run(*args, timeout=120)


def test_wait_queues_behind_the_holder_and_read_only_commands_need_no_lock(sim, tmp_path):
    dest = Dest("sqlite", tmp_path)
    path = tmp_path / "cfg.yaml"
    raw = config(sim, dest, None)
    raw["windows"]["start"] = "2026-08-01"  # a long run: the other commands meet it
    path.write_text(yaml.safe_dump(raw))
    holder = start(path)
    wait_until_loading(dest, None, holder)
    reset = hs("state", "reset", "--config", str(path), "--yes")
    assert reset.returncode == LOCKED and HOLDER.search(reset.stderr), reset.stderr
    queued = start(path, "--wait", "300")
    for command in (["plan"], ["state", "show"]):
        done = hs(*command, "--config", str(path))
        assert done.returncode == 0, done.stderr
    assert holder.poll() is None, "the holder ended before the read-only commands"
    results = finish(holder, queued)
    assert [code for code, _ in results] == [0, 0], results
    check_consistent(sim, dest, None, raw)
    dest.drop()


def test_a_read_outside_a_run_lets_go_of_the_duckdb_file(sim, tmp_path):
    # CI, 2026-12-01: a plan() in the test process kept its pooled DuckDB connection, so the
    # next run's process could not open the file ("Could not set lock on file")
    dest = Dest("duckdb", tmp_path)
    path = tmp_path / "cfg.yaml"
    raw = config(sim, dest, None)
    path.write_text(yaml.safe_dump(raw))
    assert finish(start(path))[0][0] == 0
    reader = Job(parse_config(raw))
    assert reader.plan().units is not None  # reads state, outside any run
    assert reader.dest.loaded()
    [(code, err)] = finish(start(path))
    assert code == 0, err
    reader.close()
    dest.drop()
