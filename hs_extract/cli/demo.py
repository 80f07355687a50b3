"""``hs-extract demo``: the simulator, a full run into Parquet and SQLite, a summary, a chart.

No Help Scout account needed: the built-in simulator serves a synthetic account, and the same
pipeline a nightly job runs loads all 32 reports for the last ``days`` days into
``<out>/parquet`` and ``<out>/helpscout.db``. Then ``<out>/overview.png`` shows what a support
lead looks at first: volume by channel, response and resolution time, happiness.
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

__all__ = ["DemoResult", "demo", "demo_config", "plot_overview", "run_demo"]


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
    """The demo's config: every report and every user and team, daily windows."""
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
                "size": "day",
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
    chart = plot_overview(out / "parquet", out / "overview.png") if result.ok else None
    return DemoResult(out, result, chart, landed(out / "parquet"))


def landed(parquet: Path) -> pd.DataFrame:
    """What the run left: one line per table with its rows and windows (0: a snapshot)."""
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
        table = data.to_table(columns=["window_start"])
        windows = len(set(table.column("window_start").to_pylist()))
        rows.append({"table": folder.name, "rows": table.num_rows, "windows": windows})
    return pd.DataFrame(rows, columns=["table", "rows", "windows"])


def _daily(parquet: Path, table: str, value: str) -> pd.Series:
    import pandas as pd

    frame = pd.read_parquet(parquet / table, columns=["period", "date", value])
    frame = frame[frame["period"] == "current"].sort_values("date")
    return frame.set_index("date")[value]


def plot_overview(parquet: Path, path: Path) -> Path:
    """Four panels from the Parquet export: volume, speed, happiness, busy hours."""
    import matplotlib
    import pandas as pd

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    parquet, path = Path(parquet), Path(path)
    volume = pd.read_parquet(parquet / "conversations_channel_volumes")
    volume = volume[volume["period"] == "current"].sort_values("date").set_index("date")
    response = _daily(parquet, "productivity_response_time", "time") / 3600
    resolution = _daily(parquet, "productivity_resolution_time", "time") / 3600
    happy = pd.read_parquet(parquet / "happiness")
    happy = happy[happy["period"] == "current"].sort_values("window_start")
    busy = pd.read_parquet(parquet / "conversations_busiest_times")
    grid = busy.pivot_table(index="day", columns="hour", values="count", aggfunc="sum")

    fig, axes = plt.subplots(2, 2, figsize=(14, 9), constrained_layout=True)
    fig.suptitle("Help Scout support overview (hs_extract demo, simulated account)", fontsize=15)
    ax = axes[0][0]
    days = pd.DatetimeIndex(volume.index).tz_convert(None).to_pydatetime()
    bottom = None
    for channel, colour in (("email", "#3b7dd8"), ("chat", "#f0a030"), ("phone", "#5cb85c")):
        ax.bar(days, volume[channel], bottom=bottom, label=channel, color=colour, width=0.8)
        bottom = volume[channel] if bottom is None else bottom + volume[channel]
    ax.set(title="New conversations per day, by channel", ylabel="conversations")
    ax.legend(loc="upper left")
    ax = axes[0][1]
    for series, marker, label in (
        (response, "o", "response time"),
        (resolution, "s", "resolution time"),
    ):
        when = pd.DatetimeIndex(series.index).tz_convert(None)
        ax.plot(when, series.values, marker=marker, label=label)
    ax.set(title="Average response and resolution time", ylabel="hours")
    ax.legend(loc="upper left")
    ax = axes[1][0]
    when = happy["window_start"].dt.tz_convert(None)
    ax.plot(when, happy["happiness_score"], color="#d9534f", marker="o", label="happiness score")
    ax.set(title="Happiness: score (great % − not good %) and ratings", ylabel="score")
    ax.set_ylim(-100, 100)
    twin = ax.twinx()
    twin.bar(when, happy["ratings_count"], alpha=0.25, color="grey", label="ratings")
    twin.set_ylabel("ratings per day")
    ax.set_zorder(twin.get_zorder() + 1)  # the score line above the rating bars
    ax.patch.set_visible(False)
    ax.legend(loc="lower left")
    ax = axes[1][1]
    image = ax.imshow(grid.values, aspect="auto", cmap="viridis")
    ax.set(title="Busiest hours (all days, company time zone)", xlabel="hour of day")
    ax.set_yticks(
        range(len(grid.index)), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][: len(grid.index)]
    )
    fig.colorbar(image, ax=ax, label="conversations")
    for a in (axes[0][0], axes[0][1], axes[1][0]):
        a.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
        a.tick_params(axis="x", labelrotation=30)
        for label in a.get_xticklabels():
            label.set_horizontalalignment("right")  # the label's end under its day
        a.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


@click.command(
    epilog="""\b
Examples:
  hs-extract demo                   # into ./hs_demo
  hs-extract demo --out /tmp/try --days 7
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
  SQLite    sqlite3 {base}/helpscout.db "select period, customers_helped from company limit 6"
  notebooks jupyter lab notebooks/   (01_explore_reports, 02_warehouse)
  your own  copy configs/example.yaml, set HELPSCOUT_CLIENT_ID/SECRET, hs-extract run --config …
""",
        markup=False,
    )
