"""``check`` is cheap whatever the server does (issue 21): one attempt per report with a short
timeout, reports side by side, and a deadline for the whole command, each late report named."""

from __future__ import annotations

import json
import socket
import threading
import time

import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import sim_source
from tests.proxy import MangleProxy

REPORTS = ["company", "happiness", "conversations", "productivity"]


def write(tmp_path, base_url: str, sim, **source) -> str:
    cfg = {
        "source": {**sim_source(sim), "base_url": base_url, **source},
        "windows": {"start": "-5d"},
        "reports": REPORTS,
        "destinations": {"sql": {"url": f"sqlite:///{tmp_path}/hs.db"}},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 12}


def test_reports_that_never_answer_are_named_within_one_short_attempt(sim, tmp_path):
    release = threading.Event()

    def hang(path, query):
        if path.startswith("/v2/reports/"):
            release.wait(120)  # the report never answers while check waits
        return None

    with MangleProxy(sim.base_url, intercept=hang) as proxy:
        path = write(tmp_path, proxy.base_url, sim, timeout=3)
        began = time.monotonic()
        res = CliRunner().invoke(main, ["check", "--config", path, "--format", "json"])
        took = time.monotonic() - began
        release.set()
    assert res.exit_code == 1, res.output
    # one attempt of 3 s each, side by side: seconds, not 4 reports × 6 attempts with backoff
    assert took < 20, took
    checks = {c["check"]: c for c in json.loads(res.stdout)["checks"]}
    assert checks["token"]["status"] == "ok" and checks["lists"]["status"] == "ok"
    for report in REPORTS:
        line = checks[f"report {report}"]
        assert line["status"] == "failed" and "no answer" in line["detail"], line


def test_a_server_that_never_answers_ends_check_at_its_deadline(tmp_path, sim):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # accepts connections, never says a word
    host, port = silent.getsockname()
    try:
        path = write(tmp_path, f"http://{host}:{port}", sim)  # default timeout: 60 s
        began = time.monotonic()
        res = CliRunner().invoke(
            main, ["check", "--config", path, "--deadline", "4", "--format", "json"]
        )
        took = time.monotonic() - began
    finally:
        silent.close()
    assert res.exit_code == 1, res.output
    assert took < 12, took
    checks = {c["check"]: c for c in json.loads(res.stdout)["checks"]}
    assert checks["token"]["status"] == "failed"
    assert "4 s" in checks["token"]["detail"], checks["token"]
    assert all(checks[f"report {r}"]["status"] == "skipped" for r in REPORTS)


def test_the_deadline_is_an_option_with_a_default_of_two_minutes():
    res = CliRunner().invoke(main, ["check", "--help"])
    assert "--deadline" in res.output and "120" in res.output
