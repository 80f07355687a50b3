"""``hs-extract check``: one request per report plus the lists, a table, an exit status.

Against the simulator: a clean account, a plan without Docs (``deny={"docs"}``), and answers
changed on the way by a mangling proxy (a field renamed, a type changed). The request counts
come from the simulator's own log. check writes no table and moves no state.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from hs_extract.simulator import Simulator
from hs_extract.simulator.traffic import Faults
from tests.pipeline_support import Dest
from tests.proxy import MangleProxy

REPORTS = [
    "company",
    "conversations",
    "conversations_new_conversations",
    "productivity",
    "happiness_ratings",
    {"name": "user", "users": "all"},
    "conversations_drilldown",
    "docs",
]
LISTS = ("/v2/users", "/v2/teams", "/v2/mailboxes", "/v2/tags")


def write_config(tmp_path, base_url: str, sql: dict | None = None, **dests) -> str:
    destinations = {
        "parquet": {"path": str(tmp_path / "pq")},
        "archive": {"path": str(tmp_path / "archive")},
        **dests,
    }
    destinations["sql"] = sql or {"url": f"sqlite:///{tmp_path}/hs.db"}
    cfg = {
        "source": {
            "base_url": base_url,
            "client_id": "simulator-app",
            "client_secret": "simulator-secret",
            "rate_limit_per_minute": 400,
        },
        "windows": {"start": "-5d", "size": "day"},
        "reports": REPORTS,
        "destinations": destinations,
    }
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def check(path: str, *extra: str):
    return CliRunner().invoke(main, ["check", "--config", path, *extra])


def report_requests(sim) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in sim.log.snapshot():
        if e.path.startswith("/v2/reports/"):
            counts[e.path] = counts.get(e.path, 0) + 1
    return counts


def lines_of(output: str) -> dict[str, str]:
    """The table's rows: check name → the rest of its line."""
    out = {}
    for row in output.splitlines():
        parts = [p.strip() for p in row.split("│")]
        if len(parts) >= 3 and parts[0]:
            out[parts[0]] = " ".join(parts[1:])
    return out


def test_a_clean_account_is_fine_at_one_request_per_report(tmp_path):
    with Simulator(seed=5, other_usage=37) as sim:
        path = write_config(tmp_path, sim.base_url)
        res = check(path)
        assert res.exit_code == 0, res.output
        rows = lines_of(res.output)
        assert rows["token"].startswith("ok")
        assert rows["lists"] == "ok 9 users, 3 teams, 3 mailboxes, 14 tags"
        assert "400 requests/minute (Plus)" in rows["rate limit"]
        assert "other apps used about 37 of it" in rows["rate limit"]
        for r in REPORTS:
            name = r if isinstance(r, str) else r["name"]
            assert rows[f"report {name}"].split()[0] in ("ok", "note"), res.output
        assert "count" in rows["report conversations_drilldown"]
        assert rows["state"] == "ok no unit loaded yet"
        assert "everything is fine" in res.output
        # one request per report, every list once, the token: nothing else
        per_report = report_requests(sim)
        assert sum(per_report.values()) == len(REPORTS), per_report
        assert all(n == 1 for n in per_report.values())
        by_path = sim.log.by_path()
        assert all(by_path[p] == 1 for p in LISTS), by_path
        assert f"requests: {len(sim.log.snapshot())};" in res.output
    # it wrote nothing: no database, no Parquet folder, no archive folder
    assert not (tmp_path / "hs.db").exists()
    assert not (tmp_path / "pq").exists() and not (tmp_path / "archive").exists()


def test_a_plan_without_docs_is_named_and_exits_1(tmp_path):
    with Simulator(seed=5, faults=Faults(deny=frozenset({"docs"}))) as sim:
        res = check(write_config(tmp_path, sim.base_url))
        assert res.exit_code == 1, res.output
        rows = lines_of(res.output)
        assert rows["report docs"].startswith("denied 403")
        assert rows["report company"].startswith("ok")
        assert sum(report_requests(sim).values()) == len(REPORTS)
        assert "some checks are not fine (exit 1)" in res.output


def renamed_and_retyped(path, query, n, payload):
    """The API changed: company's customersHelped is renamed, drilldown threadCount is text."""
    if path == "/v2/reports/company":
        current = payload["current"]
        current["customersHelpedCount"] = current.pop("customersHelped")
    if path == "/v2/reports/conversations/drilldown":
        for result in payload["conversations"]["results"]:
            result["threadCount"] = f"{result['threadCount']} threads"
    return payload


