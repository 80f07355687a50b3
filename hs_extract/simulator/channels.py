"""Channel summaries (shape (a)): chat, email, phone, and a user's or team's chat."""

from __future__ import annotations

from .metrics import (
    CHAT_DURATION_BOUNDS,
    CHAT_MESSAGES_BOUNDS,
    CHAT_WAIT_BOUNDS,
    View,
    mean,
)
from .shapes import (
    Context,
    _frt,
    dates,
    filter_tags,
    histogram,
    productivity_histograms,
    summary,
)

TOP_N = 10


def chat_metrics(v: View) -> dict:
    chats = v.created
    done = [c for c in chats if c.replies]
    later = [v.response_time(c, r) for c in done for r in c.replies[1:]]
    return {
        **dates(v),
        "volume": {
            "chatConversations": len(chats),
            "completedChats": len(done),
            "missedChats": len(chats) - len(done),
            "chatsPerDay": len(chats) / v.days,
        },
        "responses": {
            "waitTime": mean(v.first_response_time(c) for c in done),
            "responseTime": mean(later),
        },
        "resolutions": {
            "messagesPerChat": mean(len(c.customer_msgs) + len(c.replies) for c in done),
            "duration": mean(c.replies[-1].at - c.created for c in done),
        },
    }


def chat(ctx: Context) -> dict:
    def done(v):
        return [c for c in v.created if c.replies]

    def later(v, c):
        return mean(v.response_time(c, r) for r in c.replies[1:])

    def messages(v, c):
        return len(c.customer_msgs) + len(c.replies)

    def duration(v, c):
        return c.replies[-1].at - c.created

    out = summary(ctx, chat_metrics)
    out.update(
        waitTime=histogram(ctx, done, _frt, CHAT_WAIT_BOUNDS, all_ids=True),
        responseTime=histogram(ctx, done, later, CHAT_WAIT_BOUNDS, all_ids=True),
        messagesPerChat=histogram(ctx, done, messages, CHAT_MESSAGES_BOUNDS, all_ids=True),
        duration=histogram(ctx, done, duration, CHAT_DURATION_BOUNDS, all_ids=True),
    )
    return out


def email_metrics(v: View) -> dict:
    resolved, first = len(v.resolved), v.resolved_on_first_reply()
    return {
        **dates(v),
        "volume": {
            "emailConversations": len(v.active),
            "emailsCreated": len(v.created),
            "repliesSent": len(v.replies),
            "messagesReceived": v.customer_messages,
        },
        "resolutions": {
            "resolved": resolved,
            "resolvedOnFirstReply": first,
            "percentResolvedOnFirstReply": first / resolved if resolved else 0.0,
            "resolutionTime": v.mean_resolution_time(),
            "repliesToResolve": v.mean_replies_to_resolve(),
            "handleTime": v.mean_handle_time(),
            "closed": len(v.closed),
        },
        "responses": {
            "responseTime": v.mean_response_time(),
            "firstResponseTime": v.mean_first_response_time(),
        },
    }


def email(ctx: Context) -> dict:
    out = {"filterTags": filter_tags(ctx.account), **summary(ctx, email_metrics)}
    if "deltas" in out:
        out["deltas"]["resolutions"].pop("percentResolvedOnFirstReply")
    out.update(productivity_histograms(ctx, with_resolution=True))
    return out


def phone_metrics(v: View) -> dict:
    return {
        **dates(v),
        "phoneConversations": len(v.active),
        "phoneCallsCreated": sum(1 for c in v.created if c.by_user),
        "customers": len({c.customer_id for c in v.active}),
    }


def phone(ctx: Context) -> dict:
    out = summary(ctx, phone_metrics)
    if "deltas" in out:  # the doc's quirk: newConversations, not phoneConversations
        d = out["deltas"]
        out["deltas"] = {
            "newConversations": d["phoneConversations"],
            "phoneCallsCreated": d["phoneCallsCreated"],
            "customers": d["customers"],
        }
    users = []
    for u in ctx.account.users:
        cur = View(ctx.account, ctx.cur.start, ctx.cur.end, ctx.cur.filters, users=(u.id,))
        if not cur.active:
            continue
        item = {
            "name": u.name,
            "id": u.id,
            "current": {k: v for k, v in phone_metrics(cur).items() if "Date" not in k},
        }
        if ctx.prev:
            prev = cur.sub(ctx.prev.start, ctx.prev.end)
            item["previous"] = {k: v for k, v in phone_metrics(prev).items() if "Date" not in k}
        users.append(item)
    out["users"] = users
    return out


def user_chat_metrics(v: View) -> dict:
    chats = [c for c in v.created if c.replies]
    if not chats:
        none = dict.fromkeys(("messagesPerChat", "responseTime", "waitTime", "duration"))
        return {**dates(v), "totalDays": round(v.days), "newConversations": 0, **none}
    later = [v.response_time(c, r) for c in chats for r in c.replies[1:]]
    return {
        **dates(v),
        "totalDays": round(v.days),
        "newConversations": len(chats),
        "messagesPerChat": mean(len(c.customer_msgs) + len(c.replies) for c in chats),
        "responseTime": mean(later) if later else None,
        "waitTime": mean(v.first_response_time(c) for c in chats),
        "duration": mean(c.replies[-1].at - c.created for c in chats),
    }


def user_chat(ctx: Context) -> dict:
    return summary(ctx, user_chat_metrics)
