"""``hs-extract run`` and ``plan``: the scheduled job and what it would cost."""

from __future__ import annotations

import logging

import click

from .common import (
    _date,
    common,
    err,
    guarded,
    leave,
    log_options,
    open_job,
    out,
    wait_option,
)
from .logs import Heartbeat, eta_words, json_logs, say


def budget_options(fn=None, *, plan: bool = False):
    """--max-minutes and --max-requests: a run's budget; ``plan`` counts the runs a backfill
    needs at that budget (and says so in its help: it starts nothing)."""
    if fn is None:
        return lambda f: budget_options(f, plan=plan)
    requests, minutes = (
        (
            "Count the runs a backfill needs at this many requests per run.",
            "Count the runs a backfill needs at this many minutes per run.",
        )
        if plan
        else (
            "Start no unit once this run has made this many requests (exit 3: go on next run).",
            "Start no unit after this many minutes (exit 3: the next run goes on).",
        )
    )
    fn = click.option("--max-requests", type=click.IntRange(1), help=requests)(fn)
    return click.option("--max-minutes", type=click.FloatRange(0, min_open=True), help=minutes)(fn)


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
@budget_options
@guarded
def run(
    config_path,
    start,
    end,
    reports,
    full_refresh,
    debug,
    strict,
    no_progress,
    wait,
    max_minutes,
    max_requests,
) -> None:
    """Load the configured reports incrementally into Parquet and/or SQL.

    One run at a time per destination: a second one exits 75, naming the first. With a
    budget (--max-minutes, --max-requests) no unit starts once it is spent: exit 3, and
    the next run goes on."""
    job, names = open_job(config_path, reports, strict)
    try:
        result = execute(
            job,
            lambda tick: job.run(
                start,
                end,
                names,
                full_refresh,
                wait=wait,
                progress=tick,
                max_minutes=max_minutes,
                max_requests=max_requests,
            ),
            progress=not no_progress and err.is_terminal,
        )
    finally:
        job.close()
    summary(job, result)
    leave(result.exit_code)


def execute(job, work, progress: bool, requests: bool = True):
    """``work(tick)`` with a progress bar (units, requests, 429s, rate-limit waits, ETA) on a
    terminal; elsewhere with a progress line in the log every minute (``requests``: the job
    calls the API, and its counts are shown)."""
    if not requests:  # a rebuild: units only
        with Heartbeat(None) as beat:
            return work(beat.tick)
    if not progress:
        with Heartbeat(job.client.stats) as beat:
            return work(beat.tick)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    stats, limiter = job.client.stats, job.client.limiter
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TextColumn("ETA {task.fields[eta]}"),  # requests left at the recent rate (pace.py)
    ]
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("units", total=None, info="planning…", eta="unknown")

        def tick(result, req):
            if bar.tasks[task].total is None:
                bar.update(task, total=len(result.plan.units))
            done = result.units_loaded + len(result.failures)
            info = (
                f"requests {stats.requests}  429s {stats.rate_limited}  "
                f"waits {limiter.stats.wait_seconds + stats.backoff_seconds:.0f}s"
            )
            eta = eta_words(result.pace.eta() if result.pace else None)
            bar.update(task, completed=done, info=info, eta=eta)

        return work(tick)


def requests_text(result, stats) -> str:
    """What the requests went to, each part counted (never a difference that can go
    negative): planned ones made, pages after the first, and the rest (lists, tokens,
    retries); the planned ones left when the run stopped early."""
    pace, planned = result.pace, len(result.plan.requests)
    made = pace.finished if pace else 0
    more = pace.fetched_more if pace else 0
    rest = max(0, stats.requests - made - more)
    text = f"requests {stats.requests:,} ({made:,} of {planned:,} planned"
    text += f", {more:,} further pages, {rest:,} lists, tokens and retries)"
    if made < planned:
        text += f"; {planned - made:,} planned requests left for the next run"
    return text


