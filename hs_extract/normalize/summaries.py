"""What each summary report's payload holds: period metrics and the sections beside them.

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

from .fields import (
    F,
    Many,
    One,
    Spec,
    T,
    count,
    flag,
    ident,
    percent,
    rate,
    score,
    seconds,
    stamp,
    text,
)

__all__ = ["SUMMARIES", "SummaryFields", "deltas_of"]

# --- summaries (reference §5.4): period metrics ---------------------------------------------

DATES = {
    "startDate": stamp("start of the period's range as Help Scout computed it"),
    "endDate": stamp("end of the period's range as Help Scout computed it"),
}
DAYS = count("days in the period's range")
COMPANY = {
    **DATES,
    "customersHelped": count("customers who received a reply"),
    "closed": count("conversations closed"),
    "totalReplies": count("replies sent by users"),
    "totalUsers": count("users who sent a reply"),
    "totalDays": DAYS,
    "repliesPerDayPerUser": rate("replies per day per replying user"),
    "repliesPerDay": rate("replies per day"),
    "resolvedPerDay": rate("conversations resolved per day"),
}
CONVERSATIONS = {
    **DATES,
    "totalConversations": count("conversations active in the period"),
    "conversationsCreated": count("conversations created by users (outbound)"),
    "newConversations": count("new conversations from customers"),
    "customers": count("customers with a conversation"),
    "conversationsPerDay": rate("active conversations per day"),
}
DOCS = {
    "visitors": count("unique visitors (browsers) of the Docs sites"),
    "browseAction": percent("share of article views reached by browsing"),
    "searchAction": percent("share of article views reached by searching"),
    "foundAnAnswerResult": percent("share of visits that read an article and did not contact"),
    "sentAnEmailResult": percent("share of visits followed by an email to support"),
    "failedResult": percent("share of visits that left without viewing an article"),
    "docsViewedPerVisit": rate("articles viewed per visit (30 min idle ends one)", "per visit"),
}
HAPPINESS = {
    "great": percent("share of ratings that are great"),
    "okay": percent("share of ratings that are okay"),
    "notGood": percent("share of ratings that are not good"),
    "greatCount": count("great ratings"),
    "okayCount": count("okay ratings"),
    "notGoodCount": count("not good ratings"),
    "ratingsCount": count("ratings given"),
    "ratingsPercent": percent("share of customers who rated"),
    "totalCustomers": count("customers who received a reply"),
    "totalCustomersWithRatings": count("customers who rated"),
    "happinessScore": score(),
}
REPLIES_TO_RESOLVE = rate("replies needed to resolve a conversation (average)", "replies")
RESOLVED_FIRST = percent("share of resolved conversations resolved on the first reply")
PRODUCTIVITY = {
    **DATES,
    "totalConversations": count("conversations active in the period"),
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
USER = {
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
    "customersHelped": count("customers who received a reply"),
    "totalConversations": count("conversations the user or team worked on"),
    "conversationsPerDay": rate("conversations worked on per day"),
    "busiestDay": F(T.INT, "busiest day of the week, 1 = Monday … 7 = Sunday", "weekday"),
}
CHAT = {
    **DATES,
    "volume": {
        "chatConversations": count("chat conversations"),
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
EMAIL = {
    **DATES,
    "volume": {
        "emailConversations": count("email conversations"),
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
PHONE = {
    **DATES,
    "phoneConversations": count("phone conversations"),
    "phoneCallsCreated": count("phone calls logged by users"),
    "customers": count("customers with a phone conversation"),
}
USER_CHAT = {
    **DATES,
    "totalDays": DAYS,
    "newConversations": count("new chat conversations"),
    "messagesPerChat": rate("messages per chat (average)", "messages"),
    "responseTime": seconds("average response time"),
    "waitTime": seconds("average wait before a user joined"),
    "duration": seconds("average chat duration"),
}

# --- summaries: sections outside current/previous/deltas ------------------------------------
# Scalars here are window-level values: they land on the ``current`` row.

FILTER_TAGS = {
    "filterTags": Many(
        {"id": ident("a tag one can filter on (1: untagged)"), "name": text("tag name")},
        "filter_tags",
    )
}


def _top(table: str, what: str) -> Spec:
    item = {
        "id": ident(what),
        "name": text(f"name of the {what}"),
        "mailboxId": ident("the saved reply's mailbox"),
        "count": count("conversations in the window"),
        "previousCount": count("conversations in the previous window"),
        "percent": percent("share of the window's conversations"),
        "previousPercent": percent("share of the previous window's conversations"),
        "deltaPercent": percent("change of the share against the previous window"),
    }
    return {"count": count(f"{what}s in the window"), "top": Many(item, table)}


RANGE_ITEM = {
    "id": F(T.INT, "bucket id within its histogram (see the bucket table above)", "bucket"),
    "count": count("conversations in the bucket"),
    "previousCount": count("conversations in the bucket, previous window"),
    "percent": percent("share of the histogram's conversations"),
    "previousPercent": percent("share of the histogram's conversations, previous window"),
    "resolutionTime": seconds("average time to resolution (repliesToResolve buckets only)"),
}


def histograms(*names: str) -> dict[str, Spec]:
    """Histogram sections: their ranges all go to one ``<report>__ranges`` table."""
    ranges = Many(RANGE_ITEM, "ranges", label="histogram")
    return {
        n: {
            "count": count(f"conversations in the {n} histogram"),
            "previousCount": count(f"conversations in the {n} histogram, previous window"),
            "ranges": ranges,
        }
        for n in names
    }


COMPANY_USER = {
    "user": ident("the user (sent as text; join users.id)", "id"),
    "name": text("user's name"),
    "customersHelped": count("customers the user replied to"),
    "previousCustomersHelped": count("the same, previous window"),
    "replies": count("replies the user sent"),
    "previousReplies": count("the same, previous window"),
    "happinessScore": score(),
    "previousHappinessScore": score("happiness score, previous window"),
    "handleTime": seconds("average handle time of the user's replies"),
    "previousHandleTime": seconds("the same, previous window"),
}
CUSTOM_FIELD = {
    "id": ident("the custom field"),
    "name": text("custom field name"),
    "mailboxId": ident("the field's mailbox"),
    "values": Many(
        {
            "id": ident("the dropdown option"),
            "name": text("option label"),
            "count": count("conversations with this option"),
            "percent": percent("share of the field's answered conversations"),
            "previousCount": count("the same, previous window"),
            "previousPercent": percent("the same, previous window"),
            "deltaPercent": percent("change of the share against the previous window"),
        },
        "custom_field_values",
        "custom_field_id",
    ),
    "summary": {
        "total": count("conversations the field applies to"),
        "totalAnswered": count("conversations with the field answered"),
        "previousTotal": count("the same, previous window"),
        "previousTotalAnswered": count("the same, previous window"),
        "unansweredDelta": percent("change of the unanswered share"),
        "unansweredPreviousPercent": percent("share unanswered, previous window"),
        "unansweredPercent": percent("share unanswered"),
    },
}
BUSIEST_DAY = {
    "day": F(T.INT, "busiest day of the week, 1 = Monday … 7 = Sunday", "weekday"),
    "hour": F(T.INT, "busiest hour of that day, 0-23 (company time zone)", "hour"),
    "count": count("conversations in that hour"),
}
CONVERSATIONS_SECTIONS = {
    **FILTER_TAGS,
    "busiestDay": One(BUSIEST_DAY, "busiest_day"),
    "busyTimeStart": F(T.INT, "hour the busy time starts (company time zone)", "hour"),
    "busyTimeEnd": F(T.INT, "hour the busy time ends (company time zone)", "hour"),
    "tags": _top("tags_top", "tag"),
    "customers": _top("customers_top", "customer"),
    "replies": _top("replies_top", "saved reply"),
    "workflows": _top("workflows_top", "workflow"),
    "customFields": {
        "count": count("dropdown custom fields"),
        "fields": Many(CUSTOM_FIELD, "custom_fields"),
    },
}
DOC_ID = F(T.TEXT_ID, "Docs id (hex text)", "id")
DOCS_SECTIONS = {
    "popularSearches": Many(
        {
            "id": F(T.TEXT_ID, "the search term", ""),
            "count": count("searches"),
            "results": count("articles the search found"),
        },
        "popular_searches",
    ),
    "failedSearches": Many(
        {"id": F(T.TEXT_ID, "the search term", ""), "count": count("searches without result")},
        "failed_searches",
    ),
    "topArticles": Many(
        {
            "id": DOC_ID,
            "name": text("article title"),
            "siteId": F(T.TEXT_ID, "Docs site id (hex text)", "id"),
            "collectionId": F(T.TEXT_ID, "Docs collection id (hex text)", "id"),
            "count": count("views"),
        },
        "top_articles",
    ),
    "topCategories": Many(
        {
            "id": DOC_ID,
            "name": text("category name"),
            "siteId": F(T.TEXT_ID, "Docs site id (hex text)", "id"),
            "count": count("views"),
            "articles": count("articles in the category"),
        },
        "top_categories",
    ),
}
USER_BLOCK = {
    "user": One(
        {
            "id": ident("the user or team"),
            "name": text("user's or team's name"),
            "hasPhoto": flag("a photo is set"),
            "photoUrl": text("photo address"),
            "createdAt": stamp("when the user or team was created"),
            "totalCustomersHelped": count("customers helped, all time"),
        },
        "profile",
    )
}
PHONE_USER = {
    "id": ident("the user (join users.id)"),
    "name": text("user's name"),
    "phoneConversations": count("phone conversations"),
    "phoneCallsCreated": count("phone calls the user logged"),
    "customers": count("customers the user spoke to"),
}


def deltas_of(metrics: Spec, extra: Spec | None = None, skip: frozenset[str] = frozenset()) -> Spec:
    """The ``deltas`` object of a report: its metrics (timestamps and ``skip`` left out) as
    percent changes against the previous window, plus keys only ``deltas`` has."""
    out: dict = {}
    for key, kind in metrics.items():
        if key in skip:
            continue
        if isinstance(kind, F):
            if kind.type is not T.TS:
                out[key] = F(T.FLOAT, f"change of: {kind.doc}", "percent change", kind.name)
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
            "activeConversations": F(T.FLOAT, "change of active conversations", "percent change")
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
            "newConversations": F(T.FLOAT, "change of new conversations", "percent change")
        },
    ),
    "user_chat": SummaryFields(USER_CHAT, {}),
}

#: paginated report → the fields of one result
