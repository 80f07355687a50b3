"""Parquet in a bucket: a local S3 (moto's server), the same tables as on disk, read back by
pyarrow and DuckDB; reruns and a SIGKILL converge; the state lives in SQL; no secret leaks."""

from __future__ import annotations

import signal
import sqlite3

import pyarrow.dataset as ds
import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.errors import ConfigError, LoadError
from hs_extract.load.storage import TMP_PREFIX
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import VOLATILE, sim_source, table_names
from tests.s3_support import S3_ENV, keys, local_s3, new_bucket
from tests.test_crash_points import parquet_rows, run_cli

REPORTS = [
    "company",
    "conversations_drilldown",
    "happiness_ratings",
    {"name": "user", "users": [100001]},
]
NAMES = table_names(REPORTS)


@pytest.fixture(scope="module")
def s3():
    with local_s3() as url:
        yield url


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 43}


def config(sim, parquet, state_db) -> dict:
    return {
        "source": sim_source(sim, max_workers=3),
        "windows": {"start": "2026-10-20", "end": "2026-10-26", "size": "day", "lookback": 1},
        "reports": REPORTS,
        "destinations": {
            "parquet": {"path": str(parquet)},
            "sql": {"url": f"sqlite:///{state_db}"},
        },
    }


def bucket_rows(prefix: str, name: str) -> list[tuple]:
    """A dataset in the bucket, as :func:`parquet_rows` reads one on disk."""
    table = ds.dataset(f"{prefix}/{name}", format="parquet", partitioning="hive").to_table()
    table = table.drop_columns([c for c in table.column_names if c in VOLATILE])
    return sorted(tuple(map(repr, r.values())) for r in table.to_pylist())


@pytest.fixture(scope="module")
def reference(sim, tmp_path_factory):
    """The same config loaded into a local folder: what the bucket must hold."""
    tmp = tmp_path_factory.mktemp("local")
    assert Job(parse_config(config(sim, tmp / "pq", tmp / "hs.db"))).open().run().ok
    return {name: parquet_rows(tmp / "pq", name) for name in NAMES}


def test_a_run_into_a_bucket_holds_the_local_tables_and_a_rerun_adds_nothing(
    s3, sim, reference, tmp_path
):
    bucket = new_bucket()
    prefix = f"s3://{bucket}/exports/hs"
    raw = config(sim, prefix, tmp_path / "state.db")
    first = Job(parse_config(raw)).open().run()
    assert first.ok, first.failures
    for name in NAMES:
        assert bucket_rows(prefix, name) == reference[name], name
    objects = keys(bucket)
    assert objects and all(k.startswith("exports/hs/") for k in objects)
    assert not [k for k in objects if k.rsplit("/", 1)[1].startswith(TMP_PREFIX)]
    second = Job(parse_config(raw)).open().run()
    assert second.ok and second.units_loaded > 0  # the lookback windows were replaced
    assert keys(bucket) == objects  # each replaced at its own key: nothing left behind
    for name in NAMES:
        assert bucket_rows(prefix, name) == reference[name], name


