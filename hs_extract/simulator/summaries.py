"""Summary reports (shape (a)): current, previous, deltas and their extra sections."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from .account import DAY, UNTAGGED
from .metrics import (
    View,
)
from .shapes import (
    Context,
    change,
    dates,
    filter_tags,
    iso,
    pct,
    productivity_histograms,
    summary,
)

TOP_N = 10


def company_metrics(v: View) -> dict:
    replies, users = len(v.replies), len({r.user_id for _, r in v.replies})
    return {
        **dates(v),
        "customersHelped": v.customers_helped,
        "closed": len(v.closed),
        "totalReplies": replies,
        "totalUsers": users,
        "totalDays": round(v.days),
        "repliesPerDayPerUser": replies / v.days / users if users else 0.0,
        "repliesPerDay": replies / v.days,
        "resolvedPerDay": len(v.resolved) / v.days,
    }


def company(ctx: Context) -> dict:
    keys = (
        "customersHelped",
        "totalReplies",
        "repliesPerDay",
        "closed",
        "totalUsers",
        "repliesPerDayPerUser",
    )
    out = {"filterTags": filter_tags(ctx.account), **summary(ctx, company_metrics, keys)}
    users = []
    for u in ctx.account.users:
        cur = View(ctx.account, ctx.cur.start, ctx.cur.end, ctx.cur.filters, users=(u.id,))
        prev = cur.sub(ctx.prev.start, ctx.prev.end) if ctx.prev else None
        if not cur.replies and not (prev and prev.replies):
            continue
        users.append(
            {
                "user": str(u.id),
                "name": u.name,
                "customersHelped": cur.customers_helped,
                "previousCustomersHelped": prev.customers_helped if prev else 0,
                "replies": len(cur.replies),
                "previousReplies": len(prev.replies) if prev else 0,
                "closed": len(cur.closed),
                "happinessScore": cur.happiness_score(),
                "previousHappinessScore": prev.happiness_score() if prev else 0.0,
                "handleTime": cur.mean_handle_time(),
                "previousHandleTime": prev.mean_handle_time() if prev else 0.0,
            }
        )
    out["users"] = users
    return out


def conversations_metrics(v: View) -> dict:
    total = len(v.active)
    return {
        **dates(v),
        "totalConversations": total,
        "conversationsCreated": len(v.created),
        "newConversations": len(v.new),
        "customers": len({c.customer_id for c in v.active}),
        "conversationsPerDay": total / v.days,
    }


def top_list(ctx: Context, count_of: Callable[[View], Counter], total_of, names, count) -> dict:
    cur = count_of(ctx.cur)
    prev = count_of(ctx.prev) if ctx.prev else Counter()
    total, prev_total = total_of(ctx.cur), total_of(ctx.prev) if ctx.prev else 0
    top = []
    for key, n in sorted(cur.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]:
        item = {
            "id": key,
            **names(key),
            "count": n,
            "previousCount": prev[key],
            "percent": pct(n, total),
            "previousPercent": pct(prev[key], prev_total),
        }
        item["deltaPercent"] = item["percent"] - item["previousPercent"]
        top.append(item)
    return {"count": count(cur), "top": top}


def conversations(ctx: Context) -> dict:
    acc = ctx.account
    tags = {t.id: t for t in acc.tags}
    saved = {s.id: s for s in acc.saved_replies}
    flows = {w.id: w for w in acc.workflows}
    matrix = ctx.cur.busy_matrix()
    (day, hour), top = max(
        matrix.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]), default=((1, 0), 0)
    )
    hours = Counter()
    for (_, h), n in matrix.items():
        hours[h] += n
    busy_start = max(range(24), key=lambda h: (hours[h], -h))

    def by_tag(v):
        return Counter(t for c in v.active for t in (c.tags or (UNTAGGED,)))

    def by_customer(v):
        return Counter(c.customer_id for c in v.active)

    def by_saved(v):
        return Counter(r.saved_reply_id for _, r in v.replies if r.saved_reply_id)

    def by_flow(v):
        return Counter(w for c in v.active for w in c.workflow_ids)

    def n_active(v):
        return len(v.active)

    def n_replies(v):
        return len(v.replies)

    def tag_name(i):  # Help Scout leaves the name out for id 1 (untagged)
        return {} if i == UNTAGGED else {"name": tags[i].name}

    def cust_name(i):
        return {"name": acc.customer_by_id[i].name}

    out = {
        "filterTags": filter_tags(acc),
        "companyId": acc.company_id,
        "busiestDay": {"day": day, "hour": hour, "count": top},
        "busyTimeStart": busy_start,
        "busyTimeEnd": min(23, busy_start + 2),
        **summary(ctx, conversations_metrics),
        "tags": top_list(ctx, by_tag, n_active, tag_name, len),
        "customers": top_list(ctx, by_customer, n_active, cust_name, len),
        "replies": top_list(
            ctx,
            by_saved,
            n_replies,
            lambda i: {"name": saved[i].name, "mailboxId": saved[i].mailbox_id},
            lambda c: sum(c.values()),
        ),
        "workflows": top_list(
            ctx, by_flow, n_active, lambda i: {"name": flows[i].name}, lambda c: sum(c.values())
        ),
        "customFields": custom_fields(ctx),
    }
    return out


def custom_fields(ctx: Context) -> dict:
    acc, f = ctx.account, ctx.account.custom_field

    def stats(v):
        convs = [c for c in v.active if c.mailbox_id == f.mailbox_id]
        return len(convs), Counter(c.field_value_id for c in convs if c.field_value_id)

    total, values = stats(ctx.cur)
    answered = sum(values.values())
    unanswered = pct(total - answered, total)
    summary_ = {
        "total": total,
        "totalAnswered": answered,
        "previousTotal": None,
        "previousTotalAnswered": None,
        "unansweredDelta": unanswered,
        "unansweredPreviousPercent": 0,
        "unansweredPercent": unanswered,
    }
    if ctx.prev is not None:
        p_total, p_values = stats(ctx.prev)
        p_answered = sum(p_values.values())
        p_unanswered = pct(p_total - p_answered, p_total)
        summary_.update(
            previousTotal=p_total,
            previousTotalAnswered=p_answered,
            unansweredPreviousPercent=p_unanswered,
            unansweredDelta=unanswered - p_unanswered,
        )
    field = {
        "id": f.id,
        "name": f.name,
        "mailboxId": f.mailbox_id,
        "values": [
            {
                "name": val.name,
                "id": val.id,
                "count": values[val.id],
                "percent": pct(values[val.id], total),
            }
            for val in acc.field_values
        ],
        "summary": summary_,
    }
    return {"count": 1, "fields": [field]}


def happiness_metrics(v: View) -> dict:
    counts = v.rating_counts()
    n = sum(counts.values())
    helped = v.customers_helped
    return {
        "great": pct(counts[1], n),
        "okay": pct(counts[2], n),
        "notGood": pct(counts[3], n),
        "greatCount": counts[1],
        "okayCount": counts[2],
        "notGoodCount": counts[3],
        "ratingsCount": n,
        "ratingsPercent": pct(n, helped),
        "totalCustomers": helped,
        "totalCustomersWithRatings": len({c.customer_id for c in v.rated}),
        "happinessScore": v.happiness_score(),
    }


HAPPINESS_DELTAS = (
    "great",
    "okay",
    "notGood",
    "greatCount",
    "okayCount",
    "notGoodCount",
    "happinessScore",
)


def happiness(ctx: Context) -> dict:
    return summary(ctx, happiness_metrics, HAPPINESS_DELTAS)


def user_happiness(ctx: Context) -> dict:
    return {"filterTags": filter_tags(ctx.account), **happiness(ctx)}


def productivity_metrics(v: View) -> dict:
    resolved = len(v.resolved)
    first = v.resolved_on_first_reply()
    return {
        **dates(v),
        "totalConversations": len(v.active),
        "resolutionTime": v.mean_resolution_time(),
        "repliesToResolve": v.mean_replies_to_resolve(),
        "responseTime": v.mean_response_time(),
        "firstResponseTime": v.mean_first_response_time(),
        "resolved": resolved,
        "resolvedOnFirstReply": first,
        "percentResolvedOnFirstReply": first / resolved if resolved else 0.0,
        "closed": len(v.closed),
        "repliesSent": len(v.replies),
        "handleTime": v.mean_handle_time(),
    }


def productivity(ctx: Context) -> dict:
    keys = [k for k in productivity_metrics(ctx.cur) if k != "percentResolvedOnFirstReply"]
    return {
        "filterTags": filter_tags(ctx.account),
        **summary(ctx, productivity_metrics, keys),
        **productivity_histograms(ctx),
    }


def user_metrics(v: View) -> dict:
    resolved = len(v.resolved)
    first = v.resolved_on_first_reply()
    days = Counter(dt.datetime.fromtimestamp(r.at, dt.UTC).isoweekday() for _, r in v.replies)
    return {
        **dates(v),
        "totalDays": round(v.days),
        "resolved": resolved,
        "conversationsCreated": len(v.created),
        "closed": len(v.closed),
        "totalReplies": len(v.replies),
        "resolvedOnFirstReply": first,
        "percentResolvedOnFirstReply": first / resolved if resolved else 0.0,
        "repliesToResolve": v.mean_replies_to_resolve(),
        "handleTime": v.mean_handle_time(),
        "happinessScore": v.happiness_score(),
        "responseTime": v.mean_response_time(),
        "resolutionTime": v.mean_resolution_time(),
        "repliesPerDay": len(v.replies) / v.days,
        "customersHelped": v.customers_helped,
        "totalConversations": len(v.active),
        "conversationsPerDay": len(v.active) / v.days,
        "busiestDay": max(days, key=lambda d: (days[d], -d)) if days else 0,
        "ratings": [  # the v1 field guide's collection: one per rated conversation
            {
                "ratingId": c.rating[0],
                "repliesSent": sum(1 for r in c.replies if v.mine(r)),
                "responseTime": v.avg_response(c),
                "firstResponseTime": v.first_response_time(c) if c.replies else 0,
                "resolveTime": v.resolution_time(c),
            }
            for c in v.rated
        ],
    }


def user(ctx: Context) -> dict:
    acc, uid = ctx.account, ctx.q.user
    person = acc.user_by_id.get(uid)
    team = acc.team_by_id.get(uid)
    members = set(acc.members(uid) or ())

    def helped() -> int:  # lifetime-ish: the last 28 days before "now", once per user
        recent = acc.conversations_between(acc.cutoff - 28 * DAY, acc.cutoff)
        return len({c.customer_id for c in recent if any(r.user_id in members for r in c.replies)})

    block = {
        "id": uid,
        "hasPhoto": person is not None,
        "createdAt": iso(person.created_at if person else team.created_at),
        "name": person.name if person else team.name,
        "totalCustomersHelped": acc.memo(("helped", uid), helped),
        "photoUrl": f"https://img.example.com/{uid}.jpg",
    }
    out = {"filterTags": filter_tags(acc), "user": block}
    metrics = summary(ctx, user_metrics)
    if "deltas" in metrics:
        cur, prev = metrics["current"], metrics["previous"]
        metrics["deltas"]["activeConversations"] = change(
            cur["totalConversations"], prev["totalConversations"]
        )
        prev.pop("busiestDay")  # busiestDay is in current only
    out.update(metrics)
    return out
