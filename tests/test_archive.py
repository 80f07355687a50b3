"""The raw archive and ``hs-extract rebuild``: tables remade from it with zero API requests.

A run with ``destinations.archive`` keeps every answer as received (bodies, request path and
parameters, status, X-RateLimit-* headers, time; never a token). ``rebuild`` into fresh
destinations gives the tables the run made, and the simulator's log shows it asked nothing; a
SIGKILL during a rebuild converges on the next one; a window the archive lacks is named and
fetched by the next run.
"""

from __future__ import annotations

import json
import signal

import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner

from hs_extract.api.auth import account_id
from hs_extract.cli import main
from hs_extract.load.archive import Archive, read_record
from hs_extract.load.storage import TMP_PREFIX
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import Dest, hs_run, sim_source, table_names
from tests.test_crash_points import parquet_rows

REPORTS = [
    "company",
    "conversations",
    "conversations_new_conversations",
    "conversations_drilldown",
    "happiness_ratings",
    {"name": "user", "users": [100001, 900001]},
]
#: the dimension snapshots: compared as sets of rows (their order follows the lists)
SNAPSHOTS = {"users", "teams", "mailboxes", "tags"}
NAMES = [*table_names(REPORTS), *sorted(SNAPSHOTS)]


def config(sim, root, dest: Dest, archive) -> dict:
    return {
        "source": sim_source(sim, max_workers=3),
        "windows": {"start": "2026-10-20", "end": "2026-10-26", "size": "day", "lookback": 1},
        "reports": REPORTS,
        "destinations": {
            "parquet": {"path": str(root / "pq")},
            "sql": dest.sql(),
            "archive": {"path": str(archive)},
        },
    }


def write(cfg: dict, path) -> str:
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 17}


@pytest.fixture(scope="module")
def fetched(sim, tmp_path_factory):
    """One run with an archive: its SQL tables and Parquet datasets, and the archive."""
    root = tmp_path_factory.mktemp("fetched")
    dest = Dest("sqlite", root)
    archive = root / "archive"
    result = Job(parse_config(config(sim, root, dest, archive))).open().run()
    assert result.ok and result.units_loaded
    sql = {n: dest.snapshot(n) for n in NAMES}
    pq = {n: parquet_rows(root / "pq", n) for n in NAMES}
    return archive, sql, pq, result


def comparable(rows: list[tuple], name: str) -> list[tuple]:
    """Rows comparable across databases (``_extra`` is jsonb in PostgreSQL, text in SQLite)."""

    def value(v):
        if isinstance(v, str) and v.startswith("{"):
            return json.dumps(json.loads(v), sort_keys=True)
        return json.dumps(v, sort_keys=True) if isinstance(v, dict) else v

    rows = [tuple(value(v) for v in r) for r in rows]
    return rows if name not in SNAPSHOTS else sorted(rows, key=repr)


def account_archive(sim, archive) -> Archive:
    return Archive(archive, account_id(sim.base_url, sim.client_id))


def test_every_unit_is_archived_as_received_without_a_token(sim, fetched):
    archive, _, _, result = fetched
    files = list(account_archive(sim, archive).units())
    assert len(files) == len(result.plan.units)
    assert not list(archive.rglob(f"{TMP_PREFIX}*"))
    record = next(read_record(f) for f in files if "conversations_drilldown" in str(f))
    assert record["account"] == account_id(sim.base_url, sim.client_id)
    assert record["report"] == "conversations_drilldown"
    answer = record["answers"][0]
    assert answer["path"] == "/v2/reports/conversations/drilldown"
    assert answer["status"] == 200 and answer["query"]["page"] == "1"
    assert "X-RateLimit-Limit-Minute" in answer["rate_limit"]
    assert answer["received_at"].startswith("20")
    body = json.loads(answer["body"])
    assert body["conversations"]["page"] == 1
    everything = b"".join(pa.input_stream(str(f), compression="zstd").read() for f in files)
    assert sim.client_secret.encode() not in everything
    assert b"Bearer" not in everything and b"access_token" not in everything


def test_rebuild_into_fresh_destinations_equals_the_run_with_zero_requests(sim, fetched, tmp_path):
    archive, ref_sql, ref_pq, _ = fetched
    dest = Dest("sqlite", tmp_path)
    path = write(config(sim, tmp_path, dest, archive), tmp_path / "cfg.yaml")
    before = len(sim.log.snapshot())
    res = CliRunner().invoke(main, ["rebuild", "--config", path])
    assert res.exit_code == 0, res.output
    assert len(sim.log.snapshot()) == before  # not one request, not even a token
    assert "from the archive; requests 0" in res.output
    for name in NAMES:
        assert comparable(dest.snapshot(name), name) == comparable(ref_sql[name], name), name
        assert parquet_rows(tmp_path / "pq", name) == ref_pq[name], name