def test_duckdb_reads_the_bucket_with_read_parquet(s3, sim, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    s3fs = pytest.importorskip("s3fs")
    bucket = new_bucket()
    prefix = f"s3://{bucket}/hs"
    assert Job(parse_config(config(sim, prefix, tmp_path / "s.db"))).open().run().ok
    con = duckdb.connect()
    con.register_filesystem(s3fs.S3FileSystem(endpoint_url=s3))  # fsspec: no extension to fetch
    days = con.sql(
        f"select window_date, count(*) from read_parquet('{prefix}/company/*/*.parquet', "
        "hive_partitioning = true) group by window_date order by window_date"
    ).fetchall()
    assert [str(d) for d, _ in days] == [
        f"2026-10-{d}" for d in range(20, 26)
    ]  # the end is exclusive
    [(drill,)] = con.sql(
        f"select count(*) from read_parquet('{prefix}/conversations_drilldown/*/*.parquet')"
    ).fetchall()
    with sqlite3.connect(tmp_path / "s.db") as db:  # the state counts what landed
        [(state,)] = db.execute(
            "select sum(rows) from _hs_extract_state where report = 'conversations_drilldown'"
        ).fetchall()
    assert drill == state > 0


@pytest.mark.parametrize("failpoint", ["parquet.temp_written:9", "parquet.replaced:14"])
def test_a_sigkill_while_writing_to_the_bucket_then_a_rerun_converges(
    s3, sim, reference, tmp_path, failpoint
):
    bucket = new_bucket()
    prefix = f"s3://{bucket}/hs"
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, prefix, tmp_path / "state.db")))
    killed = run_cli(path, failpoint=failpoint)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    rerun = run_cli(path)
    assert rerun.returncode == 0, rerun.stderr.decode()
    for name in NAMES:
        assert bucket_rows(prefix, name) == reference[name], name
    assert not [k for k in keys(bucket) if TMP_PREFIX in k]


def test_a_bucket_needs_a_sql_destination_for_state_and_lock(tmp_path):
    raw = {
        "source": {"client_id": "x", "client_secret": "y"},
        "reports": ["company"],
        "windows": {"start": "2026-10-01"},
        "destinations": {"parquet": {"path": "s3://bucket/hs"}},
    }
    with pytest.raises(ConfigError, match=r"destinations\.sql: \(missing\).*run lock live in SQL"):
        parse_config(raw)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("s3://AKIAXX:secret@bucket/hs", "carries credentials"),
        ("s3://bucket/hs?secret_key=abc", "carries credentials"),
        ("s3:///hs", "names no bucket"),
        ("ftp://host/hs", "allowed: a local folder, or s3://bucket/prefix"),
    ],
)
def test_a_bucket_url_is_checked_before_anything_runs(tmp_path, url, said):
    raw = {
        "source": {"client_id": "x", "client_secret": "y"},
        "reports": ["company"],
        "windows": {"start": "2026-10-01"},
        "destinations": {"parquet": {"path": url}, "sql": {"url": f"sqlite:///{tmp_path}/s.db"}},
    }
    with pytest.raises(ConfigError, match=r"destinations\.parquet\.path") as err:
        parse_config(raw)
    assert said in str(err.value)
    assert "secret" not in str(err.value).replace("secret_key", "").replace("s3://AKIAXX", "")


def test_one_prefix_answers_to_one_state_destination(s3, sim, tmp_path):
    bucket = new_bucket()
    prefix = f"s3://{bucket}/hs"
    assert Job(parse_config(config(sim, prefix, tmp_path / "a.db"))).open().run().ok
    other = Job(parse_config(config(sim, prefix, tmp_path / "b.db")))
    with pytest.raises(
        LoadError, match=r"is kept with the state in sqlite:.*a\.db, not sqlite:.*b\.db"
    ):
        other.open()


def test_bucket_failures_are_one_line_and_never_show_the_secret(s3, sim, tmp_path):
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, "s3://no-such-bucket-hs/x", tmp_path / "s.db")))
    res = CliRunner().invoke(main, ["run", "--config", str(path)])
    assert res.exit_code != 0
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no-such-bucket-hs" in lines[0], res.output
    assert "Traceback" not in res.output
    debug = CliRunner().invoke(main, ["--debug", "check", "--config", str(path)])
    for out in (res.output, debug.output):
        assert S3_ENV["AWS_SECRET_ACCESS_KEY"] not in out


def test_check_probes_the_bucket_and_leaves_nothing(s3, sim, tmp_path):
    bucket = new_bucket()
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(config(sim, f"s3://{bucket}/hs", tmp_path / "s.db")))
    res = CliRunner().invoke(main, ["check", "--config", str(path), "--format", "json"])
    assert "an object was written and removed" in res.output, res.output
    # pyarrow keeps the prefix as a zero-byte "hs/" folder marker; readers skip it
    assert [k for k in keys(bucket) if not k.endswith("/")] == []
