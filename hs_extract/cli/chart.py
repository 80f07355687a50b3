"""The demo's overview chart, drawn from a Parquet export: what a support lead looks at first.

Four panels: new conversations per day by channel; the daily average first response and
resolution time in hours, with each week's own average (the week's window, not a mean of its
days); happiness as each week's score over that week's ratings (a day's handful of ratings
swings from -100 to 100), above the ratings per day; the busiest hours. Every panel says what
it counts, the title says when, counts carry thousands separators and legends sit above the
data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["plot_overview"]

CHANNELS = (("email", "#3b7dd8"), ("chat", "#f0a030"), ("phone", "#5cb85c"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _current(parquet: Path, table: str, grain: str = "day") -> pd.DataFrame:
    """The table's ``current`` rows of one grain, oldest window first."""
    import pandas as pd

    frame = pd.read_parquet(parquet / table)
    if "period" in frame:
        frame = frame[frame["period"] == "current"]
    frame = frame[frame["grain"] == grain]
    return frame.sort_values([c for c in ("window_start", "date") if c in frame])


def _naive(values: Any) -> Any:
    """UTC timestamps without their zone: matplotlib's date axis wants them plain."""
    import pandas as pd

    return pd.DatetimeIndex(values).tz_convert(None)


def _headroom(ax: Any, top: float, legend_items: int) -> None:
    """Room above the data for a one-line legend, so it never covers a bar or a point."""
    ax.set_ylim(0, max(top, 1) * 1.28)
    ax.legend(loc="upper left", ncols=legend_items, frameon=False)


def plot_overview(parquet: Path, path: Path) -> Path:
    """Draw the overview of the export under ``parquet`` into the PNG at ``path``."""
    import matplotlib.dates as mdates
    import pandas as pd
    from matplotlib.figure import Figure  # no pyplot: a notebook's backend stays its own
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    parquet, path = Path(parquet), Path(path)
    volume = _current(parquet, "conversations_channel_volumes")
    daily = _current(parquet, "productivity")
    weekly = _current(parquet, "productivity", "week")
    happy_days = _current(parquet, "happiness")
    happy_weeks = _current(parquet, "happiness", "week")
    busy = _current(parquet, "conversations_busiest_times")
    grid = busy.pivot_table(index="day", columns="hour", values="count", aggfunc="sum")
    first = volume["window_start"].min().strftime("%-d %b")
    last = (volume["window_end"].max() - pd.Timedelta(days=1)).strftime("%-d %b %Y")

    fig = Figure(figsize=(15, 9.5), layout="constrained")
    axes = fig.subplots(2, 2)
    fig.suptitle(
        f"Help Scout support overview, {first} – {last} (hs_extract demo, simulated account)",
        fontsize=15,
    )
    ax = axes[0][0]
    days = _naive(volume["date"])
    bottom = None
    for channel, colour in CHANNELS:
        values = volume[channel].to_numpy()
        ax.bar(days, values, bottom=bottom, label=channel, color=colour, width=0.8)
        bottom = values if bottom is None else bottom + values
    ax.set(title="New conversations per day, by channel (started by customers)")
    ax.set_ylabel("conversations")
    _headroom(ax, float(bottom.max()) if bottom is not None else 0, len(CHANNELS))

    ax = axes[0][1]
    for column, colour, label in (
        ("first_response_time", "#3b7dd8", "first response"),
        ("resolution_time", "#e07b39", "resolution"),
    ):
        when = _naive(daily["window_start"])
        ax.plot(when, daily[column] / 3600, color=colour, alpha=0.45, marker=".", label=label)
        for row in weekly.itertuples():  # the week's own average: its window, not its days
            span = _naive([row.window_start, row.window_end])
            ax.plot(span, [getattr(row, column) / 3600] * 2, color=colour, linewidth=3)
    ax.plot([], [], color="grey", linewidth=3, label="week's average")
    ax.set(title="Time to first response and to resolution: daily and weekly average")
    ax.set_ylabel("hours")
    top = max(daily["resolution_time"].max(), daily["first_response_time"].max()) / 3600
    _headroom(ax, float(top), 3)

    ax = axes[1][0]
    when = _naive(happy_days["window_start"])
    ax.bar(when, happy_days["ratings_count"], color="#c8c8c8", width=0.8, label="ratings per day")
    ax.set_ylabel("ratings per day")
    _headroom(ax, float(happy_days["ratings_count"].max()), 2)
    score = ax.twinx()
    for row in happy_weeks.itertuples():
        span = _naive([row.window_start, row.window_end])
        score.plot(span, [row.happiness_score] * 2, color="#d9534f", linewidth=3)
        middle = span[0] + (span[1] - span[0]) / 2
        score.annotate(
            f"{row.happiness_score:.0f} ({row.ratings_count:,} ratings)",
            (middle, row.happiness_score),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=9,
            color="#a03030",
        )
    score.set_ylim(-100, 128)  # the same headroom as the bars: the legend stays clear
    score.set_ylabel("week's happiness score (great % − not good %)")
    ax.plot([], [], color="#d9534f", linewidth=3, label="week's score, from its ratings")
    ax.legend(loc="upper left", ncols=2, frameon=False)
    ax.set(title="Happiness: each week's score, over the ratings behind it")

    ax = axes[1][1]
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="viridis")
    ax.set(
        title="Busiest hours: conversations created, all days (company time zone)",
        xlabel="hour of day",
    )
    ax.set_yticks(range(len(grid.index)), [WEEKDAYS[int(d) - 1] for d in grid.index])
    ax.set_xticks(range(0, 24, 3))
    fig.colorbar(image, ax=ax, label="conversations", format=StrMethodFormatter("{x:,.0f}"))

    for counts in (axes[0][0], axes[1][0]):  # whole conversations and ratings, 1,234 style
        counts.yaxis.set_major_locator(MaxNLocator(integer=True))
        counts.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    for a in (axes[0][0], axes[0][1], axes[1][0]):
        a.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        a.xaxis.set_minor_locator(mdates.DayLocator())
        a.xaxis.set_major_formatter(mdates.DateFormatter("%a %-d %b"))
        a.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
