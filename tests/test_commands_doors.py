"""Every command, one line (issue 21): a held DuckDB file, credentials only where the API is
called, JSON logs for usage errors too, failures at ERROR, Ctrl-C on ``demo``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import duckdb_or_skip, hs_run, hs_start, sim_source
from tests.proxy import MangleProxy, company_count_as

#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 88}


def write(tmp_path, raw: dict, name: str = "cfg.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def duck_config(sim, tmp_path) -> dict:
    return {
        "source": sim_source(sim, max_workers=2),
        "windows": {"start": "2026-10-20", "end": "2026-10-22", "lookback": 0},
        "reports": ["company", "happiness"],
        "destinations": {
            "sql": {"url": f"duckdb:///{tmp_path}/hs.duckdb"},
            "archive": {"path": str(tmp_path / "archive")},
        },
    }


HOLD = (
    "import duckdb, sys, time\n"
    "c = duckdb.connect(sys.argv[1], read_only=True)\n"
    "print('held', flush=True)\n"
    "time.sleep(120)\n"
)

COMMANDS = [
    ["run", "--no-progress"],
    ["rebuild"],
    ["plan"],
    ["state", "show"],
    ["state", "reset", "--yes"],
    ["runs"],
]


def test_every_command_meets_a_held_duckdb_file_with_one_line(sim, tmp_path):
    duckdb_or_skip()
    path = write(tmp_path, duck_config(sim, tmp_path))
    assert CliRunner().invoke(main, ["run", "--config", path]).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "hs.duckdb")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in COMMANDS:
            res = CliRunner().invoke(main, [*command, "--config", path])
            assert res.exit_code == 75, (command, res.output)
            assert "Traceback" not in res.output, command
            lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
            assert len(lines) == 1, (command, res.stderr)
            assert f"PID {holder.pid}" in lines[0] and "hs.duckdb" in lines[0], lines[0]
        for extra in ([], ["--reconcile"]):
            res = CliRunner().invoke(main, ["check", "--config", path, "--format", "json", *extra])
            assert res.exit_code == 1, res.output
            assert "Traceback" not in res.output
            checks = {c["check"]: c for c in json.loads(res.stdout)["checks"]}
            assert checks["destination sql"]["status"] == "failed"
            assert f"PID {holder.pid}" in checks["destination sql"]["detail"]
    finally:
        holder.kill()
        holder.wait()


def test_a_sqlite_file_at_a_duckdb_url_is_one_line_and_nothing_is_downloaded(sim, tmp_path):
    duckdb_or_skip()
    import sqlite3

    with sqlite3.connect(tmp_path / "hs.duckdb") as db:
        db.execute("create table t (x)")
    raw = duck_config(sim, tmp_path)
    del raw["destinations"]["archive"]
    res = CliRunner().invoke(main, ["run", "--config", write(tmp_path, raw)])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "SQLite" in lines[0] and "sqlite:///" in lines[0], lines[0]
    assert "download" not in lines[0].lower() and "http" not in lines[0], lines[0]


def test_duckdb_never_installs_or_loads_an_extension_by_itself(tmp_path):
    duckdb_or_skip()
    from hs_extract.load.sql_engine import Bounded

    bounded = Bounded(f"duckdb:///{tmp_path}/x.duckdb")
    with bounded.read() as conn:
        for setting in ("autoinstall_known_extensions", "autoload_known_extensions"):
            value = conn.execute(sa.text(f"select current_setting('{setting}')")).scalar()
            assert value is False, setting


def no_credentials(sim, tmp_path) -> dict:
    raw = {
        "source": {
            "base_url": sim.base_url,
            "client_id": "${HS_TEST_UNSET_ID}",
            "client_secret": "${HS_TEST_UNSET_SECRET}",
        },
        "windows": {"start": "2026-10-20", "end": "2026-10-22"},
        "reports": ["company"],
        "destinations": {"sql": {"url": f"sqlite:///{tmp_path}/hs.db"}},
    }
    return raw


def test_commands_that_never_call_the_api_need_no_credentials(sim, tmp_path, monkeypatch):
    for name in ("HS_TEST_UNSET_ID", "HS_TEST_UNSET_SECRET"):
        monkeypatch.delenv(name, raising=False)
    raw = no_credentials(sim, tmp_path)
    loaded = dict(raw, source=sim_source(sim))
    assert (
        CliRunner().invoke(main, ["run", "--config", write(tmp_path, loaded, "l.yaml")]).exit_code
        == 0
    )
    path = write(tmp_path, raw)
    for command in (["state", "show"], ["runs"], ["state", "reset", "--yes"]):
        res = CliRunner().invoke(main, [*command, "--config", path])
        assert res.exit_code == 0, (command, res.output)
    res = CliRunner().invoke(main, ["plan", "--config", path])  # plan reads the lists
    assert res.exit_code == 2
    assert "source.client_id" in res.stderr and "HS_TEST_UNSET_ID" in res.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--config", "x.yaml", "--start", "not-a-date"],
        ["run", "--config", "x.yaml", "--max-requests", "0"],
        ["run", "--config", "x.yaml", "--bogus"],
        ["check", "--format", "yaml", "--config", "x.yaml"],
    ],
)
def test_json_logs_are_json_for_usage_errors_too(args):
    res = CliRunner().invoke(main, [*args, "--log-format", "json"])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines, res.output
    for line in lines:
        record = json.loads(line)  # every line
        assert record["level"] == "ERROR" and record["event"] == "usage_error", record
        assert record["message"]


def test_a_failed_unit_is_logged_at_error(sim, tmp_path):
    with MangleProxy(sim.base_url, company_count_as("thirty-six")) as proxy:
        raw = no_credentials(sim, tmp_path)
        raw["source"] = {**sim_source(sim), "base_url": proxy.base_url}
        res = CliRunner().invoke(
            main, ["run", "--config", write(tmp_path, raw), "--log-format", "json"]
        )
    assert res.exit_code == 1
    records = [json.loads(ln) for ln in res.stderr.splitlines() if ln.strip()]
    failed = [r for r in records if r["event"] == "unit_failed"]
    assert failed and {r["level"] for r in failed} == {"ERROR"}, failed


def test_ctrl_c_on_demo_is_an_interruption_and_the_next_demo_resumes(tmp_path):
    out = tmp_path / "demo"
    command = ["demo", "--out", out, "--days", "6", "--no-progress"]
    proc = hs_start(*command)
    deadline = time.monotonic() + 60
    while not list(out.glob("parquet/*/window_date=*/*.parquet")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the demo never started loading"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "interrupted" in stderr
    assert "What landed" not in stdout
    assert not (out / "overview.png").exists()
    again = hs_run(*command, timeout=300)
    assert again.returncode == 0, again.stderr
    assert (out / "overview.png").exists() and "What landed" in again.stdout
    assert "up to date" in again.stdout or "units loaded" in again.stdout


def test_every_command_meets_a_database_that_does_not_answer_with_one_line(sim, tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    raw = duck_config(sim, tmp_path)
    raw["destinations"]["sql"] = {"url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"}
    path = write(tmp_path, raw)
    for command in COMMANDS:
        res = CliRunner().invoke(main, [*command, "--config", path])
        assert res.exit_code in (1, 2), (command, res.output)
        assert "Traceback" not in res.output, command
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and str(port) in lines[0], (command, res.stderr)
    res = CliRunner().invoke(main, ["check", "--config", path, "--format", "json"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    checks = {c["check"]: c for c in json.loads(res.stdout)["checks"]}
    assert checks["destination sql"]["status"] == "failed"
