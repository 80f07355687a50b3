"""hs-extract run / plan / state from the command line."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.simulator import Faults, Simulator
from tests.pipeline_support import CUTOFF

#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 41}


def write_config(tmp_path, sim, **over) -> str:
    raw = {
        "source": {
            "base_url": sim.base_url,
            "client_id": "${SIM_ID}",
            "client_secret": "${SIM_SECRET}",
            "rate_limit_per_minute": 100_000,
        },
        "windows": {"start": "2026-10-20", "end": "2026-10-23", "lookback": 1},
        "reports": ["company", "productivity_resolved", "conversations_drilldown"],
        "destinations": {
            "parquet": {"path": str(tmp_path / "pq")},
            "sql": {"url": f"sqlite:///{tmp_path}/hs.db"},
        },
        **over,
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


@pytest.fixture
def cli(monkeypatch, sim):
    monkeypatch.setenv("SIM_ID", sim.client_id)
    monkeypatch.setenv("SIM_SECRET", sim.client_secret)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_plan_then_run_then_state(cli, sim, tmp_path):
    cfg = write_config(tmp_path, sim)
    planned = cli("plan", "--config", cfg)
    assert planned.exit_code == 0, planned.output
    assert "windows: 3 × day (UTC): 2026-10-20 … 2026-10-22" in planned.output
    assert "requests: 7 (first pages" in planned.output
    ran = cli("run", "--config", cfg)
    assert ran.exit_code == 0, ran.output
    assert "conversations_drilldown__tags" in ran.output and "units loaded 9/9" in ran.output
    shown = cli("state", "show", "--config", cfg)
    assert shown.exit_code == 0 and "productivity_resolved" in shown.output
    unconfirmed = cli("state", "reset", "--config", cfg, "--report", "company")
    assert unconfirmed.exit_code == 2 and "add --yes" in unconfirmed.output  # not a terminal
    reset = cli("state", "reset", "--config", cfg, "--report", "company", "--yes")
    assert reset.exit_code == 0 and "3 window(s) forgotten" in reset.output
    again = cli("plan", "--config", cfg)
    assert "requests: 5 (first pages" in again.output  # company 3 + lookback 1 + series 1


def test_bad_config_exits_2_with_one_clear_message(cli, sim, tmp_path):
    cfg = write_config(tmp_path, sim, windows={"start": "2026-10-20", "size": "fortnight"})
    res = cli("run", "--config", cfg)
    assert res.exit_code == 2
    assert "windows.size: 'fortnight' is invalid; allowed: day, week, month" in res.output
    assert "Traceback" not in res.output
    res = cli("run", "--config", write_config(tmp_path, sim), "--reports", "company,nope")
    assert res.exit_code == 2 and "--reports: 'nope' is not in the config's reports" in res.output


def test_a_failed_report_exits_1_and_names_it(monkeypatch, tmp_path):
    with Simulator(seed=41, cutoff=CUTOFF, faults=Faults(deny=frozenset({"company"}))) as s:
        monkeypatch.setenv("SIM_ID", s.client_id)
        monkeypatch.setenv("SIM_SECRET", s.client_secret)
        res = CliRunner().invoke(main, ["run", "--config", write_config(tmp_path, s)])
    assert res.exit_code == 1
    assert "denied: company: company: HTTP 403 Access denied" in res.output
    assert "productivity_resolved" in res.output
