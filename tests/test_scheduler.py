"""What a scheduler sees: log lines, JSON logs, past runs, budgets, the rate limit across
processes, and the README's scheduling examples as they are written."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract.api.client import ApiClient
from hs_extract.api.ratelimit import RateLimiter
from hs_extract.cli import main
from hs_extract.pipeline import Job, parse_config
from hs_extract.simulator import Faults, Simulator
from tests.pipeline_support import CUTOFF, hs_run, hs_start, sim_source
from tests.proxy import MangleProxy
from tests.test_bounded import limited_for

ROOT = Path(__file__).parents[1]


def write(tmp_path, sim, base_url=None, reports=("company", "conversations_drilldown"), **w):
    raw = {
        "source": sim_source(sim, max_workers=2, **({"base_url": base_url} if base_url else {})),
        "windows": {"start": "2026-10-10", "end": "2026-10-24", "lookback": 1, **w},
        "reports": list(reports),
        "destinations": {"sql": {"url": f"sqlite:///{tmp_path}/hs.db"}},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def hs(*args, env=None, timeout=300) -> subprocess.CompletedProcess:
    """The command as cron runs it: stderr is a file, not a terminal."""
    return hs_run(*args, timeout=timeout, env={"HS_EXTRACT_LOG_INTERVAL": "0.3", **(env or {})})


@pytest.fixture(scope="module")
def slow_sim():
    faults = Faults(reject=frozenset({"conversations/drilldown"}))
    with Simulator(seed=95, cutoff=CUTOFF, rate_limit=100_000, latency_ms=40, faults=faults) as s:
        yield s


def test_a_scheduled_run_logs_progress_and_each_failure(slow_sim, tmp_path):
    done = hs("run", "--config", write(tmp_path, slow_sim))
    assert done.returncode == 1
    progress = [ln for ln in done.stderr.splitlines() if "INFO hs_extract.run: progress:" in ln]
    assert progress, done.stderr
    assert re.search(
        r"units \d+/28, rows [\d,]+, requests \d+ \(\d+/min\), 429s 0, ETA", progress[-1]
    )
    failed = [ln for ln in done.stderr.splitlines() if "ERROR hs_extract.run: failed:" in ln]
    assert len(failed) == 14, done.stderr  # one line per failed unit, as it happened
    (tmp_path / "scheduled.log").write_text(done.stderr)


def test_json_logs_are_one_object_a_line_with_stable_keys(slow_sim, tmp_path):
    done = hs("run", "--config", write(tmp_path, slow_sim), "--log-format", "json")
    assert done.returncode == 1
    lines = [json.loads(ln) for ln in done.stderr.splitlines() if ln.strip()]
    assert lines and all({"ts", "level", "logger", "event", "message"} <= set(x) for x in lines)
    events = {x["event"] for x in lines}
    assert {"progress", "unit_failed", "run_finished"} <= events
    progress = next(x for x in lines if x["event"] == "progress")
    assert {"units_done", "units_total", "requests", "requests_per_minute", "eta_seconds"} <= set(
        progress
    )
    finished = next(x for x in lines if x["event"] == "run_finished")
    assert finished["status"] == "failed" and finished["units_failed"] == 14


def test_debug_leaves_out_the_http_librarys_noise_unless_asked(tmp_path):
    with Simulator(seed=96, cutoff=CUTOFF, rate_limit=100_000) as sim:
        path = write(tmp_path, sim, reports=["company"], start="2026-10-20", end="2026-10-22")
        quiet = hs("run", "--config", path, "--debug")
        noisy = hs("run", "--config", path, "--debug-http", "--debug")
    assert "DEBUG hs_extract.http" in quiet.stderr and "urllib3" not in quiet.stderr
    assert "DEBUG urllib3.connectionpool" in noisy.stderr


def test_runs_lists_ok_failed_and_interrupted_runs_as_the_state_says(tmp_path):
    with Simulator(seed=97, cutoff=CUTOFF, rate_limit=100_000) as sim:
        ok = CliRunner().invoke(main, ["run", "--config", write(tmp_path, sim)])
        assert ok.exit_code == 0, ok.output
        with Simulator(seed=97, cutoff=CUTOFF, faults=Faults(reject=frozenset({"company"}))) as bad:
            cfg = write(tmp_path, bad, start="2026-10-01")
            assert CliRunner().invoke(main, ["run", "--config", cfg]).exit_code == 1
        with MangleProxy(sim.base_url, intercept=limited_for(250)) as proxy:
            cfg = write(tmp_path, sim, base_url=proxy.base_url, start="2026-09-20")
            proc = hs_start("run", "--config", cfg)
            deadline = time.time() + 60
            while not proxy.intercepted and time.time() < deadline:
                time.sleep(0.1)
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=60)
        assert proc.returncode == 130
        shown = CliRunner().invoke(main, ["runs", "--config", cfg])
    assert shown.exit_code == 0, shown.output
    statuses = re.findall(r"^\s*\d{8}T\d{6}-\w+ \S+ [^│┃]+\S (\w+)", shown.output, re.M)
    assert statuses == ["ok", "failed", "interrupted"], shown.output
    engine = sa.create_engine(f"sqlite:///{tmp_path}/hs.db")
    with engine.connect() as c:
        rows = c.execute(sa.text("select run_id, units_loaded from _hs_extract_runs")).all()
        for run_id, units in rows:  # the log's count is the state the run wrote
            state = c.execute(
                sa.text("select count(*) from _hs_extract_state where run_id = :r"), {"r": run_id}
            ).scalar_one()
            assert units >= state, (run_id, units, state)
    engine.dispose()
    (tmp_path / "runs.txt").write_text(shown.output)


def test_a_budget_stops_taking_units_and_the_next_run_goes_on(tmp_path):
    with Simulator(seed=98, cutoff=CUTOFF, rate_limit=100_000) as sim:
        path = write(tmp_path, sim)
        planned = CliRunner().invoke(main, ["plan", "--config", path, "--max-requests", "10"])
        assert planned.exit_code == 0 and re.search(
            r"runs: \d+ at most 10 requests", planned.output
        )
        codes = []
        for _ in range(10):
            res = CliRunner().invoke(main, ["run", "--config", path, "--max-requests", "10"])
            codes.append(res.exit_code)
            if len(codes) == 1:  # what the requests went to, each part counted, none negative
                said = re.search(
                    r"requests ([\d,]+) \(([\d,]+) of ([\d,]+) planned, ([\d,]+) further pages, "
                    r"([\d,]+) lists, tokens and retries\); ([\d,]+) planned requests left",
                    res.output,
                )
                assert said, res.output
                total, made, planned, more, rest, left = (
                    int(n.replace(",", "")) for n in said.groups()
                )
                assert total == made + more + rest and left == planned - made > 0
            if res.exit_code != 3:
                break
        assert codes[0] == 3 and codes[-1] == 0 and set(codes[:-1]) == {3}, codes
        assert "partial" in CliRunner().invoke(main, ["runs", "--config", path]).output
    engine = sa.create_engine(f"sqlite:///{tmp_path}/hs.db")
    with engine.connect() as c:
        assert c.execute(sa.text("select count(*) from _hs_extract_state")).scalar_one() == 28
    engine.dispose()


def test_a_new_process_learns_what_the_account_used_before_opening_its_workers(tmp_path):
    """plan, then run, within the server's window: the run books what plan used: 0 × 429."""
    window, limit = 6.0, 40
    with Simulator(seed=99, cutoff=CUTOFF, rate_limit=limit, rate_window=window) as sim:
        raw = yaml.safe_load(Path(write(tmp_path, sim, reports=["company", "user"])).read_text())
        raw["source"].update(rate_limit_per_minute=limit, max_workers=16)
        raw["reports"] = ["company", {"name": "user", "users": "all"}]
        config = parse_config(raw)

        def process():  # a new process: its own client, limiter and count
            limiter = RateLimiter(limit, window=window)
            client = ApiClient(sim.client_id, sim.client_secret, sim.base_url, limiter=limiter)
            return Job(config, client=client)

        process().plan()
        result = process().open().run()
    assert result.ok, result.failures
    assert sim.log.served_429 == 0


