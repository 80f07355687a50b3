"""Planner: reports × slices × windows → the fewest requests. Pure; no I/O.

- A *unit* is (report, slice, window): what is replaced as a whole in every destination.
- A *request* fetches one or more units: one window for summaries, drilldowns and busy times;
  a run of consecutive windows for time series (``viewBy`` = window size, within the API's
  ``viewBy`` limits), whose buckets are split back into windows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pendulum

from ..api.catalog import REPORTS, Kind, ReportSpec
from ..api.params import check_view_by
from ..normalize.names import filters_text
from .config import Config, FiltersConfig, ReportConfig
from .windows import Window, previous, select_windows

__all__ = ["Lists", "Plan", "Request", "Slice", "Unit", "build_plan", "slices_for"]

#: viewBy limits (reference §4.0) as the most windows one request may cover
MAX_WINDOWS = {"day": 60, "week": 52}
#: bucket ids of each company drilldown range (reference §4.2, inferred from the histograms)
RANGE_IDS = {
    "responseTime": range(1, 11),
    "firstResponseTime": range(1, 11),
    "handleTime": range(1, 6),
    "replies": range(1, 6),
}


@dataclass(frozen=True)
class Slice:
    """The parameters that split a report's window into slices, the filters in force, and the
    grain (window size) of its windows."""

    params: tuple[tuple[str, Any], ...] = ()
    filters: str = ""
    grain: str = "day"

    @property
    def key(self) -> str:
        """Canonical text used in state: ``user=100001|filters=types=email``; a week or month
        window's starts with ``grain=month|`` (a day and a month may start together)."""
        parts = [f"grain={self.grain}"] if self.grain != "day" else []
        parts += [f"{k}={v}" for k, v in self.params]
        if self.filters:
            parts.append(f"filters={self.filters}")
        return "|".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class Unit:
    report: str
    slice: Slice
    window: Window

    @property
    def state_key(self) -> tuple[str, str, pendulum.DateTime]:
        return (self.report, self.slice.key, self.window.start)

    def __str__(self) -> str:
        return unit_label(self.report, self.slice.key, self.window.label)


def unit_label(report: str, slice_key: str, label: str) -> str:
    """How messages name a unit: ``report [slice] window date`` (no brackets without a slice)."""
    s = f" [{slice_key}]" if slice_key else ""
    return f"{report}{s} {label}"


@dataclass(frozen=True)
class Request:
    """One API call (its pages included) and the units it loads."""

    report: str
    slice: Slice
    windows: tuple[Window, ...]
    params: Mapping[str, Any]

    @property
    def units(self) -> list[Unit]:
        return [Unit(self.report, self.slice, w) for w in self.windows]

    @property
    def spec(self) -> ReportSpec:
        return REPORTS[self.report]


@dataclass
class Lists:
    """Ids from the list endpoints, fetched only when a config needs them."""

    users: Sequence[int] = ()
    teams: Sequence[int] = ()
    tags: Sequence[int] = ()


@dataclass
class Plan:
    requests: list[Request]
    windows: list[Window]
    units_total: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    #: units written to some destinations only (unit key → them); the others: every one
    targets: dict[tuple, frozenset[str]] = field(default_factory=dict)

    @property
    def units(self) -> list[Unit]:
        return [u for r in self.requests for u in r.units]

    @property
    def reports(self) -> set[str]:
        """The reports the plan asks for."""
        return {r.report for r in self.requests}


def report_filters(spec: ReportSpec, f: FiltersConfig) -> dict[str, Any]:
    """The filter parameters of the config that this report takes."""
    values = {
        "mailboxes": list(f.mailboxes),
        "tags": list(f.tags),
        "types": list(f.types),
        "folders": list(f.folders),
        "office_hours": f.office_hours or None,
    }
    return {k: v for k, v in values.items() if v and spec.accepts(k)}


def slices_for(rc: ReportConfig, lists: Lists, filters: Mapping[str, Any]) -> list[Slice]:
    """Every slice of a configured report (the cross product of its slicing settings)."""
    dims: list[list[tuple[str, Any]]] = []
    if rc.users is not None:
        ids = list(lists.users) + list(lists.teams) if rc.users == "all" else list(rc.users)
        dims.append([("user", i) for i in ids])
    if rc.field is not None:
        ids = list(lists.tags) if rc.field_ids == "all" else list(rc.field_ids or ())
        dims.append([("field", rc.field)])
        dims.append([("field_id", i) for i in ids])
    if rc.range is not None:
        dims.append([("range", rc.range)])
        range_ids = rc.range_ids
        if range_ids is None and rc.range in RANGE_IDS:
            range_ids = tuple(RANGE_IDS[rc.range])
        if range_ids:
            dims.append([("range_id", i) for i in range_ids])
    if rc.rating:
        dims.append([("rating", r) for r in rc.rating])
    if rc.status is not None:
        dims.append([("status", rc.status)])
    text = filters_text(filters)
    return [Slice(tuple(combo), text) for combo in itertools.product(*dims)]


def _api_buckets(start: dt.datetime, end: dt.datetime, view_by: str) -> list[pendulum.DateTime]:
    """Bucket starts the API returns for [start, end): from ``start``, by day, week or calendar
    month in UTC (reference §5.1: labels start at the request's start)."""
    out, t, k = [], pendulum.instance(start), 0
    while t < end:
        out.append(t)
        if view_by == "month":
            k += 1
            y, m = divmod(start.month - 1 + k, 12)
            y, m = start.year + y, m + 1
            d = min(start.day, calendar.monthrange(y, m)[1])
            t = pendulum.instance(start).replace(year=y, month=m, day=d)
        else:
            t = t.add(days=1 if view_by == "day" else 7)
    return out


