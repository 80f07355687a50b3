"""``hs-extract state show|reset``: inspect or forget the windows a destination holds."""

from __future__ import annotations

import datetime as dt
import difflib
import sys

import click

from ..errors import ConfigError
from .common import _date, guarded, log_options, open_job, out, wait_option


@click.group(
    epilog="""\b
Examples:
  hs-extract state show --config prod.yaml
  hs-extract state reset --config prod.yaml --report happiness --start 2025-03-01
"""
)
def state() -> None:
    """Inspect or reset incremental state."""


@state.command(
    "show",
    epilog="""\b
Examples:
  hs-extract state show --config prod.yaml
  hs-extract state show --config prod.yaml --report user
""",
)
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--report", help="Only this report.")
@log_options
@guarded
def state_show(config_path, report, debug) -> None:
    """Loaded windows per report and slice."""
    job, _ = open_job(config_path, None, needs=())  # no request: no credentials
    known_report(job, report)
    try:
        rows = job.state.state_rows(report)
    finally:
        job.close()
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r["report"], r["slice"]), []).append(r)
    from rich.table import Table

    table = Table(show_edge=False)
    for col in ("report", "slice", "windows", "first", "last", "rows", "last run"):
        table.add_column(col)
    for (rep, sl), items in groups.items():
        starts = sorted(str(i["window_start"])[:16] for i in items)
        table.add_row(
            rep,
            sl or "-",
            str(len(items)),
            starts[0],
            starts[-1],
            f"{sum(i['rows'] for i in items):,}",
            str(items[-1]["run_id"]),
        )
    out.print(table if groups else "no state: the next run loads every window")


@state.command(
    "reset",
    epilog="""\b
Examples:
  hs-extract state reset --config prod.yaml --report company --yes
  hs-extract state reset --config prod.yaml --start 2025-03-01 --end 2025-04-01
""",
)
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--report", help="Only this report.")
@click.option("--start", callback=_date, help="Only windows from this date, YYYY-MM-DD.")
@click.option("--end", callback=_date, help="Only windows before this date, YYYY-MM-DD.")
@click.option("--yes", is_flag=True, help="Do not ask (needed when stdin is not a terminal).")
@wait_option
@log_options
@guarded
def state_reset(config_path, report, start, end, yes, wait, debug) -> None:
    """Forget loaded windows: the next run reloads them (their rows are replaced, not doubled)."""
    job, _ = open_job(config_path, None, needs=())  # no request: no credentials
    known_report(job, report)
    if start and end and end <= start:
        raise ConfigError(f"--end: {end} is not after --start {start}; allowed: a later --end")
    try:
        with job.locked(wait):
            what = f"the windows of {report}" if report else "every loaded window"
            if start or end:
                what += f" from {start or 'the first'} to {end or 'the last'}"
            confirm(f"forget {what} in {', '.join(job.dest.names)}?", yes)
            tz = job.config.windows.timezone
            n = job.state.reset(
                [report] if report else None, start=_midnight(start, tz), end=_midnight(end, tz)
            )
    finally:
        job.close()
    out.print(f"state reset: {n} window(s) forgotten", markup=False)


def known_report(job, report: str | None) -> None:
    """ConfigError (with close names) when ``--report`` is not one of the config's."""
    if report is None:
        return
    names = [r.name for r in job.config.reports]
    if report not in names:
        close = difflib.get_close_matches(report, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(
            f"--report: {report!r} is not a report of the config{hint} (allowed: "
            f"{', '.join(names)})"
        )


def _midnight(day: dt.date | None, tz: str) -> dt.datetime | None:
    """Midnight of ``day`` in the windows' time zone (where windows start), in UTC."""
    from ..pipeline.windows import align

    return align(day, "day", tz).in_timezone("UTC") if day else None


def confirm(question: str, yes: bool) -> None:
    """Ask on a terminal; elsewhere ``--yes`` is the answer (ConfigError without it)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError(f"state reset: would {question[:-1]}; add --yes to confirm")
    if not click.confirm(question, default=False, err=True):
        raise ConfigError("state reset: not confirmed; nothing forgotten")
