"""The dbt package in ``dbt/`` (issue 23): sources and staging generated from the declared
schemas, marts that read every figure from a window of their own grain.

A month is loaded at grains ``[day, month]`` from the simulator into DuckDB and PostgreSQL,
``dbt build`` runs (models and all 400-odd tests), and the marts' monthly figures are checked
against the simulator's own monthly answer where a figure does not add up over days, and
against the sum of the day rows where it does. dbt runs from ``.venv-dbt`` (``make test``
builds it: dbt's pins clash with the dev tools'), or the dbt named by ``HS_TEST_DBT``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from hs_extract.normalize import RequestMeta, normalize
from hs_extract.normalize import dbt as dbtgen
from hs_extract.normalize.schema import main_table
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import Dest, sim_source

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "dbt"
SIMULATOR = {"seed": 23}
USER = 100001
MONTH = ("2026-10-01", "2026-11-01")
#: what the marts read; every other model is disabled by helpscout_reports
REPORTS = [
    "company",
    "conversations",
    "conversations_channel_volumes",
    "happiness",
    "productivity",
    "conversations_drilldown",
]
USER_REPORTS = ["user", "user_happiness"]


def dbt_executable() -> str:
    found = os.environ.get("HS_TEST_DBT") or str(REPO / ".venv-dbt" / "bin" / "dbt")
    if not Path(found).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"dbt not found at {found}: make test builds .venv-dbt")
        pytest.skip(f"dbt not found at {found} (make test builds .venv-dbt)")
    return found


def test_the_generated_files_are_the_declared_schemas(capsys):
    assert dbtgen.main([str(PROJECT), "--check"]) == 0, capsys.readouterr().err


def test_a_changed_file_is_named(tmp_path, capsys):
    for path, text in dbtgen.files():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    view = tmp_path / dbtgen.STAGING / "stg_hs__company.sql"
    view.write_text(view.read_text().replace("customers_helped,", ""))
    assert dbtgen.main([str(tmp_path), "--check"]) == 1
    assert "stg_hs__company.sql: differs" in capsys.readouterr().err
    assert dbtgen.main([str(tmp_path)]) == 0 and dbtgen.main([str(tmp_path), "--check"]) == 0


def test_every_table_is_a_source_with_its_row_key_tested():
    sources = yaml.safe_load(dict(dbtgen.files())[dbtgen.STAGING / "_helpscout__sources.yml"])
    tables = {t["name"]: t for t in sources["sources"][0]["tables"]}
    from hs_extract.normalize import table_specs

    assert set(tables) == set(table_specs())
    company = tables["company"]
    assert company["data_tests"] == [
        {
            "hs_extract_unique_key": {
                "arguments": {"columns": ["grain", "window_start", "filters", "period"]}
            }
        }
    ]
    cols = {c["name"]: c for c in company["columns"]}
    assert cols["customers_helped"]["meta"] == {"unit": "count", "rollup": "none"}
    assert cols["period"]["data_tests"] == ["not_null"]
    users = {c["name"]: c for c in tables["users"]["columns"]}
    assert users["id"]["data_tests"] == ["unique", "not_null"]
    drill = {c["name"]: c for c in tables["company_drilldown"]["columns"]}
    assert "data_tests" not in drill["range"]  # a slice a config may leave out stays null


def dbt_build(dbt: str, dest: Dest, tmp_path: Path) -> subprocess.CompletedProcess:
    if dest.kind == "duckdb":
        db = dest.url.removeprefix("duckdb:///")
        output = {"type": "duckdb", "path": db, "schema": "main", "threads": 4}
    else:
        url = sa.engine.make_url(dest.url)
        output = {
            "type": "postgres",
            "host": url.host,
            "port": url.port or 5432,
            "user": url.username,
            "password": url.password or "",
            "dbname": url.database,
            "schema": dest.schema,
            "threads": 4,
        }
    profiles = {"hs_extract": {"target": "t", "outputs": {"t": output}}}
    (tmp_path / "profiles.yml").write_text(yaml.safe_dump(profiles))
    variables = {"helpscout_reports": REPORTS + USER_REPORTS}
    if dest.schema:
        variables["helpscout_schema"] = dest.schema
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_NO_VERSION_CHECK": "1"}
    return subprocess.run(
        [
            dbt,
            "build",
            "--project-dir",
            str(PROJECT),
            "--profiles-dir",
            str(tmp_path),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            json.dumps(variables),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def monthly(sim, report: str, **params) -> dict:
    """The simulator's own answer for the whole month, as hs_extract's main-table row."""
    answer = sim.client().fetch(report, start_date=MONTH[0], end_date=MONTH[1], **params)
    meta = RequestMeta.for_params({"start_date": MONTH[0], "end_date": MONTH[1], **params})
    return normalize(report, answer, meta)[main_table(report)].to_pylist()[0]


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def built(request, sim, tmp_path_factory):
    dbt = dbt_executable()
    tmp_path = tmp_path_factory.mktemp(f"dbt-{request.param}")
    dest = Dest(request.param, tmp_path)
    config = {
        "source": sim_source(sim, max_workers=4),
        "windows": {"start": MONTH[0], "end": MONTH[1], "size": ["day", "month"], "lookback": 0},
        "reports": REPORTS + [{"name": n, "users": [USER]} for n in USER_REPORTS],
        "destinations": {"sql": dest.sql()},
    }
    job = Job(parse_config(config))
    try:
        assert job.run().ok
    finally:
        job.close()
    try:
        done = dbt_build(dbt, dest, tmp_path)
        assert done.returncode == 0, done.stdout[-3000:]
        assert "Completed successfully" in done.stdout
        yield dest
    finally:
        if dest.schema:
            with dest.engine.begin() as c:
                c.execute(sa.text(f'drop schema if exists "{dest.schema}" cascade'))
        dest.engine.dispose()


def mart(dest: Dest, name: str) -> pd.DataFrame:
    with dest.engine.connect() as c:
        return pd.read_sql(sa.text(f"select * from {dest.qualify(name)}"), c)


def test_marts_take_each_figure_from_its_own_grain(sim, built):
    overview = mart(built, "helpscout__support_overview")
    days, month = overview[overview.grain == "day"], overview[overview.grain == "month"]
    assert len(days) == 31 and len(month) == 1
    row = month.iloc[0]
    company, conversations = monthly(sim, "company"), monthly(sim, "conversations")
    productivity, happiness = monthly(sim, "productivity"), monthly(sim, "happiness")
    # not additive: the month's own answer, which a sum of days would miss
    assert row.customers_helped == company["customers_helped"] != days.customers_helped.sum()
    assert row.active_conversations == conversations["total_conversations"]
    assert row.active_conversations != days.active_conversations.sum()
    for column, seconds, unit in [
        ("first_response_time_minutes", "first_response_time", 60),
        ("response_time_hours", "response_time", 3600),
        ("resolution_time_hours", "resolution_time", 3600),
        ("handle_time_minutes", "handle_time", 60),
    ]:
        assert row[column] * unit == pytest.approx(productivity[seconds]), column
    great, bad, n = (happiness[k] for k in ("great_count", "not_good_count", "ratings_count"))
    assert row.ratings_count == n > 0
    assert row.happiness_score == pytest.approx(100 * (great - bad) / n)
    # additive: the month equals the sum of its days
    for column in [
        "new_conversations",
        "new_email_conversations",
        "new_chat_conversations",
        "new_phone_conversations",
        "replies_sent",
        "resolved",
        "closed",
        "ratings_count",
    ]:
        assert row[column] == days[column].sum(), column
    assert row.new_conversations == conversations["new_conversations"]


def test_user_performance_is_the_members_monthly_answer(sim, built):
    perf = mart(built, "helpscout__user_performance")
    month = perf[(perf.grain == "month") & (perf.user_id == USER)]
    days = perf[(perf.grain == "day") & (perf.user_id == USER)]
    assert len(month) == 1 and len(days) == 31
    row, api = month.iloc[0], monthly(sim, "user", user=USER)
    assert row.member_type == "user" and isinstance(row.member_name, str)
    assert row.customers_helped == api["customers_helped"] != days.customers_helped.sum()
    assert row.response_time_minutes * 60 == pytest.approx(api["response_time"])
    assert row.replies_sent == api["total_replies"] == days.replies_sent.sum()
    rated = monthly(sim, "user_happiness", user=USER)
    assert row.ratings_count == rated["ratings_count"]


def test_tag_and_mailbox_trends_count_distinct_conversations_per_grain(sim, built):
    tags = mart(built, "helpscout__tag_trends")
    month = tags[tags.grain == "month"].sort_values("tag_rank")
    top = monthly(sim, "conversations")  # the month's top tags, as the API ranks them
    assert len(month) > 0 and month.tag_rank.tolist() == list(range(1, len(month) + 1))
    assert "(untagged)" in set(month.tag_name) or month.tag_name.notna().all()
    assert month.conversations.iloc[0] >= month.conversations.iloc[-1]
    assert top["tags__count"] >= len(month)
    boxes = mart(built, "helpscout__mailbox_trends")
    by_grain = boxes.groupby("grain").active_conversations.sum()
    assert by_grain["day"] > by_grain["month"] > 0  # a conversation is active on many days
    assert boxes.mailbox_name.notna().all()