def _aligned(windows: Sequence[Window], view_by: str, start: dt.datetime) -> bool:
    """True when every window is exactly one of the API's buckets for a request from ``start``."""
    starts = _api_buckets(start, windows[-1].end, view_by)
    bounds = dict(zip(starts, [*starts[1:], windows[-1].end], strict=True))
    return all(bounds.get(w.start) == w.end for w in windows)


def _utc_month(w: Window) -> bool:
    """True when the window is a calendar month in UTC: one of the API's monthly buckets."""
    start = pendulum.instance(w.start).in_timezone("UTC")
    return start == start.start_of("month") and w.end == start.add(months=1)


def _reach(first: Window, last: Window) -> pendulum.DateTime:
    """The start of a viewBy=month request ending at ``last.end``: whole months back from
    ``first.start`` until the 61 days viewBy=month needs (their buckets are dropped)."""
    reach = pendulum.instance(first.start)
    while not check_view_by("month", reach, last.end):
        reach = reach.subtract(months=1)
    return reach


def _series_groups(windows: Sequence[Window], size: str) -> list[tuple[dt.datetime, str, list]]:
    """(request start, viewBy, windows): consecutive windows one request can cover.

    How a window is asked for depends on the window alone, never on the windows beside it,
    so any grouping of runs gives the same tables: a day or week window that is not one of the
    API's buckets (a DST day) is the last bucket of its request, cut at the request's end. A
    month window is one monthly bucket when a request can end with it (UTC calendar months,
    grouped; elsewhere, alone), else it is asked for alone, by day.
    """
    if size == "month":
        return _month_groups(windows)
    groups: list[tuple[dt.datetime, str, list[Window]]] = []
    for w in windows:
        if groups:
            start, _, run = groups[-1]
            fits = len(run) < MAX_WINDOWS.get(size, 10_000) and run[-1].end == w.start
            if fits and _aligned([*run, w], size, start):
                run.append(w)
                continue
        groups.append((w.start, size, [w]))
    return groups


def _month_groups(windows: Sequence[Window]) -> list[tuple[dt.datetime, str, list]]:
    out: list[tuple[dt.datetime, str, list[Window]]] = []
    run: list[Window] = []  # consecutive UTC months: one request

    def flush() -> None:
        if run:
            out.append((_reach(run[0], run[-1]), "month", list(run)))
            run.clear()

    for w in windows:
        if _utc_month(w):
            if run and run[-1].end != w.start:
                flush()
            run.append(w)
            continue
        flush()
        reach = _reach(w, w)
        if _aligned([w], "month", reach):  # its bucket is cut at the request's end: exact
            out.append((reach, "month", [w]))
        else:  # local months that no request's month bucket can match: daily buckets
            out.append((w.start, "day", [w]))
    flush()
    return out


def build_plan(
    config: Config,
    windows: Sequence[Window],
    lists: Lists,
    loaded: Mapping[tuple[str, str], Iterable[dt.datetime]],
    *,
    reports: Sequence[str] | None = None,
    full_refresh: bool = False,
) -> Plan:
    """The requests of one run. ``loaded`` maps (report, slice key) to loaded window starts."""
    w = config.windows
    plan = Plan([], list(windows))
    for rc in config.reports:
        if reports and rc.name not in reports:
            continue
        spec = REPORTS[rc.name]
        filters = report_filters(spec, config.filters)
        slices = slices_for(rc, lists, filters)
        if not slices:
            plan.skipped[rc.name] = "no slices (no users, teams or ids to slice by)"
        for sl, grain_windows in (
            (replace(s, grain=g), [x for x in windows if x.grain == g])
            for s in slices
            for g in w.grains
        ):
            chosen = select_windows(
                grain_windows, loaded.get((rc.name, sl.key), ()), w.lookback, full_refresh
            )
            plan.units_total += len(grain_windows)
            base = {**filters, **sl.as_dict()}
            if spec.kind is Kind.TIMESERIES:
                for start, view_by, run in _series_groups(chosen, sl.grain):
                    params = {
                        **base,
                        "start_date": start,
                        "end_date": run[-1].end,
                        "view_by": view_by,
                    }
                    plan.requests.append(Request(rc.name, sl, tuple(run), params))
                continue
            for win in chosen:
                params = {**base, "start_date": win.start, "end_date": win.end}
                if spec.accepts("rows"):
                    params["rows"] = 50  # the most the API allows: the fewest pages
                if spec.accepts("sort_field"):
                    params.update(sort_field="number", sort_order="ASC")  # stable paging
                if w.compare_previous and spec.kind is Kind.SUMMARY:
                    prev = previous(win, win.grain, w.timezone)
                    params.update(previous_start_date=prev.start, previous_end_date=prev.end)
                plan.requests.append(Request(rc.name, sl, (win,), params))
    return plan


def add_lost(
    plan: Plan,
    config: Config,
    windows: Sequence[Window],
    lists: Lists,
    known: Iterable[tuple[str, str, dt.datetime]],
    lost: set[tuple[str, str, dt.datetime]],
    reports: Sequence[str] | None = None,
) -> None:
    """Add requests for the ``lost`` units (loaded by the state, missing in Parquet), to be
    written to Parquet only: ``known`` (every other unit held or planned) counts as loaded and
    there is no lookback, so exactly the lost ones are planned."""
    held: dict[tuple[str, str], list[dt.datetime]] = {}
    for report, slice_key, start in known:
        if (report, slice_key, start) not in lost:
            held.setdefault((report, slice_key), []).append(start)
    no_lookback = config.model_copy(
        update={"windows": config.windows.model_copy(update={"lookback": 0})}
    )
    extra = build_plan(no_lookback, windows, lists, held, reports=reports)
    plan.requests += extra.requests
    plan.targets.update({u.state_key: frozenset({"parquet"}) for u in extra.units})
