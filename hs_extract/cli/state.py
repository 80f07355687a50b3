"""``hs-extract state show|reset``: inspect or forget the windows a destination holds."""

from __future__ import annotations

import click
from rich.table import Table

from .common import guarded, open_pipeline, out


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
@click.option("--debug", is_flag=True)
@guarded
def state_reset(config_path, report, debug) -> None:
    """Forget loaded windows: the next run reloads them (their rows are replaced, not doubled)."""
    pipeline, _ = open_pipeline(config_path, None)
    try:
        n = pipeline.state.reset([report] if report else None)
    finally:
        pipeline.close()
    out.print(f"state reset: {n} window(s) forgotten", markup=False)
