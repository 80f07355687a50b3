"""What each summary report's payload holds: its period metrics (the sections beside: .sections).

Declared as in :mod:`.fields` (API keys to documented, typed fields, nested objects, lists and
one-row objects), from the reference doc (§5.4) and the Ruby gem's example payloads. Each
metric keeps its own type in the ``current`` and ``previous`` rows (counts int64, times float64
seconds, percentages and scores float64); the ``deltas`` object becomes the child table
``<report>__deltas`` whose columns are the same metrics as percent changes (float64).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .fields import (
    NONE,
    F,
    Many,
    Spec,
    T,
    count,
    distinct,
    percent,
    rate,
    score,
    seconds,
    stamp,
)
from .sections import (
    COMPANY_USER,
    CONVERSATIONS_SECTIONS,
    DOCS_SECTIONS,
    FILTER_TAGS,
    PHONE_USER,
    USER_BLOCK,
    histograms,
)

__all__ = ["SUMMARIES", "SummaryFields", "deltas_of"]

# --- summaries (reference §5.4): period metrics ---------------------------------------------

DATES: Spec = {
    "startDate": stamp("start of the period's range as Help Scout computed it"),
    "endDate": stamp("end of the period's range as Help Scout computed it"),
}
DAYS = count("days in the period's range")
COMPANY: Spec = {
    **DATES,
    "customersHelped": distinct("customers who received a reply"),
    "closed": count("conversations closed"),
    "totalReplies": count("replies sent by users"),
    "totalUsers": distinct("users who sent a reply"),
    "totalDays": DAYS,
    "repliesPerDayPerUser": rate("replies per day per replying user"),
    "repliesPerDay": rate("replies per day"),
    "resolvedPerDay": rate("conversations resolved per day"),
}
CONVERSATIONS: Spec = {
    **DATES,
    "totalConversations": distinct("conversations active in the period"),
    "conversationsCreated": count("conversations created by users (outbound)"),
    "newConversations": count("new conversations from customers"),
    "customers": distinct("customers with a conversation"),
    "conversationsPerDay": rate("active conversations per day"),
}
DOCS: Spec = {
    "visitors": distinct("unique visitors (browsers) of the Docs sites"),
    "browseAction": percent("share of article views reached by browsing"),
    "searchAction": percent("share of article views reached by searching"),
    "foundAnAnswerResult": percent("share of visits that read an article and did not contact"),
    "sentAnEmailResult": percent("share of visits followed by an email to support"),
    "failedResult": percent("share of visits that left without viewing an article"),
    "docsViewedPerVisit": rate("articles viewed per visit (30 min idle ends one)", "per visit"),
}
HAPPINESS: Spec = {
    "great": percent("share of ratings that are great"),
    "okay": percent("share of ratings that are okay"),
    "notGood": percent("share of ratings that are not good"),
    "greatCount": count("great ratings"),
    "okayCount": count("okay ratings"),
    "notGoodCount": count("not good ratings"),
    "ratingsCount": count("ratings given"),
    "ratingsPercent": percent("share of customers who rated"),
    "totalCustomers": distinct("customers who received a reply"),
    "totalCustomersWithRatings": distinct("customers who rated"),
    "happinessScore": score(weight="ratings_count"),
}
REPLIES_TO_RESOLVE = rate("replies needed to resolve a conversation (average)", "replies")
RESOLVED_FIRST = percent("share of resolved conversations resolved on the first reply")
PRODUCTIVITY: Spec = {
    **DATES,
    "totalConversations": distinct("conversations active in the period"),
    "resolutionTime": seconds("average time to resolution"),
    "repliesToResolve": REPLIES_TO_RESOLVE,
    "responseTime": seconds("average response time"),
    "firstResponseTime": seconds("average time to the first response"),
    "resolved": count("conversations resolved"),
    "resolvedOnFirstReply": count("conversations resolved on the first reply"),
    "percentResolvedOnFirstReply": RESOLVED_FIRST,
    "closed": count("conversations closed"),
    "repliesSent": count("replies sent"),
    "handleTime": seconds("average handle time of a reply"),
}
USER: Spec = {
    **DATES,
    "totalDays": DAYS,
    "resolved": count("conversations the user or team resolved"),
    "conversationsCreated": count("conversations the user or team created"),
    "closed": count("conversations the user or team closed"),
    "totalReplies": count("replies the user or team sent"),
    "resolvedOnFirstReply": count("conversations resolved on the first reply"),
    "percentResolvedOnFirstReply": RESOLVED_FIRST,
    "repliesToResolve": REPLIES_TO_RESOLVE,
    "handleTime": seconds("average handle time of a reply"),
    "happinessScore": score(),
    "responseTime": seconds("average response time"),
    "resolutionTime": seconds("average time to resolution"),
    "repliesPerDay": rate("replies per day"),
    "customersHelped": distinct("customers who received a reply"),
    "totalConversations": distinct("conversations the user or team worked on"),
    "conversationsPerDay": rate("conversations worked on per day"),
    "busiestDay": F(T.INT, "busiest day of the week, 1 = Monday … 7 = Sunday", "weekday"),
    # the v1 field guide's collection of the period's ratings, one per rated conversation
    "ratings": Many(
        {
            "ratingId": F(T.INT, "the rating: 1 great, 2 okay, 3 not good", "code", as_text=True),
            "repliesSent": count("replies sent in the rated conversation"),
            "responseTime": seconds("average response time in the rated conversation"),
            "firstResponseTime": seconds("time to the first response in the rated conversation"),
            "resolveTime": seconds("time to resolution of the rated conversation"),
        },
        "ratings",
    ),
}
CHAT: Spec = {
    **DATES,
    "volume": {
        "chatConversations": distinct("chat conversations"),
        "completedChats": count("chats completed"),
        "missedChats": count("chats missed"),
        "chatsPerDay": rate("chats per day"),
    },
    "responses": {
        "waitTime": seconds("average wait before a user joined"),
        "responseTime": seconds("average response time"),
    },
    "resolutions": {
        "messagesPerChat": rate("messages per chat (average)", "messages"),
        "duration": seconds("average chat duration"),
    },
}
EMAIL: Spec = {
    **DATES,
    "volume": {
        "emailConversations": distinct("email conversations"),
        "emailsCreated": count("email conversations created by users"),
        "repliesSent": count("replies sent"),
        "messagesReceived": count("messages received from customers"),
    },
    "resolutions": {
        "resolved": count("email conversations resolved"),
        "resolvedOnFirstReply": count("resolved on the first reply"),
        "percentResolvedOnFirstReply": RESOLVED_FIRST,
        "resolutionTime": seconds("average time to resolution"),
        "repliesToResolve": REPLIES_TO_RESOLVE,
        "handleTime": seconds("average handle time of a reply"),
        "closed": count("email conversations closed"),
    },
    "responses": {
        "responseTime": seconds("average response time"),
        "firstResponseTime": seconds("average time to the first response"),
    },
}
PHONE: Spec = {
    **DATES,
    "phoneConversations": distinct("phone conversations"),
    "phoneCallsCreated": count("phone calls logged by users"),
    "customers": distinct("customers with a phone conversation"),
}
USER_CHAT: Spec = {
    **DATES,
    "totalDays": DAYS,
    "newConversations": count("new chat conversations"),
    "messagesPerChat": rate("messages per chat (average)", "messages"),
    "responseTime": seconds("average response time"),
    "waitTime": seconds("average wait before a user joined"),
    "duration": seconds("average chat duration"),
}


def deltas_of(metrics: Spec, extra: Spec | None = None, skip: frozenset[str] = frozenset()) -> Spec:
    """The ``deltas`` object of a report: its metrics (timestamps and ``skip`` left out) as
    percent changes against the previous window, plus keys only ``deltas`` has."""
    out: dict[str, Any] = {}
    for key, kind in metrics.items():
        if key in skip:
            continue
        if isinstance(kind, F):
            if kind.type is not T.TS:
                out[key] = F(
                    T.FLOAT, f"change of: {kind.doc}", "percent change", kind.name, rollup=NONE
                )
        elif isinstance(kind, Mapping):
            out[key] = deltas_of(kind)
    out.update(extra or {})
    return out


@dataclass(frozen=True)
class SummaryFields:
    """A summary report: its period metrics, its ``deltas`` and its other sections."""

    metrics: Spec
    sections: Spec
    #: list of objects with their own current/previous (phone users): section → (item, table)
    per_period: Mapping[str, tuple[Spec, str]] = field(default_factory=dict)
    #: keys only the ``deltas`` object has
    delta_only: Spec = field(default_factory=dict)
    #: metrics that have no delta (current only)
    no_delta: frozenset[str] = frozenset()

    @cached_property
    def deltas(self) -> Spec:
        """The ``deltas`` object's fields (built once: compiled plans key on identity)."""
        return deltas_of(self.metrics, self.delta_only, self.no_delta)