def test_rebuild_in_postgres_equals_the_run(sim, fetched, tmp_path):
    archive, ref_sql, _, _ = fetched
    dest = Dest("postgres", tmp_path)
    try:
        pipeline = Job(parse_config(config(sim, tmp_path, dest, archive))).open()
        result = pipeline.rebuild()
        assert result.ok and result.units_loaded == len(result.plan.units)
        for name in NAMES:
            assert comparable(dest.snapshot(name), name) == comparable(ref_sql[name], name), name
    finally:
        dest.drop()


def test_a_window_missing_from_the_archive_is_named_and_the_next_run_fetches_it(
    sim, fetched, tmp_path
):
    _, ref_sql, _, _ = fetched
    dest = Dest("sqlite", tmp_path)
    cfg = config(sim, tmp_path, dest, tmp_path / "archive")
    assert Job(parse_config(cfg)).open().run().ok  # the destination holds every window
    root = account_archive(sim, tmp_path / "archive").root
    (lost,) = (root / "company" / "2026-10-20").iterdir()
    lost.unlink()  # the archive lacks company's first window
    path = write(cfg, tmp_path / "cfg.yaml")
    res = CliRunner().invoke(main, ["rebuild", "--config", path, "--reports", "company"])
    assert res.exit_code == 1, res.output  # asked for and not rebuilt: loud, as a run
    assert "failed: company 2026-10-20: not in the archive (forgotten if loaded: the next run " in (
        " ".join(res.output.split())
    )
    plan = Job(parse_config(cfg)).plan(reports=["company"])
    assert [u.window.label for u in plan.units] == ["2026-10-20", "2026-10-25"]  # + lookback
    assert Job(parse_config(cfg)).open().run(reports=["company"]).ok
    assert dest.snapshot("company") == ref_sql["company"]


def test_units_archived_with_other_settings_are_not_used(sim, fetched, tmp_path):
    archive, ref_sql, _, _ = fetched
    dest = Dest("sqlite", tmp_path)
    cfg = config(sim, tmp_path, dest, archive)
    cfg["windows"]["compare_previous"] = True  # summaries now hold a previous period too
    pipeline = Job(parse_config(cfg)).open()
    result = pipeline.rebuild()
    assert not result.ok and result.exit_code == 1  # named, and loud
    summaries = {"company", "conversations", "user"}
    failed = {unit: why for unit, why in result.failures}
    assert {u.split()[0] for u in failed} == summaries
    assert "other settings" in failed["company 2026-10-20"]
    assert len(failed) == 4 * 6  # company, conversations, user × 2 slices; 6 days
    assert dest.snapshot("conversations_drilldown") == ref_sql["conversations_drilldown"]
    planned = {str(u) for u in Job(parse_config(cfg)).plan().units}
    assert set(failed) <= planned  # the next run fetches them (and its lookback day)
    assert {u.rsplit(" ", 1)[1] for u in planned - set(failed)} == {"2026-10-25"}


def test_rebuild_needs_an_archive(sim, tmp_path):
    cfg = config(sim, tmp_path, Dest("sqlite", tmp_path), tmp_path / "a")
    del cfg["destinations"]["archive"]
    res = CliRunner().invoke(main, ["rebuild", "--config", write(cfg, tmp_path / "c.yaml")])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "error: destinations.archive.path: not set, so there is nothing to rebuild from; "
        "allowed: a run with an archive first (destinations: archive: {path: …})"
    ]


@pytest.mark.parametrize("point", ["sql.inserted:2", "parquet.temp_written:7"])
def test_sigkill_during_rebuild_converges(sim, fetched, tmp_path, point):
    archive, ref_sql, ref_pq, _ = fetched
    dest = Dest("postgres", tmp_path)
    try:
        path = write(config(sim, tmp_path, dest, archive), tmp_path / "cfg.yaml")
        killed = hs_run("rebuild", "--config", path, env={"HS_EXTRACT_FAILPOINT": point})
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        again = hs_run("rebuild", "--config", path)
        assert again.returncode == 0, again.stderr
        for name in NAMES:
            assert comparable(dest.snapshot(name), name) == comparable(ref_sql[name], name), name
            assert dest.duplicates(name) == 0, name
            assert parquet_rows(tmp_path / "pq", name) == ref_pq[name], name
        assert not list((tmp_path / "pq").rglob(f"{TMP_PREFIX}*"))
    finally:
        dest.drop()