# --- the README's scheduling examples, as written ---------------------------------------------

README = (ROOT / "docs" / "operations.md").read_text()
CRON_FIELD = r"(\*|\d+(-\d+)?)(/\d+)?(,(\d+(-\d+)?))*"


def fenced(kind: str) -> list[str]:
    section = README.split("## Scheduling", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{kind}\n(.*?)```", section, flags=re.S)


def test_the_cron_entry_is_one_valid_crontab_line():
    [block] = fenced("cron")
    lines = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(lines) == 1, "cron takes one line per job: no continuation"
    fields = lines[0].split()
    assert all(re.fullmatch(CRON_FIELD, f) for f in fields[:5]), fields[:5]
    assert "\\" not in lines[0] and "%" not in lines[0]  # cron would split or mangle these
    assert "hs-extract run" in lines[0]
    if shutil.which("crontab"):  # the real parser, where it exists
        check = subprocess.run(["crontab", "-n", "-"], input=block, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_the_airflow_example_compiles_and_keeps_the_environment():
    [block] = fenced("python")
    compile(block, "airflow_example.py", "exec")
    assert "append_env=True" in block


def test_the_systemd_units_name_every_exit_status_a_run_may_end_with():
    [block] = fenced("ini")
    assert "SuccessExitStatus=3 75" in block and "OnCalendar=" in block
    assert "Persistent=true" in block


def test_make_refuses_a_python_older_than_3_11_in_one_clear_line(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    fake = tmp_path / "python3.9"
    fake.write_text(
        '#!/bin/sh\ncase "$*" in *version_info*) exit 1;; *platform*) echo 3.9.18;; esac\n'
    )
    fake.chmod(0o755)
    done = subprocess.run(
        ["make", "-C", str(tmp_path), f"PYTHON={fake}", ".venv/.installed"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "is Python 3.9.18; hs_extract needs 3.11 or newer" in done.stderr