#: summary report → fields (time series, paginated and list reports need none: their values
#: are in the catalog, their rows above)
SUMMARIES: dict[str, SummaryFields] = {
    "company": SummaryFields(COMPANY, {**FILTER_TAGS, "users": Many(COMPANY_USER, "users")}),
    "conversations": SummaryFields(CONVERSATIONS, CONVERSATIONS_SECTIONS),
    "docs": SummaryFields(DOCS, DOCS_SECTIONS),
    "happiness": SummaryFields(HAPPINESS, {}),
    "productivity": SummaryFields(
        PRODUCTIVITY,
        {
            **FILTER_TAGS,
            **histograms("responseTime", "handleTime", "firstResponseTime", "repliesToResolve"),
        },
    ),
    "user": SummaryFields(
        USER,
        {**FILTER_TAGS, **USER_BLOCK},
        delta_only={
            "activeConversations": F(
                T.FLOAT, "change of active conversations", "percent change", rollup=NONE
            )
        },
        no_delta=frozenset({"busiestDay"}),
    ),
    "user_happiness": SummaryFields(HAPPINESS, FILTER_TAGS),
    "chat": SummaryFields(
        CHAT, histograms("waitTime", "responseTime", "messagesPerChat", "duration")
    ),
    "email": SummaryFields(
        EMAIL,
        {
            **FILTER_TAGS,
            **histograms(
                "responseTime",
                "handleTime",
                "firstResponseTime",
                "resolutionTime",
                "repliesToResolve",
            ),
        },
    ),
    # the doc's phone deltas say newConversations where current says phoneConversations
    "phone": SummaryFields(
        PHONE,
        {},
        {"users": (PHONE_USER, "users")},
        delta_only={
            "newConversations": F(
                T.FLOAT, "change of new conversations", "percent change", rollup=NONE
            )
        },
    ),
    "user_chat": SummaryFields(USER_CHAT, {}),
}

#: paginated report → the fields of one result