def test_a_changed_payload_shows_each_difference_with_its_path(tmp_path):
    with Simulator(seed=5) as sim, MangleProxy(sim.base_url, renamed_and_retyped) as proxy:
        path = write_config(tmp_path, proxy.base_url)
        res = check(path)
        assert res.exit_code == 1, res.output
        rows = lines_of(res.output)
        assert rows["report company"].startswith("differs")
        assert rows["report conversations_drilldown"].startswith("differs")
        assert rows["report productivity"].startswith("ok")
        text = " ".join(res.output.split())
        assert "new key at $.current.customersHelpedCount" in text
        assert "absent at $.current.customersHelped:" in text
        assert "wrong type at $.conversations.results[0].threadCount" in text
        assert sum(report_requests(sim).values()) == len(REPORTS)
        data = json.loads(check(path, "--format", "json").output)
    assert data["ok"] is False
    company = next(c for c in data["checks"] if c["check"] == "report company")
    found = {(f["kind"], f["path"]) for f in company["findings"]}
    assert ("new key", "$.current.customersHelpedCount") in found
    assert ("absent", "$.current.customersHelped") in found
    drill = next(c for c in data["checks"] if c["check"] == "report conversations_drilldown")
    wrong = [f for f in drill["findings"] if f["kind"] == "wrong type"]
    assert wrong[0]["path"] == "$.conversations.results[0].threadCount"
    assert wrong[0]["count"] > 1  # every sampled result, counted once


def test_wrong_credentials_fail_the_token_line_and_ask_no_report(tmp_path):
    with Simulator(seed=5, client_secret="another") as sim:
        res = check(write_config(tmp_path, sim.base_url))
        assert res.exit_code == 1
        rows = lines_of(res.output)
        assert rows["token"].startswith("failed")
        reports = [v for k, v in rows.items() if k.startswith("report ")]
        assert len(reports) == len(REPORTS) and all(v.startswith("skipped") for v in reports)
        assert report_requests(sim) == {}
        assert "simulator-secret" not in res.output


def test_an_unwritable_destination_fails_its_line(tmp_path):
    blocker = tmp_path / "a-file"  # a file where the folder should go: unwritable, even for root
    blocker.write_text("")
    with Simulator(seed=5) as sim:
        path = write_config(tmp_path, sim.base_url, parquet={"path": str(blocker / "pq")})
        res = check(path, "--reports", "company")
    assert res.exit_code == 1
    line = lines_of(res.output)["destination parquet"]
    assert line.startswith("failed parquet: cannot write to") and "Not a directory" in line


def test_postgres_is_probed_and_left_as_it_was(tmp_path):
    dest = Dest("postgres", tmp_path)
    try:
        with Simulator(seed=5) as sim:
            path = write_config(tmp_path, sim.base_url, sql=dest.sql())
            res = check(path, "--reports", "company")
        assert res.exit_code == 0, res.output
        assert "created, written and dropped" in lines_of(res.output)["destination sql"]
        with dest.engine.connect() as c:  # not even the schema is left
            schemas = c.execute(
                sa.text("select count(*) from pg_namespace where nspname = :s"), {"s": dest.schema}
            ).scalar_one()
        assert schemas == 0
    finally:
        dest.drop()


def test_the_readme_first_night_runs_as_written(tmp_path, monkeypatch):
    """The docs' four first-night commands, with prod.yaml pointed at the simulator."""
    readme = (Path(__file__).parents[1] / "docs" / "operations.md").read_text()
    section = readme.split("## First night on a real account", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")
    destinations = yaml.safe_load(
        next(b for b in blocks if b.startswith("yaml")).removeprefix("yaml")
    )
    assert set(destinations["destinations"]) == {"sql", "archive"}
    commands = [
        line.split("#")[0].split()
        for block in blocks
        if block.startswith("bash")
        for line in block.splitlines()
        if line.startswith("hs-extract ")
    ]
    assert [c[1] for c in commands] == ["check", "plan", "run", "check"]
    with Simulator(seed=5) as sim:
        monkeypatch.chdir(tmp_path)
        write_config(tmp_path, sim.base_url, sql={"url": f"sqlite:///{tmp_path}/wh.db"})
        (tmp_path / "cfg.yaml").rename(tmp_path / "prod.yaml")
        for command in commands:
            res = CliRunner().invoke(main, command[1:])
            assert res.exit_code == 0, (command, res.output)
        assert (tmp_path / "archive").is_dir() and list((tmp_path / "archive").rglob("*.json.zst"))
        state = lines_of(res.output)["state"]  # the last check saw the week the run loaded
        assert state.startswith("ok") and "units loaded; each holds what the API said" in state
