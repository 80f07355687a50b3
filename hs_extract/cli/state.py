"""``hs-extract state show|reset``: inspect or forget the windows a destination holds."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from ..errors import ConfigError
from .common import guarded, open_pipeline, out, wait_option


@click.group()
def state() -> None:
    """Inspect or reset incremental state."""


@state.command("show")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--report", help="Only this report.")
@click.option("--debug", is_flag=True)
@guarded
def state_show(config_path, report, debug) -> None:
    """Loaded windows per report and slice."""
    pipeline, _ = open_pipeline(config_path, None)
    try:
        rows = pipeline.state.state_rows(report)
    finally:
        pipeline.close()
    groups: dict[tuple, list] = {}
    for r in rows:
        groups.setdefault((r["report"], r["slice"]), []).append(r)
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


@state.command("reset")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--report", help="Only this report.")
@click.option("--yes", is_flag=True, help="Do not ask (needed when stdin is not a terminal).")
@wait_option
@click.option("--debug", is_flag=True)
@guarded
def state_reset(config_path, report, yes, wait, debug) -> None:
    """Forget loaded windows: the next run reloads them (their rows are replaced, not doubled)."""
    pipeline, _ = open_pipeline(config_path, None)
    try:
        with pipeline.locked(wait):
            what = f"the windows of {report}" if report else "every loaded window"
            confirm(f"forget {what} in {', '.join(pipeline.dest.names)}?", yes)
            n = pipeline.state.reset([report] if report else None)
    finally:
        pipeline.close()
    out.print(f"state reset: {n} window(s) forgotten", markup=False)


def confirm(question: str, yes: bool) -> None:
    """Ask on a terminal; elsewhere ``--yes`` is the answer (ConfigError without it)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfigError(f"state reset: would {question[:-1]}; add --yes to confirm")
    if not click.confirm(question, default=False, err=True):
        raise ConfigError("state reset: not confirmed; nothing forgotten")
