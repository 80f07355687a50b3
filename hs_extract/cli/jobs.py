"""``hs-extract run`` and ``plan``: the scheduled job and what it would cost."""

from __future__ import annotations

import sys

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .common import common, err, guarded, open_pipeline, out, wait_option


@click.command(
    epilog="""\b
Examples:
  hs-extract run --config prod.yaml
  hs-extract run --config prod.yaml --start 2025-01-01 --end 2025-04-01   # backfill
  hs-extract run --config prod.yaml --reports company,happiness --full-refresh
"""
)
@common
@click.option("--strict", is_flag=True, help="Fail a unit whose payload has unknown keys.")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs only).")
@wait_option
@guarded
def run(config_path, start, end, reports, full_refresh, debug, strict, no_progress, wait) -> None:
    """Load the configured reports incrementally into Parquet and/or SQL.

    One run at a time per destination: a second one exits 75, naming the first."""
    pipeline, names = open_pipeline(config_path, reports, strict)
    try:
        with pipeline.locked(wait):  # before anything is created or cleaned up
            pipeline.check_config(names, rebuild=full_refresh)  # before any request
            pipeline.client.connect()  # credentials and host: nothing written if wrong
            pipeline.open(rebuild=full_refresh)
            result = execute(
                pipeline,
                start,
                end,
                names,
                full_refresh,
                progress=not no_progress and err.is_terminal,
            )
    finally:
        pipeline.close()
    summary(pipeline, result)
    sys.exit(0 if result.ok else 1)


def execute(pipeline, start, end, names, full_refresh, progress: bool):
    """Run with a progress bar (units, requests, 429s, rate-limit waits, ETA) when wanted."""
    if not progress:
        return pipeline.run(start, end, names, full_refresh)
    stats, limiter = pipeline.client.stats, pipeline.client.limiter
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("units", total=None, info="planning…")

        def tick(result, req):
            if bar.tasks[task].total is None:
                bar.update(task, total=len(result.plan.units))
            done = result.units_loaded + len(result.failures)
            info = (
                f"requests {stats.requests}  429s {stats.rate_limited}  "
                f"waits {limiter.stats.wait_seconds + stats.backoff_seconds:.0f}s"
            )
            bar.update(task, completed=done, info=info)

        return pipeline.run(start, end, names, full_refresh, progress=tick)


def summary(pipeline, result) -> None:
    """The end-of-run report: rows per table, requests, retries, 429s, failures."""
    stats = pipeline.client.stats
    table = Table(title=f"run {result.run_id}", show_edge=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in sorted(result.rows.items()):
        table.add_row(name, f"{n:,}")
    out.print(table)
    plan = result.plan
    out.print(
        f"units loaded {result.units_loaded}/{len(plan.units)} "
        f"({plan.units_total - len(plan.units)} up to date); "
        f"requests {stats.requests} ({len(plan.requests)} planned + "
        f"{result.pages - len(plan.requests)} more pages + lists, tokens and retries); "
        f"retries {stats.retries}; 429s {stats.rate_limited}",
        markup=False,
    )
    for report in result.removed:
        err.print(
            f"no longer in the config: {report} (its tables stay and are no longer updated)",
            markup=False,
        )
    if result.repeats:
        repeats = ", ".join(f"{t} {n}" for t, n in sorted(result.repeats.items()))
        err.print(
            f"repeated results dropped (a result sent twice while paging): {repeats}",
            markup=False,
        )
    for key in sorted(result.unknown_keys):
        err.print(f"new key (kept in _extra): {key}", markup=False)
    for report, message in result.denied.items():
        err.print(f"denied: {report}: {message}", markup=False)
    for unit, message in result.failures[:50]:
        err.print(f"failed: {unit}: {message}", markup=False)
    if len(result.failures) > 50:
        err.print(f"… and {len(result.failures) - 50} more failed units", markup=False)
    if result.failures:
        err.print("failed units are tried again by the next run", markup=False)


@click.command(
    epilog="""\b
Examples:
  hs-extract plan --config prod.yaml
  hs-extract plan --config prod.yaml --start 2024-01-01 --full-refresh
"""
)
@common
@guarded
def plan(config_path, start, end, reports, full_refresh, debug) -> None:
    """Show the windows and requests a run would make, and their time at the rate limit."""
    pipeline, names = open_pipeline(config_path, reports)
    try:
        pipeline.client.connect()
        p = pipeline.plan(start, end, names, full_refresh)
    finally:
        pipeline.close()
    cfg = pipeline.config
    w = p.windows
    span = f"{w[0].label} … {w[-1].label}" if w else "none (nothing is over yet)"
    out.print(
        f"windows: {len(w)} × {cfg.windows.size} ({cfg.windows.timezone}): {span}", markup=False
    )
    table = Table(show_edge=False)
    for col in ("report", "slices", "units to load", "requests"):
        table.add_column(col, justify="left" if col == "report" else "right")
    by_report: dict[str, list] = {}
    for r in p.requests:
        by_report.setdefault(r.report, []).append(r)
    for rc in cfg.reports:
        if names and rc.name not in names:
            continue
        reqs = by_report.get(rc.name, [])
        slices = len({r.slice.key for r in reqs})
        table.add_row(rc.name, str(slices), str(sum(len(r.windows) for r in reqs)), str(len(reqs)))
    out.print(table)
    budget = pipeline.client.limiter.budget
    minutes = len(p.requests) / budget
    out.print(
        f"requests: {len(p.requests)} (first pages; drilldown pages beyond the first are "
        f"known only when fetched) — {minutes:.1f} min at {budget} requests/minute",
        markup=False,
    )
    for report, why in p.skipped.items():
        err.print(f"skipped: {report}: {why}", markup=False)
