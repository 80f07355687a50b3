"""``hs-extract demo``: the simulator, a full run into Parquet and SQLite, a summary, a chart.

No Help Scout account needed: the built-in simulator serves a synthetic account, and the same
pipeline a nightly job runs loads all 32 reports for the last ``days`` days into
``<out>/parquet`` and ``<out>/helpscout.db``, in daily and weekly windows. Then
``<out>/overview.png`` shows what a support lead looks at first (``chart.py``).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import err, guarded, out

if TYPE_CHECKING:
    import pandas as pd

    from ..pipeline import Config, RunResult

__all__ = ["DemoResult", "demo", "demo_config", "run_demo"]


@dataclass
class DemoResult:
    out: Path
    run: RunResult
    chart: Path | None  # None: units failed, nothing drawn from partial data
    tables: pd.DataFrame  # table, rows, windows


def demo_config(
    base_url: str,
    client_id: str,
    client_secret: str,
    out: Path,
    days: int,
    today: dt.date | None = None,
) -> Config:
    """The demo's config: every report and every user and team, in daily windows and weekly
    ones (a week's averages and distinct counts as Help Scout computes the week)."""
    from ..pipeline import parse_config

    today = today or dt.datetime.now(dt.UTC).date()
    return parse_config(
        {
            "source": {
                "base_url": base_url,
                "client_id": client_id,
                "client_secret": client_secret,
                # the simulator's limit is raised for the demo; a real account's is 400-800
                "rate_limit_per_minute": 100_000,
                "max_workers": 6,
            },
            "windows": {
                "start": str(today - dt.timedelta(days=days)),
                "size": ["day", "week"],
                "lookback": 3,
                "compare_previous": True,  # previous rows and the __deltas tables filled
                "timezone": "UTC",
            },
            "reports": ["all"],
            "destinations": {
                "parquet": {"path": str(out / "parquet")},
                "sql": {"url": f"sqlite:///{out / 'helpscout.db'}"},
            },
        }
    )


def run_demo(
    out: Path | str = "hs_demo", days: int = 28, seed: int = 1, progress: bool = False
) -> DemoResult:
    """Serve the simulator in this process, load everything, draw the chart. Interrupted
    (Ctrl-C, SIGTERM): raises it, with nothing drawn from partial data; the next demo goes on
    where this one stopped. Units that failed: no chart either (``chart`` is None)."""
    from .. import interrupt
    from ..pipeline import Job
    from ..simulator import Simulator
    from .jobs import execute

    out = Path(out)
    with Simulator(seed=seed, rate_limit=100_000) as sim:
        config = demo_config(sim.base_url, sim.client_id, sim.client_secret, out, days)
        job = Job(config)
        try:
            result = execute(job, lambda tick: job.run(progress=tick), progress)
        finally:
            job.close()
    if result.interrupted:
        raise interrupt.Terminated() if result.interrupted == 143 else interrupt.Interrupted()
    from .chart import plot_overview

    chart = plot_overview(out / "parquet", out / "overview.png") if result.ok else None
    return DemoResult(out, result, chart, landed(out / "parquet"))


def landed(parquet: Path) -> pd.DataFrame:
    """What the run left: one line per table with its rows and windows of any grain (0: a
    snapshot)."""
    import pandas as pd
    import pyarrow.dataset as ds

    from ..normalize import table_specs

    specs = table_specs()
    rows = []
    for folder in sorted(p for p in parquet.iterdir() if p.is_dir()):
        data = ds.dataset(folder, format="parquet", partitioning="hive")
        if specs[folder.name].dimension:
            rows.append({"table": folder.name, "rows": data.count_rows(), "windows": 0})
            continue
        table = data.to_table(columns=["grain", "window_start"])
        grains, starts = (table.column(c).to_pylist() for c in ("grain", "window_start"))
        windows = len(set(zip(grains, starts, strict=True)))
        rows.append({"table": folder.name, "rows": table.num_rows, "windows": windows})
    return pd.DataFrame(rows, columns=["table", "rows", "windows"])


@click.command(
    epilog="""\b
Examples:
  hs-extract demo                   # into ./hs_demo
  hs-extract demo --out demo-week --days 7
"""
)
@click.option(
    "--out",
    "out_dir",
    default="hs_demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the Parquet files, the SQLite database and the chart go.",
)
@click.option(
    "--days",
    default=28,
    show_default=True,
    type=click.IntRange(1, 365),
    help="Daily windows to load, ending yesterday.",
)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
@click.option("--debug", is_flag=True, help="Debug logs and tracebacks.")
@guarded
def demo(out_dir, days, no_progress, debug) -> None:
    """Simulator + a full run of all 32 reports into Parquet and SQLite, a summary and a chart."""
    err.print(
        f"Serving a simulated Help Scout account and loading all 32 reports for the last "
        f"{days} days into {out_dir}/ …",
        markup=False,
    )
    result = run_demo(Path(out_dir), days=days, progress=not no_progress and err.is_terminal)
    run = result.run
    if not run.ok:
        for unit, message in run.failures[:20]:
            err.print(f"failed: {unit}: {message}", markup=False)
        err.print("the demo did not load everything: no chart; run it again to go on")
        sys.exit(1)
    from rich.table import Table

    table = Table(title="What landed", show_edge=False)
    for col in ("table", "rows", "windows"):
        table.add_column(col, justify="left" if col == "table" else "right")
    for row in result.tables.itertuples():
        table.add_row(str(row.table), f"{row.rows:,}", str(row.windows))
    out.print(table)
    out.print(
        f"{run.units_loaded} units loaded; {sum(run.rows.values()):,} rows in "
        f"{len(result.tables)} tables; run {run.run_id}",
        markup=False,
    )
    base = Path(out_dir)
    out.print(
        f"""
Explore it:
  chart     {result.chart}
  pandas    python -c "import pandas as pd; print(pd.read_parquet('{base}/parquet/company'))"
  SQLite    sqlite3 {base}/helpscout.db "select window_date, customers_helped from company
            where grain = 'day' and period = 'current'"
  notebooks hs-extract init (writes them, and a starter config), then jupyter lab notebooks/
  your own  hs-extract init, set HELPSCOUT_CLIENT_ID/SECRET, hs-extract run --config hs-extract.yaml
""",
        markup=False,
    )
