"""``hs-extract runs``: the past runs of a config's destination, newest last."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..errors import StateError
from .common import guarded, log_options, open_job, out

COLUMNS = ("run", "started", "status", "duration", "units", "rows", "requests", "429s", "failed")


def past_runs(job, last: int) -> list[dict]:
    """The last ``last`` runs, oldest first: from ``_hs_extract_runs``, else ``_runs.jsonl``."""
    import sqlalchemy as sa

    sql = job.sql
    if sql is not None:
        runs = sql.runs
        query = sa.select(runs).order_by(runs.c.started_at.desc()).limit(last)
        with sql.bounded.read() as conn:
            if not sa.inspect(conn).has_table(runs.name, schema=sql.schema):
                return []
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return rows[::-1]
    path = Path(job.config.parquet_path) / "_runs.jsonl"  # (no SQL: a local folder)
    if not path.exists():
        return []
    try:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise StateError(f"runs: {path} is unreadable ({exc})") from None
    for r in rows:
        for key in ("started_at", "finished_at"):
            if isinstance(r.get(key), str):
                r[key] = dt.datetime.fromisoformat(r[key])
    return rows[-last:]


def _duration(r: dict) -> str:
    start, end = r.get("started_at"), r.get("finished_at")
    if not start or not end:
        return "-"
    seconds = (end - start).total_seconds()
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


@click.command(
    epilog="""\b
Examples:
  hs-extract runs --config prod.yaml
  hs-extract runs --config prod.yaml --last 50
"""
)
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--last", default=10, show_default=True, type=click.IntRange(1), help="How many.")
@log_options
@guarded
def runs(config_path, last, debug) -> None:
    """Past runs: status, duration, units, rows, requests, 429s and failures."""
    job, _ = open_job(config_path, None, needs=())  # no request: no credentials
    try:
        rows = past_runs(job, last)
    finally:
        job.close()
    if not rows:
        out.print("no runs yet", markup=False)
        return
    from rich.table import Table

    table = Table(show_edge=False)
    for col in COLUMNS:
        table.add_column(
            col, justify="right" if col not in ("run", "started", "status") else "left"
        )
    for r in rows:
        started = r.get("started_at")
        table.add_row(
            str(r.get("run_id")),
            started.strftime("%Y-%m-%d %H:%M") if started else "-",
            str(r.get("status")),
            _duration(r),
            f"{r.get('units_loaded') or 0:,}/{r.get('units_planned') or 0:,}",
            f"{r.get('rows') or 0:,}",
            f"{r.get('requests') or 0:,}",
            str(r.get("rate_limited") or 0),
            str(r.get("units_failed") or 0),
        )
    out.print(table)
    failed = [r for r in rows if r.get("message")]
    if failed:
        newest = failed[-1]
        out.print(f"last message ({newest['run_id']}): {newest['message'][:300]}", markup=False)
