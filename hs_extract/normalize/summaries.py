"""What each summary report's payload holds: period metrics and the sections beside them.

Declared as in :mod:`.fields` (a dict of API keys to types, nested objects, lists and one-row
objects), from the reference doc (§5.4) and the Ruby gem's example payloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .fields import Many, One, Spec, T

__all__ = ["SUMMARIES", "SummaryFields"]

# --- summaries (reference §5.4): period metrics ---------------------------------------------
# Every numeric metric of a period row is float64: the ``deltas`` row holds percent changes.

F, TS = T.FLOAT, T.TS
DATES = {"startDate": TS, "endDate": TS}
COMPANY = {
    **DATES,
    **dict.fromkeys(
        (
            "customersHelped",
            "closed",
            "totalReplies",
            "totalUsers",
            "totalDays",
            "repliesPerDayPerUser",
            "repliesPerDay",
            "resolvedPerDay",
        ),
        F,
    ),
}
CONVERSATIONS = {
    **DATES,
    **dict.fromkeys(
        (
            "totalConversations",
            "conversationsCreated",
            "newConversations",
            "customers",
            "conversationsPerDay",
        ),
        F,
    ),
}
DOCS = dict.fromkeys(
    (
        "visitors",
        "browseAction",
        "searchAction",
        "foundAnAnswerResult",
        "sentAnEmailResult",
        "failedResult",
        "docsViewedPerVisit",
    ),
    F,
)
HAPPINESS = dict.fromkeys(
    (
        "great",
        "okay",
        "notGood",
        "greatCount",
        "okayCount",
        "notGoodCount",
        "ratingsCount",
        "ratingsPercent",
        "totalCustomers",
        "totalCustomersWithRatings",
        "happinessScore",
    ),
    F,
)
PRODUCTIVITY = {
    **DATES,
    **dict.fromkeys(
        (
            "totalConversations",
            "resolutionTime",
            "repliesToResolve",
            "responseTime",
            "firstResponseTime",
            "resolved",
            "resolvedOnFirstReply",
            "percentResolvedOnFirstReply",
            "closed",
            "repliesSent",
            "handleTime",
        ),
        F,
    ),
}
USER = {
    **DATES,
    **dict.fromkeys(
        (
            "totalDays",
            "resolved",
            "conversationsCreated",
            "closed",
            "totalReplies",
            "resolvedOnFirstReply",
            "percentResolvedOnFirstReply",
            "repliesToResolve",
            "handleTime",
            "happinessScore",
            "responseTime",
            "resolutionTime",
            "repliesPerDay",
            "customersHelped",
            "totalConversations",
            "conversationsPerDay",
            "busiestDay",
            "activeConversations",
        ),
        F,
    ),
}
CHAT = {
    **DATES,
    "volume": dict.fromkeys(
        ("chatConversations", "completedChats", "missedChats", "chatsPerDay"), F
    ),
    "responses": dict.fromkeys(("waitTime", "responseTime"), F),
    "resolutions": dict.fromkeys(("messagesPerChat", "duration"), F),
}
EMAIL = {
    **DATES,
    "volume": dict.fromkeys(
        ("emailConversations", "emailsCreated", "repliesSent", "messagesReceived"), F
    ),
    "resolutions": dict.fromkeys(
        (
            "resolved",
            "resolvedOnFirstReply",
            "percentResolvedOnFirstReply",
            "resolutionTime",
            "repliesToResolve",
            "handleTime",
            "closed",
        ),
        F,
    ),
    "responses": dict.fromkeys(("responseTime", "firstResponseTime"), F),
}
PHONE_COUNTS = ("phoneConversations", "phoneCallsCreated", "customers")
# the doc's phone deltas say newConversations where current says phoneConversations
PHONE = {**DATES, **dict.fromkeys((*PHONE_COUNTS, "newConversations"), F)}
USER_CHAT = {
    **DATES,
    **dict.fromkeys(
        (
            "totalDays",
            "newConversations",
            "messagesPerChat",
            "responseTime",
            "waitTime",
            "duration",
        ),
        F,
    ),
}

# --- summaries: sections outside current/previous/deltas ------------------------------------
# Scalars here are window-level values: they land on the ``current`` row.

FILTER_TAGS = {"filterTags": Many({"id": T.ID, "name": T.STR}, "filter_tags")}
TOP_ITEM = {
    "id": T.ID,
    "name": T.STR,
    "mailboxId": T.ID,
    "count": T.INT,
    "previousCount": T.INT,
    "percent": F,
    "previousPercent": F,
    "deltaPercent": F,
}


def _top(table: str) -> Spec:
    return {"count": T.INT, "top": Many(TOP_ITEM, table)}


RANGE_ITEM = {
    "id": T.INT,
    "count": T.INT,
    "previousCount": T.INT,
    "percent": F,
    "previousPercent": F,
    "resolutionTime": F,
}


def histograms(*names: str) -> dict[str, Spec]:
    """Histogram sections: their ranges all go to one ``<report>__ranges`` table."""
    ranges = Many(RANGE_ITEM, "ranges", label="histogram")
    return {n: {"count": T.INT, "previousCount": T.INT, "ranges": ranges} for n in names}


COMPANY_USER = {
    "user": T.ID,
    "name": T.STR,
    "customersHelped": T.INT,
    "previousCustomersHelped": T.INT,
    "replies": T.INT,
    "previousReplies": T.INT,
    "happinessScore": F,
    "previousHappinessScore": F,
    "handleTime": F,
    "previousHandleTime": F,
}
CUSTOM_FIELD = {
    "id": T.ID,
    "name": T.STR,
    "mailboxId": T.ID,
    "values": Many(
        {
            "id": T.ID,
            "name": T.STR,
            "count": T.INT,
            "percent": F,
            "previousCount": T.INT,
            "previousPercent": F,
            "deltaPercent": F,
        },
        "custom_field_values",
        "custom_field_id",
    ),
    "summary": {
        "total": T.INT,
        "totalAnswered": T.INT,
        "previousTotal": T.INT,
        "previousTotalAnswered": T.INT,
        "unansweredDelta": F,
        "unansweredPreviousPercent": F,
        "unansweredPercent": F,
    },
}
CONVERSATIONS_SECTIONS = {
    **FILTER_TAGS,
    "busiestDay": One({"day": T.INT, "hour": T.INT, "count": T.INT}, "busiest_day"),
    "busyTimeStart": T.INT,
    "busyTimeEnd": T.INT,
    "tags": _top("tags_top"),
    "customers": _top("customers_top"),
    "replies": _top("replies_top"),
    "workflows": _top("workflows_top"),
    "customFields": {"count": T.INT, "fields": Many(CUSTOM_FIELD, "custom_fields")},
}
DOCS_SECTIONS = {
    "popularSearches": Many(
        {"id": T.TEXT_ID, "count": T.INT, "results": T.INT}, "popular_searches"
    ),
    "failedSearches": Many({"id": T.TEXT_ID, "count": T.INT}, "failed_searches"),
    "topArticles": Many(
        {
            "id": T.TEXT_ID,
            "name": T.STR,
            "siteId": T.TEXT_ID,
            "collectionId": T.TEXT_ID,
            "count": T.INT,
        },
        "top_articles",
    ),
    "topCategories": Many(
        {"id": T.TEXT_ID, "name": T.STR, "siteId": T.TEXT_ID, "count": T.INT, "articles": T.INT},
        "top_categories",
    ),
}
USER_BLOCK = {
    "user": One(
        {
            "id": T.ID,
            "name": T.STR,
            "hasPhoto": T.BOOL,
            "photoUrl": T.STR,
            "createdAt": T.TS,
            "totalCustomersHelped": T.INT,
        },
        "user",
    )
}
PHONE_USER = {"id": T.ID, "name": T.STR, **dict.fromkeys(PHONE_COUNTS, T.INT)}


@dataclass(frozen=True)
class SummaryFields:
    """A summary report: its period metrics and its other sections."""

    metrics: Spec
    sections: Spec
    #: list of objects with their own current/previous (phone users): section → (item, table)
    per_period: Mapping[str, tuple[Spec, str]] = None  # type: ignore[assignment]


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
    "user": SummaryFields(USER, {**FILTER_TAGS, **USER_BLOCK}),
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
    "phone": SummaryFields(PHONE, {}, {"users": (PHONE_USER, "users")}),
    "user_chat": SummaryFields(USER_CHAT, {}),
}

#: paginated report → the fields of one result
