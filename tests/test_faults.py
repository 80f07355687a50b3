"""Fault campaign: whatever the network and the API do, `hs-extract run` ends with the tables of
a clean run (or names the report it could not load), retries a bounded number of times, and
its exit code tells the truth."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract import ReportsClient
from hs_extract.api.retry import RetryConfig
from hs_extract.cli import main
from hs_extract.pipeline import Job, load_config
from hs_extract.simulator import Faults, Simulator
from tests.pipeline_support import CUTOFF, Dest, sim_source, table_names

SEED = 17
REPORTS = [
    "company",
    "conversations_drilldown",
    "productivity_resolved",
    "happiness_ratings",
    {"name": "user", "users": [100001]},
]
NAMES = table_names(REPORTS)


def write_config(tmp_path, sim, **source) -> str:
    raw = {
        "source": sim_source(sim, max_workers=4, **source),
        "windows": {"start": "2026-10-20", "end": "2026-10-24", "lookback": 1},
        "reports": REPORTS,
        "destinations": {"sql": {"url": f"sqlite:///{tmp_path}/hs.db"}},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def run(tmp_path, sim, **source):
    """``hs-extract run`` on the command line: its result and the destination."""
    res = CliRunner().invoke(main, ["run", "--config", write_config(tmp_path, sim, **source)])
    return res, Dest("sqlite", tmp_path)


def run_fast_retries(tmp_path, sim):
    """The same run in-process, its client retrying after 50 ms instead of 1 s (same policy,
    shorter waits: the campaign stays quick) and timing out after 1 s; the result, the
    destination and the client's counts."""
    config = load_config(write_config(tmp_path, sim))
    client = ReportsClient(
        sim.client_id,
        sim.client_secret,
        sim.base_url,
        rate_limit_per_minute=100_000,
        timeout=(5.0, 1.0),
        retry=RetryConfig(backoff_base=0.05, backoff_cap=0.4),
    )
    pipeline = Job(config, client=client).open()
    try:
        return pipeline.run(), Dest("sqlite", tmp_path), client.stats
    finally:
        pipeline.close()


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clean")
    with Simulator(seed=SEED, cutoff=CUTOFF, rate_limit=100_000) as sim:
        res, dest = run(tmp, sim)
        assert res.exit_code == 0, res.output
        requests = sim.log.count("/v2/reports/")
    return {name: dest.snapshot(name) for name in NAMES}, requests


SCENARIOS = {
    "500": dict(faults=Faults(rate=0.25, kinds=("500",))),
    "503": dict(faults=Faults(rate=0.25, kinds=("503",))),
    "connection reset": dict(faults=Faults(rate=0.25, kinds=("reset",))),
    "truncated body": dict(faults=Faults(rate=0.25, kinds=("truncate", "cutjson"))),
    "429 bursts": dict(faults=Faults(rate=0.1, kinds=("429",), burst=3)),
    "slow past the timeout": dict(faults=Faults(slow_rate=0.08, slow_seconds=1.5)),
    "token expiry every 2 s": dict(token_ttl=2, latency_ms=600),  # well inside the 1 s timeout
    "everything at once": dict(
        faults=Faults(rate=0.3, slow_rate=0.03, slow_seconds=1.5), token_ttl=3, latency_ms=5
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_fault_gives_the_tables_of_a_clean_run(scenario, clean, tmp_path):
    expected, clean_requests = clean
    options = SCENARIOS[scenario]
    with Simulator(seed=SEED, cutoff=CUTOFF, rate_limit=100_000, **options) as sim:
        result, dest, stats = run_fast_retries(tmp_path, sim)
        log = sim.log.snapshot()
    assert result.ok, result.failures
    for name in NAMES:
        assert dest.snapshot(name) == expected[name], name
        assert dest.duplicates(name) == 0, name
    made = sum(1 for e in log if e.path.startswith("/v2/reports/"))
    faulted = sum(1 for e in log if e.fault or e.status == 401)
    if scenario.startswith("token expiry"):  # tokens live 2 s: the client renewed them all along
        assert sum(1 for e in log if e.path == "/v2/oauth2/token") >= 3
    else:
        assert faulted > 0, "the scenario injected nothing"
    # bounded: each fault costs at most one extra request (its retry), nothing loops. A
    # clean answer later than the client's timeout (a slow machine) is a fault the client saw
    # and the server did not flag: it counts too.
    flagged = sum(1 for e in log if e.fault not in (None, "429"))
    timed_out = max(0, stats.transient_failures - flagged)
    assert clean_requests <= made <= clean_requests + faulted + timed_out
    assert made <= clean_requests * RetryConfig().max_attempts
    with dest.engine.connect() as c:
        run_row = c.execute(sa.text("select status, retries from _hs_extract_runs")).one()
    assert run_row.status == "ok"
    assert run_row.retries >= sum(1 for e in log if e.fault and e.fault != "slow")


@pytest.mark.parametrize(
    ("faults", "message"),
    [
        (Faults(deny=frozenset({"company"})), "company: HTTP 403 Access denied"),
        (Faults(reject=frozenset({"company"})), "company: HTTP 400"),
    ],
    ids=["403 on one report", "400 after an API change"],
)
def test_a_report_that_cannot_load_is_named_and_the_rest_loads(faults, message, clean, tmp_path):
    expected, _ = clean
    with Simulator(seed=SEED, cutoff=CUTOFF, rate_limit=100_000, faults=faults) as sim:
        res, dest = run(tmp_path, sim)
        company_requests = sim.log.count("/v2/reports/company")
    assert res.exit_code == 1
    assert message in res.output, res.output
    assert "Traceback" not in res.output
    assert dest.count("company") == 0
    for name in NAMES:
        if not name.startswith("company"):
            assert dest.snapshot(name) == expected[name], name
    # a 4xx is not retried: one request per company window at most
    assert company_requests <= 4
    with dest.engine.connect() as c:
        status = c.execute(sa.text("select status from _hs_extract_runs")).scalar_one()
    assert status == "failed"


def test_a_run_through_faults_exits_0_on_the_command_line(clean, tmp_path):
    expected, _ = clean
    faults = Faults(rate=0.15, kinds=("500", "reset", "cutjson"))
    with Simulator(seed=SEED, cutoff=CUTOFF, rate_limit=100_000, faults=faults) as sim:
        res, dest = run(tmp_path, sim)
        assert any(e.fault for e in sim.log.snapshot())
    assert res.exit_code == 0, res.output
    assert dest.snapshot("conversations_drilldown") == expected["conversations_drilldown"]
