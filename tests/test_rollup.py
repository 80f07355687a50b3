"""Metric semantics (issue 23): every metric column declares its unit and how it rolls up over
windows (sums, does not, or averages weighted by a count of its row), and that one
declaration is what the docs, the column comments (PostgreSQL, DuckDB) and the Parquet field
metadata say."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from hs_extract.normalize import table_specs
from hs_extract.normalize.docs import render
from hs_extract.normalize.fields import NONE, SUM, rollup_text, weighted
from hs_extract.pipeline import Job, parse_config
from tests.pipeline_support import sim_source

SIMULATOR = {"seed": 77}
METRIC_UNITS = {
    "count",
    "seconds",
    "percent",
    "percent change",
    "per day",
    "per visit",
    "replies",
    "messages",
    "score, -100 to 100",
}
REPORTS = ["company", "happiness", "conversations_new_conversations", "productivity"]


def metric_columns():
    for spec in table_specs().values():
        if spec.dimension:
            continue
        for column in spec.columns:
            if column.unit in METRIC_UNITS:
                yield spec, column


def test_every_metric_declares_how_it_rolls_up():
    rules = set()
    for spec, column in metric_columns():
        assert column.rollup, f"{spec.name}.{column.name}: no roll-up rule"
        if column.rollup not in (SUM, NONE):
            weight = column.rollup.removeprefix(weighted(""))
            assert column.rollup == weighted(weight), column.rollup
            assert weight in {c.name for c in spec.columns}, (spec.name, weight)
        rules.add(column.rollup)
    assert {SUM, NONE, weighted("ratings_count")} <= rules


@pytest.mark.parametrize(
    ("table", "column", "rule"),
    [
        ("company", "customers_helped", NONE),  # distinct customers: a month is not the sum
        ("company", "total_replies", SUM),
        ("productivity", "response_time", NONE),  # an average
        ("happiness", "happiness_score", weighted("ratings_count")),
        ("happiness", "great_count", SUM),
        ("conversations", "total_conversations", NONE),  # conversations active: distinct
        ("conversations_new_conversations", "count", SUM),
        ("company__deltas", "customers_helped", NONE),  # a percent change
    ],
)
def test_the_rules_a_support_lead_relies_on(table, column, rule):
    declared = {c.name: c.rollup for c in table_specs()[table].columns}
    assert declared[column] == rule


def test_the_table_reference_says_each_rule():
    text = render()
    assert "| `customers_helped` | int64 | count | **no** |" in text
    assert "| `total_replies` | int64 | count | sum |" in text
    assert "average weighted by ratings_count" in text


def config(sim, tmp_path, sql: dict) -> dict:
    return {
        "source": sim_source(sim),
        "windows": {"start": "2026-10-20", "end": "2026-10-21", "lookback": 0},
        "reports": REPORTS,
        "destinations": {"parquet": {"path": str(tmp_path / "pq")}, "sql": sql},
    }


def comments(dest) -> dict[tuple[str, str], str]:
    """(table, column) → the column's comment, as the database holds it."""
    if dest.kind == "duckdb":
        query = "select table_name, column_name, comment from duckdb_columns()"
    else:
        query = (
            "select c.table_name, c.column_name, col_description("
            "(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass, "
            "c.ordinal_position) from information_schema.columns c where c.table_schema = :s"
        )
    with dest.engine.connect() as c:
        rows = c.execute(sa.text(query), {"s": dest.schema} if dest.schema else {})
        return {(t, col): text for t, col, text in rows if text}


@pytest.mark.parametrize("dest", ["postgres", "duckdb"], indirect=True)
def test_column_comments_and_parquet_metadata_carry_the_rule(sim, tmp_path, dest):
    job = Job(parse_config(config(sim, tmp_path, dest.sql())))
    try:
        assert job.run().ok
    finally:
        job.close()
    found = comments(dest)
    checked = 0
    for spec, column in metric_columns():
        if spec.report not in REPORTS:
            continue
        comment = found.get((spec.name, column.name))
        assert comment and rollup_text(column.rollup) in comment and column.unit in comment, (
            spec.name,
            column.name,
            comment,
        )
        files = sorted((tmp_path / "pq" / spec.name).rglob("*.parquet"))
        if files:
            meta = pq.read_schema(files[0]).field(column.name).metadata or {}
            assert meta.get(b"rollup", b"").decode() == column.rollup, (spec.name, column.name)
            assert meta.get(b"unit", b"").decode() == column.unit
        checked += 1
    assert checked > 60
