"""Wrong shapes are never silent, in ``check`` or in ``run`` (issue 21).

A summary answering ``"current": null`` (or without ``current``) used to load rows whose every
metric is NULL, and ``check`` said ok; a count sent as the string ``"36"`` was "ok" in ``check``.
A mangling proxy between hs_extract and the simulator sends those answers.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import Dest, sim_source
from tests.proxy import MangleProxy, company_count_as

REPORTS = [
    "company",
    "productivity",
    "conversations",
    "conversations_new_conversations",
    "conversations_drilldown",
]


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 41}


def config(base_url: str, sim, tmp_path, reports=REPORTS) -> str:
    source = {**sim_source(sim, max_workers=2), "base_url": base_url}
    cfg = {
        "source": source,
        "windows": {"start": "2026-10-20", "end": "2026-10-22", "size": "day", "lookback": 0},
        "reports": reports,
        "destinations": {"sql": Dest("sqlite", tmp_path).sql()},
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def flat(text: str) -> str:
    return " ".join(text.split())


def lines(output: str, prefix: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith(prefix)]


def null_summaries(path, query, n, payload):
    if path in ("/v2/reports/company", "/v2/reports/productivity"):
        payload["current"] = None
    return payload


def without_current(path, query, n, payload):
    if path == "/v2/reports/company":
        del payload["current"]
    return payload


def null_containers(path, query, n, payload):
    if path == "/v2/reports/conversations/drilldown":
        payload["conversations"] = None
    if path == "/v2/reports/conversations/new":
        payload["current"] = None
    return payload


@pytest.mark.parametrize("mangle", [null_summaries, without_current, null_containers])
def test_a_declared_object_null_or_missing_fails_its_units_and_check_shows_it(
    sim, tmp_path, mangle
):
    with MangleProxy(sim.base_url, mangle) as proxy:
        path = config(proxy.base_url, sim, tmp_path)
        run = CliRunner().invoke(main, ["run", "--config", path, "--no-progress"])
        checked = CliRunner().invoke(main, ["check", "--config", path, "--format", "json"])
    assert run.exit_code == 1, run.output
    failed = lines(run.output, "failed: ")
    hit = {
        "null_summaries": {"company", "productivity"},
        "without_current": {"company"},
        "null_containers": {"conversations_drilldown", "conversations_new_conversations"},
    }
    assert {ln.split()[1] for ln in failed} == hit[mangle.__name__], run.output
    assert len(failed) == 2 * len(hit[mangle.__name__])  # every window of those reports
    for line in failed:
        assert re.search(r"\$(\[\d+\])?\.(current|conversations)", line), line  # its JSON path
    dest = Dest("sqlite", tmp_path)
    for report in hit[mangle.__name__]:
        assert dest.count(report) == 0, report  # no row of NULLs
    assert dest.count("conversations") == 2  # the others loaded
    assert checked.exit_code == 1, checked.output
    status = {c["check"]: c["status"] for c in json.loads(checked.stdout)["checks"]}
    for report in hit[mangle.__name__]:
        assert status[f"report {report}"] == "differs", status


def test_a_count_sent_as_text_is_converted_said_once_and_differs_in_check(sim, tmp_path):
    reports = ["company"]
    (tmp_path / "clean").mkdir()
    clean_path = config(sim.base_url, sim, tmp_path / "clean", reports)
    assert CliRunner().invoke(main, ["run", "--config", clean_path]).exit_code == 0
    clean = Dest("sqlite", tmp_path / "clean").snapshot("company")
    with MangleProxy(sim.base_url, company_count_as(str)) as proxy:
        path = config(proxy.base_url, sim, tmp_path, reports)
        run = CliRunner().invoke(main, ["run", "--config", path, "--no-progress"])
        checked = CliRunner().invoke(main, ["check", "--config", path, "--format", "json"])
    assert run.exit_code == 0, run.output
    said = [ln for ln in run.output.splitlines() if "converted" in ln]
    assert len(said) == 1, run.output  # once, though both windows had it
    assert "$.current.customersHelped" in said[0], said
    assert Dest("sqlite", tmp_path).snapshot("company") == clean  # the same integers
    assert checked.exit_code == 1
    report = next(c for c in json.loads(checked.stdout)["checks"] if c["check"] == "report company")
    assert report["status"] == "differs"
    assert any(
        f["path"] == "$.current.customersHelped" and f["kind"] == "wrong type"
        for f in report["findings"]
    )


def test_a_value_that_cannot_be_converted_fails_the_unit_with_its_path(sim, tmp_path):
    with MangleProxy(sim.base_url, company_count_as("thirty-six")) as proxy:
        path = config(proxy.base_url, sim, tmp_path, ["company"])
        run = CliRunner().invoke(main, ["run", "--config", path, "--no-progress"])
    assert run.exit_code == 1
    failed = lines(run.output, "failed: ")
    assert len(failed) == 2 and all("$.current.customersHelped" in ln for ln in failed), run.output