def summary(job, result, requests: bool = True) -> None:
    """The end-of-run report: rows per table, requests, retries, 429s, failures
    (``requests``: the job called the API)."""
    from rich.table import Table

    stats = job.client.stats if requests else None
    table = Table(title=f"run {result.run_id}", show_edge=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in sorted(result.rows.items()):
        table.add_row(name, f"{n:,}")
    out.print(table)
    plan = result.plan
    if stats is None:  # a rebuild: every unit from the archive
        out.print(
            f"units loaded {result.units_loaded}/{len(plan.units)} from the archive; requests 0",
            markup=False,
        )
    else:
        out.print(
            f"units loaded {result.units_loaded:,}/{len(plan.units):,} "
            f"({plan.units_total - len(plan.units):,} up to date); {requests_text(result, stats)}; "
            f"retries {stats.retries:,}; 429s {stats.rate_limited:,}",
            markup=False,
        )
    for report in result.removed:
        say(
            f"no longer in the config: {report} (its tables stay and are no longer updated)",
            "report_removed",
            report=report,
        )
    if result.repeats:
        repeats = ", ".join(f"{t} {n}" for t, n in sorted(result.repeats.items()))
        say(
            f"repeated results dropped (a result sent twice while paging): {repeats}",
            "repeats_dropped",
            tables=dict(result.repeats),
        )
    for unit, expected, landed in result.mismatches[:20]:
        say(
            f"reconcile: {unit}: the API said {expected} results, {landed} landed",
            "reconcile",
            unit=unit,
            expected=expected,
            landed=landed,
        )
    for key in sorted(result.unknown_keys):
        say(f"new key (kept in _extra): {key}", "new_key", key=key)
    for where, what in sorted(result.converted.items()):
        say(f"converted: {where}: {what}", "value_converted", where=where)
    for unit in result.kept[:50]:
        say(f"kept: {unit}", "unit_kept", unit=unit)
    for report, message in result.denied.items():
        say(f"denied: {report}: {message}", "report_denied", report=report, error=message)
    for unit, message in result.failures[:50]:
        say(f"failed: {unit}: {message}", "unit_failed", logging.ERROR, unit=unit, error=message)
    if len(result.failures) > 50:
        say(f"… and {len(result.failures) - 50} more failed units", "more_failed", logging.ERROR)
    for unit in result.missing[:50]:
        say(
            f"failed: {unit}: not in the archive (forgotten if loaded: the next run fetches it)",
            "unit_failed",
            logging.ERROR,
            unit=unit,
            error="not in the archive",
        )
    if len(result.missing) > 50:
        say(f"… and {len(result.missing) - 50} more not in the archive", "more_failed")
    if result.error:
        say(f"error: {result.error}", "job_failed", logging.ERROR, error=result.error)
    if result.failures and stats is not None:
        say("failed units are tried again by the next run", "retry_next_run")
    if result.log_error:
        say(f"the run could not be logged: {result.log_error}", "log_failed")
    if result.partial:
        say(
            "partial: the run's budget is spent; the next run goes on where this one stopped",
            "partial",
        )
    if result.interrupted:
        say("interrupted: units not finished are loaded by the next run", "interrupted")
    if json_logs():  # the run's outcome as one machine-readable line
        say(
            f"run {result.run_id}: {result.status}",
            "run_finished",
            logging.INFO,
            run_id=result.run_id,
            status=result.status,
            units_planned=len(plan.units),
            units_loaded=result.units_loaded,
            units_failed=len(result.failures),
            requests=stats.requests if stats else 0,
            rate_limited=stats.rate_limited if stats else 0,
            rows=sum(result.rows.values()),
        )


@click.command(
    epilog="""\b
Examples:
  hs-extract plan --config prod.yaml
  hs-extract plan --config prod.yaml --start 2024-01-01 --full-refresh
  hs-extract plan --config prod.yaml --start 2024-01-01 --max-minutes 60   # runs of an hour
"""
)
@common
@budget_options(plan=True)
@guarded
def plan(config_path, start, end, reports, full_refresh, debug, max_minutes, max_requests) -> None:
    """Show the windows and requests a run would make, and their time at the rate limit."""
    job, names = open_job(config_path, reports)
    try:
        job.preflight(start, end, names)
        job.client.connect()
        p = job.plan(start, end, names, full_refresh)
    finally:
        job.close()
    cfg = job.config
    w = p.windows
    span = f"{w[0].label} … {w[-1].label}" if w else "none (nothing is over yet)"
    out.print(
        f"windows: {len(w)} × {'/'.join(cfg.windows.grains)} ({cfg.windows.timezone}): {span}",
        markup=False,
    )
    from rich.table import Table

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
    budget = job.client.limiter.budget
    minutes = len(p.requests) / budget
    out.print(
        f"requests: {len(p.requests)} (first pages; drilldown pages beyond the first are "
        f"known only when fetched) — {minutes:.1f} min at {budget} requests/minute",
        markup=False,
    )
    per_run = [n for n in (max_requests, max_minutes and int(max_minutes * budget)) if n]
    if per_run and p.requests:
        runs = -(-len(p.requests) // min(per_run))  # ceil: the first pages alone
        out.print(
            f"runs: {runs} at most {min(per_run):,} requests each (--max-requests, "
            "--max-minutes); each run goes on where the last stopped",
            markup=False,
        )
    for report, why in p.skipped.items():
        err.print(f"skipped: {report}: {why}", markup=False)


@click.command(
    epilog="""\b
Examples:
  hs-extract rebuild --config prod.yaml
  hs-extract rebuild --config prod.yaml --reports company --start 2025-01-01 --end 2025-02-01
"""
)
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--start", callback=_date, help="First window, YYYY-MM-DD.")
@click.option("--end", callback=_date, help="End of the last window, YYYY-MM-DD.")
@click.option("--reports", help="Only these reports (comma-separated names).")
@wait_option
@log_options
@guarded
def rebuild(config_path, start, end, reports, wait, debug) -> None:
    """Remake the tables from the raw archive (destinations.archive): zero API requests."""
    job, names = open_job(config_path, reports, needs=("client_id",))  # no secret: no request
    try:
        result = execute(
            job,
            lambda tick: job.rebuild(start, end, names, wait=wait, progress=tick),
            progress=False,
            requests=False,
        )
    finally:
        job.close()
    summary(job, result, requests=False)
    leave(result.exit_code)
