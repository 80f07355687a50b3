"""The 32 report endpoints of the simulator: path → builder.

Each builder takes a :class:`~.shapes.Context` (the parsed query and its views of the account)
and returns the JSON payload in the shape of the reference doc (§5).
"""

from __future__ import annotations

from collections.abc import Callable

from .account import Account
from .channels import chat, email, phone, user_chat
from .docs import docs
from .listing import (
    busy_times,
    channel_volumes,
    company_drill_set,
    drilldown,
    field_drill_set,
    history,
    ratings,
    received,
    series,
)
from .rules import Query
from .shapes import Context, NotFound
from .summaries import (
    company,
    conversations,
    happiness,
    productivity,
    user,
    user_happiness,
)

__all__ = ["BUILDERS", "NotFound", "build"]

P = "/v2/reports/"

BUILDERS: dict[str, tuple[Callable[[Context], object], str | None]] = {
    P + "company": (company, None),
    P + "company/customers-helped": (
        series("date", lambda v: {"customers": v.customers_helped}),
        None,
    ),
    P + "company/drilldown": (drilldown(company_drill_set), None),
    P + "conversations": (conversations, None),
    P + "conversations/new": (series("start", lambda v: {"count": len(v.new)}), None),
    P + "conversations/volume-by-channel": (series("date", channel_volumes), None),
    P + "conversations/busy-times": (busy_times, None),
    P + "conversations/drilldown": (drilldown(lambda ctx: ctx.cur.active), None),
    P + "conversations/fields-drilldown": (drilldown(field_drill_set), None),
    P + "conversations/new-drilldown": (drilldown(lambda ctx: ctx.cur.new), None),
    P + "conversations/received-messages": (received("date", "messages"), None),
    P + "docs": (docs, None),
    P + "happiness": (happiness, None),
    P + "happiness/ratings": (ratings, None),
    P + "productivity": (productivity, None),
    P + "productivity/first-response-time": (
        series("date", lambda v: {"time": v.mean_first_response_time()}),
        None,
    ),
    P + "productivity/replies-sent": (series("date", lambda v: {"replies": len(v.replies)}), None),
    P + "productivity/resolution-time": (
        series("date", lambda v: {"time": v.mean_resolution_time()}),
        None,
    ),
    P + "productivity/resolved": (series("date", lambda v: {"resolved": len(v.resolved)}), None),
    P + "productivity/response-time": (
        series("date", lambda v: {"time": v.mean_response_time()}),
        None,
    ),
    P + "user": (user, None),
    P + "user/conversation-history": (history, None),
    P + "user/customers-helped": (
        series("date", lambda v: {"customers": v.customers_helped}),
        None,
    ),
    P + "user/drilldown": (drilldown(lambda ctx: ctx.cur.replied, user_variant=True), None),
    P + "user/happiness": (user_happiness, None),
    P + "user/ratings": (ratings, None),
    P + "user/replies": (series("date", lambda v: {"replies": len(v.replies)}), None),
    P + "user/resolutions": (series("date", lambda v: {"resolved": len(v.resolved)}), None),
    P + "chat": (chat, "chat"),
    P + "email": (email, "email"),
    P + "phone": (phone, "phone"),
    P + "user/chat": (user_chat, "chat"),
}


def build(account: Account, q: Query, *, received_layout: str = "date") -> object:
    """The payload of the report at ``q.path`` (raises NotFound for an unknown user)."""
    if q.path == P + "conversations/received-messages" and received_layout == "start":
        return received("start", "count")(Context(account, q))
    builder, channel = BUILDERS[q.path]
    return builder(Context(account, q, channel=channel))
