"""Date windows: half-open, aligned to midnight in a time zone, sent to the API in UTC. Pure.

A day window in Europe/Paris on the day clocks go forward lasts 23 hours; a month window ends
at midnight of the first of the next month, local time. Nothing here reads the clock: "today"
is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pendulum

from ..errors import ConfigError

__all__ = [
    "SIZES",
    "Window",
    "align",
    "default_end",
    "iter_windows",
    "range_windows",
    "select_windows",
]

SIZES = ("day", "week", "month")


@dataclass(frozen=True, order=True)
class Window:
    """[start, end) in UTC; ``label`` is the local date the window starts on; ``grain`` its
    size (day, week, month)."""

    start: pendulum.DateTime
    end: pendulum.DateTime
    label: str
    grain: str = "day"

    def __str__(self) -> str:
        return self.label

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def _zone(tz: str) -> pendulum.Timezone:
    return pendulum.timezone(tz)


def align(when: dt.date | dt.datetime, size: str, tz: str) -> pendulum.DateTime:
    """Start of the day, week (Monday) or month containing ``when``, midnight in ``tz``."""
    day: dt.date
    if isinstance(when, dt.datetime):
        day = pendulum.instance(when).in_timezone(_zone(tz)).date()
    else:
        day = when
    if size == "week":
        day = day - dt.timedelta(days=day.weekday())
    elif size == "month":
        day = day.replace(day=1)
    elif size != "day":
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    return pendulum.datetime(day.year, day.month, day.day, tz=_zone(tz))


def _next(start: pendulum.DateTime, size: str) -> pendulum.DateTime:
    # calendar arithmetic in local time: DST days are 23 or 25 hours, months their own length
    step = {"day": {"days": 1}, "week": {"weeks": 1}, "month": {"months": 1}}[size]
    nxt = start.add(**step)
    return pendulum.datetime(nxt.year, nxt.month, nxt.day, tz=start.timezone)


def default_end(now: dt.datetime, tz: str) -> pendulum.DateTime:
    """Start of today in ``tz``: the end of the last window that is over."""
    return align(now, "day", tz)


def iter_windows(
    start: dt.date | dt.datetime, end: dt.date | dt.datetime, size: str, tz: str
) -> list[Window]:
    """Every whole window from the one containing ``start`` up to ``end`` (exclusive).

    A window that ``end`` cuts is left out: it is not over yet.
    """
    first = align(start, size, tz)
    if isinstance(end, dt.datetime):
        stop = pendulum.instance(end)
    else:
        stop = pendulum.datetime(end.year, end.month, end.day, tz=_zone(tz))
    out: list[Window] = []
    cur = first
    while True:
        nxt = _next(cur, size)
        if nxt > stop:
            return out
        start_utc, end_utc = cur.in_timezone("UTC"), nxt.in_timezone("UTC")
        out.append(Window(start_utc, end_utc, cur.to_date_string(), size))
        cur = nxt


def previous(window: Window, size: str, tz: str) -> Window:
    """The window just before ``window`` (the comparison range of ``compare_previous``)."""
    local = window.start.in_timezone(_zone(tz))
    step = {"day": {"days": 1}, "week": {"weeks": 1}, "month": {"months": 1}}[size]
    before = local.subtract(**step)
    start = pendulum.datetime(before.year, before.month, before.day, tz=_zone(tz))
    return Window(start.in_timezone("UTC"), window.start, start.to_date_string(), window.grain)


def select_windows(
    windows: Sequence[Window], loaded: Iterable[dt.datetime], lookback: int, full: bool = False
) -> list[Window]:
    """The windows a run loads: all with ``full``; else those never loaded, plus the last
    ``lookback`` already-loaded ones (reports change late: ratings, resolutions)."""
    if full:
        return list(windows)
    done = {pendulum.instance(t).in_timezone("UTC") for t in loaded}
    missing = [w for w in windows if w.start not in done]
    again = [w for w in windows if w.start in done][-lookback:] if lookback else []
    return sorted(set(missing) | set(again))


def range_windows(w, now: dt.datetime, start=None, end=None) -> list[Window]:
    """The windows of one run, of every grain: ``start``/``end`` (``--start``/``--end``) over
    the config's ``w`` (``WindowsConfig``). ConfigError when the range holds no window that is
    over."""
    today = default_end(now, w.timezone)
    first = w.start
    if isinstance(first, int):  # relative: -28 means 28 days before today
        first = today.add(days=first).date()
    if start is None and first >= today.date():
        raise ConfigError(
            f"windows.start: {first} is not before today ({today.date()} in "
            f"{w.timezone}): no window of it is over yet; allowed: an earlier date"
        )
    first, last = start or first, end or w.end or today
    as_day = [d.date() if isinstance(d, dt.datetime) else d for d in (first, last)]
    if as_day[1] <= as_day[0]:
        raise ConfigError(
            f"--end: {as_day[1]} is not after the first window's start {as_day[0]}; "
            "allowed: a later --end (or an earlier --start)"
        )
    grains = w.grains if hasattr(w, "grains") else (w.size,)
    return [win for g in grains for win in iter_windows(first, last, g, w.timezone)]
