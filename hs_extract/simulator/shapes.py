"""Shared shapes of the simulated payloads: contexts, deltas, histograms, timestamps."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import astuple, replace

from .account import UNTAGGED, Account, Conversation
from .metrics import (
    HANDLE_BOUNDS,
    REPLIES_BOUNDS,
    RESPONSE_BOUNDS,
    View,
    bucket_id,
    mean,
)
from .rules import Query


class NotFound(Exception):
    """The ``user`` id is neither a user nor a team (the API answers 404)."""


def iso(t: int) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pct(part: float, whole: float) -> float:
    return part / whole * 100 if whole else 0.0


def change(cur, prev):
    """Percent change, as Help Scout's ``deltas``; null when undefined."""
    if cur is None or prev is None:
        return None
    if prev == 0:
        return 0.0 if cur == 0 else None
    return (cur - prev) / prev * 100


def deltas(cur: dict, prev: dict, keys=None) -> dict:
    out = {}
    for k in keys or cur:
        if k in ("startDate", "endDate", "busiestDay") or isinstance(cur.get(k), list):
            continue  # dates, the busiest day and lists (user ratings) have no change
        if isinstance(cur.get(k), dict):
            out[k] = deltas(cur[k], prev[k])
        else:
            out[k] = change(cur.get(k), prev.get(k))
    return out


class Context:
    """Views of one request: the window, the comparison window, the users behind ``user``."""

    def __init__(self, account: Account, q: Query, *, channel: str | None = None) -> None:
        self.account, self.q = account, q
        members = None
        if q.user is not None:
            members = account.members(q.user)
            if members is None:
                raise NotFound(q.user)
        filters = replace(q.filters, types=(channel,)) if channel else q.filters
        self.cur = View(
            account, q.start, q.end, filters, users=members, office_hours=q.office_hours
        )
        self.prev = self.cur.sub(*q.prev) if q.prev else None

    @property
    def key(self) -> tuple:
        """The query without its page: what every page of one listing shares."""
        return (self.cur.filters.types, astuple(replace(self.q, page=1, rows=1)))


def summary(ctx: Context, metrics: Callable[[View], dict], delta_keys=None) -> dict:
    out = {"current": metrics(ctx.cur)}
    if ctx.prev is not None:
        out["previous"] = metrics(ctx.prev)
        out["deltas"] = deltas(out["current"], out["previous"], delta_keys)
    return out


def dates(v: View) -> dict:
    return {"startDate": iso(v.start), "endDate": iso(v.end)}


def filter_tags(account: Account) -> list[dict]:
    return [{"id": t.id, "name": t.name} for t in account.tags if t.id != UNTAGGED]


# --- histograms -----------------------------------------------------------------------------


def histogram(ctx: Context, pick, measure, bounds, inclusive=False, all_ids=False, extra=None):
    """``{count, previousCount, ranges[]}`` of ``measure`` over the conversations ``pick``s."""
    cur_items = pick(ctx.cur)
    prev_items = pick(ctx.prev) if ctx.prev else []
    cur = Counter(bucket_id(measure(ctx.cur, c), bounds, inclusive) for c in cur_items)
    prev = Counter(bucket_id(measure(ctx.prev, c), bounds, inclusive) for c in prev_items)
    ids = range(1, len(bounds) + 2) if all_ids else sorted(set(cur) | set(prev))
    ranges = []
    for i in ids:
        r = {
            "id": i,
            "count": cur[i],
            "previousCount": prev[i],
            "percent": pct(cur[i], len(cur_items)),
            "previousPercent": pct(prev[i], len(prev_items)),
        }
        if extra:
            members = [
                c for c in cur_items if bucket_id(measure(ctx.cur, c), bounds, inclusive) == i
            ]
            r.update(extra(ctx.cur, members))
        ranges.append(r)
    return {"count": len(cur_items), "previousCount": len(prev_items), "ranges": ranges}


def _frt(v: View, c: Conversation) -> float:
    return v.first_response_time(c)


def _avg_response(v: View, c: Conversation) -> float:
    return v.avg_response(c)


def _handle(v: View, c: Conversation) -> float:
    return v.handle_time(c)


def _replies(v: View, c: Conversation) -> float:
    return len(c.replies)


def _resolution(v: View, c: Conversation) -> float:
    return v.resolution_time(c)


def _resolution_extra(v: View, members: list[Conversation]) -> dict:
    return {"resolutionTime": mean(v.resolution_time(c) for c in members)}


def productivity_histograms(ctx: Context, with_resolution: bool = False) -> dict:
    def resolved(v):
        return v.resolved

    out = {
        "responseTime": histogram(ctx, resolved, _avg_response, RESPONSE_BOUNDS),
        "handleTime": histogram(ctx, resolved, _handle, HANDLE_BOUNDS),
        "firstResponseTime": histogram(ctx, resolved, _frt, RESPONSE_BOUNDS),
    }
    if with_resolution:
        out["resolutionTime"] = histogram(ctx, resolved, _resolution, RESPONSE_BOUNDS)
    out["repliesToResolve"] = histogram(
        ctx, resolved, _replies, REPLIES_BOUNDS, inclusive=True, extra=_resolution_extra
    )
    return out


#: company drilldown ``range`` → (conversations of the view, measure, bounds, inclusive)
DRILL_RANGES = {
    "replies": (lambda v: v.resolved, _replies, REPLIES_BOUNDS, True),
    "firstReplyResolved": (lambda v: [c for c in v.resolved if len(c.replies) == 1], None, (), 0),
    "resolved": (lambda v: v.resolved, None, (), False),
    "responseTime": (lambda v: v.resolved, _avg_response, RESPONSE_BOUNDS, False),
    "firstResponseTime": (lambda v: v.resolved, _frt, RESPONSE_BOUNDS, False),
    "handleTime": (lambda v: v.resolved, _handle, HANDLE_BOUNDS, False),
}
