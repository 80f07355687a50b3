"""Time series (shape (b)), paged lists (shape (c)) and busy times (shape (d))."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter
from collections.abc import Callable

from .account import DAY, UNTAGGED, Account, Conversation
from .metrics import View, bucket_id, mean
from .shapes import DRILL_RANGES, Context, iso

RATINGS_PAGE_SIZE = 10  # undocumented; the reference's example (165 ratings, 17 pages) fits 10
HISTORY_PAGE_SIZE = 25


def default_view_by(start: int, end: int) -> str:
    return "day" if end - start <= 60 * DAY else "week" if end - start <= 365 * DAY else "month"


def buckets(start: int, end: int, view_by: str) -> list[tuple[int, int]]:
    """[start, end) cut into days, weeks or calendar months, anchored on ``start``."""
    out, t, k = [], start, 0
    first = dt.datetime.fromtimestamp(start, dt.UTC)
    while t < end:
        if view_by == "month":
            k += 1
            y, m = divmod(first.month - 1 + k, 12)
            y, m = first.year + y, m + 1
            d = min(first.day, calendar.monthrange(y, m)[1])
            nxt = int(first.replace(year=y, month=m, day=d).timestamp())
        else:
            nxt = t + (DAY if view_by == "day" else 7 * DAY)
        out.append((t, min(nxt, end)))
        t = nxt
    return out


def series(label: str, values: Callable[[View], dict]) -> Callable[[Context], dict]:
    def build(ctx: Context) -> dict:
        def points(v: View) -> list[dict]:
            view_by = ctx.q.view_by or default_view_by(v.start, v.end)
            return [
                {label: iso(a), **values(v.sub(a, b))} for a, b in buckets(v.start, v.end, view_by)
            ]

        out = {"current": points(ctx.cur)}
        if ctx.prev is not None:
            out["previous"] = points(ctx.prev)
        return out

    return build


def channel_volumes(v: View) -> dict:
    counts = Counter(c.channel for c in v.created)
    return {"chat": counts["chat"], "email": counts["email"], "phone": counts["phone"]}


# --- paginated ----------------------------------------------------------------------------


def page_of(items: list, page: int, size: int) -> tuple[list, int]:
    pages = math.ceil(len(items) / size)
    return items[(page - 1) * size : page * size], pages


def drill_item(acc: Account, c: Conversation, user_variant: bool = False) -> dict:
    customer = acc.customer_by_id[c.customer_id]
    assignee = acc.user_by_id.get(c.assignee_id)
    item = {
        "id": c.id,
        "number": c.number,
        "type": c.channel,
        "mailboxid": c.mailbox_id,
        "attachments": c.attachments,
        "subject": c.subject,
        "status": c.status,
        "threadCount": len(c.customer_msgs) + len(c.replies),
        "preview": f"{c.subject}: message from {customer.name}…",
        "customerName": customer.name,
    }
    if not user_variant:
        item.update(customerEmail=customer.email, customerIds=[customer.id])
    item.update(modifiedAt=iso(c.modified_at), assignedid=c.assignee_id)
    if user_variant:  # the user drilldown example has these and lacks the customer fields
        waiting = c.customer_msgs[-1] if c.customer_msgs else c.created
        item.update(waitingSince=iso(waiting), waitingSinceType=2 if c.replies else 1)
    elif assignee:
        item["assignedName"] = assignee.name
    item["tags"] = [
        {"id": t, "name": acc.tag_by_id[t].name, "color": acc.tag_by_id[t].color} for t in c.tags
    ]
    return item


def drilldown(pick: Callable[[Context], list[Conversation]], user_variant: bool = False):
    def build(ctx: Context) -> dict:
        convs = ctx.account.memo(
            ctx.key, lambda: sorted(pick(ctx), key=lambda c: (c.created, c.id))
        )
        chunk, pages = page_of(convs, ctx.q.page, ctx.q.rows)
        return {
            "conversations": {
                "page": ctx.q.page,
                "pages": pages,
                "count": len(convs),
                "results": [drill_item(ctx.account, c, user_variant) for c in chunk],
            }
        }

    return build


def company_drill_set(ctx: Context) -> list[Conversation]:
    if not ctx.q.range:
        return ctx.cur.replied
    pick, measure, bounds, inclusive = DRILL_RANGES[ctx.q.range]
    convs = pick(ctx.cur)
    if measure is None or ctx.q.range_id is None:
        return convs
    return [c for c in convs if bucket_id(measure(ctx.cur, c), bounds, inclusive) == ctx.q.range_id]


def field_drill_set(ctx: Context) -> list[Conversation]:
    q, v = ctx.q, ctx.cur
    if q.field == "tagid":
        return [c for c in v.active if q.field_id in (c.tags or (UNTAGGED,))]
    if q.field == "customerid":
        return [c for c in v.active if c.customer_id == q.field_id]
    if q.field == "workflowid":
        return [c for c in v.active if q.field_id in c.workflow_ids]
    return [
        c
        for c in v.replied
        if any(r.saved_reply_id == q.field_id for r in c.replies if v.within(r.at))
    ]


RATING_IDS = {"great": 1, "ok": 2, "not-good": 3}


def ratings(ctx: Context) -> dict:
    acc, q = ctx.account, ctx.q
    rated = ctx.cur.rated
    if q.rating != "all":
        rated = [c for c in rated if c.rating[0] == RATING_IDS[q.rating]]
    key = {
        "number": lambda c: c.number,
        "modifiedAt": lambda c: c.modified_at,
        "rating": lambda c: c.rating[0],
        None: lambda c: c.rating[1],
    }[q.sort_field]
    rated = sorted(rated, key=lambda c: (key(c), c.id), reverse=q.sort_order == "DESC")
    chunk, pages = page_of(rated, q.page, RATINGS_PAGE_SIZE)
    results = []
    for c in chunk:
        last = c.replies[-1]
        customer = acc.customer_by_id[c.customer_id]
        results.append(
            {
                "number": c.number,
                "threadid": c.rating_thread_id,
                "threadCreatedAt": iso(last.at),
                "id": c.id,
                "type": c.channel,
                "ratingId": c.rating[0],
                "ratingCustomerId": customer.id,
                "ratingComments": c.rating[2],
                "ratingCreatedAt": iso(c.rating[1]),
                "ratingCustomerName": customer.name,
                "ratingUserId": last.user_id,
                "ratingUserName": acc.user_by_id[last.user_id].name,
            }
        )
    out = {"results": results, "page": q.page, "count": len(rated), "pages": pages}
    if q.user is None:
        out = {"facets": {}, **out}
    return out


def history(ctx: Context) -> dict:
    acc, q, v = ctx.account, ctx.q, ctx.cur
    convs = v.replied
    if q.status:
        convs = [c for c in convs if c.status == q.status]
    rows = []
    for c in convs:
        mine = [r for r in c.replies if v.within(r.at) and r.user_id in v.users]
        customer = acc.customer_by_id[c.customer_id]
        rows.append(
            {
                "id": c.id,
                "number": c.number,
                "customers": [{"id": customer.id, "name": customer.name}],
                "avgHandleTime": round(mean(r.handle_secs for r in mine)),
                "firstResponseTime": v.first_response_time(c),
                "repliesSent": len(mine),
                "responseTime": round(mean(v.response_time(c, r) for r in mine)),
                "resolveTime": v.resolution_time(c) if c.resolved else None,
            }
        )
    field = {
        "number": "number",
        "repliesSent": "repliesSent",
        "responseTime": "responseTime",
        "resolveTime": "resolveTime",
        None: "number",
    }[q.sort_field]
    rows.sort(
        key=lambda r: (r[field] is None, r[field] or 0, r["id"]), reverse=q.sort_order == "DESC"
    )
    chunk, pages = page_of(rows, q.page, HISTORY_PAGE_SIZE)
    return {"results": chunk, "page": q.page, "count": len(rows), "pages": pages}


def busy_times(ctx: Context) -> list[dict]:
    matrix = ctx.cur.busy_matrix()
    return [{"day": d, "hour": h, "count": matrix[(d, h)]} for d in range(1, 8) for h in range(24)]


def received(label: str, key: str):
    return series(label, lambda v: {key: v.customer_messages})
