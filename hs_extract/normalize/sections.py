"""What summary reports hold outside ``current``/``previous``/``deltas``: their sections.

Declared as in :mod:`.fields`, from the reference doc (§5.4), the Ruby gem's example payloads
and the v1 field guides. Scalars here are window-level values: they land on the ``current``
row; lists become child tables (the histograms' ranges all go to one ``<report>__ranges``).
"""

from __future__ import annotations

from .fields import (
    F,
    Many,
    One,
    Spec,
    T,
    count,
    distinct,
    flag,
    ident,
    percent,
    score,
    seconds,
    stamp,
    text,
)

__all__ = [
    "COMPANY_USER",
    "CONVERSATIONS_SECTIONS",
    "DOCS_SECTIONS",
    "FILTER_TAGS",
    "PHONE_USER",
    "USER_BLOCK",
    "histograms",
]


FILTER_TAGS: Spec = {
    "filterTags": Many(
        {"id": ident("a tag one can filter on (1: untagged)"), "name": text("tag name")},
        "filter_tags",
    )
}


def _top(table: str, what: str, mailbox: bool = False) -> Spec:
    item = {
        "id": ident(what),
        "name": text(f"name of the {what}"),
        **({"mailboxId": ident("the saved reply's mailbox")} if mailbox else {}),
        "count": distinct("conversations in the window"),
        "previousCount": distinct("conversations in the previous window"),
        "percent": percent("share of the window's conversations"),
        "previousPercent": percent("share of the previous window's conversations"),
        "deltaPercent": percent("change of the share against the previous window"),
    }
    return {"count": distinct(f"{what}s in the window"), "top": Many(item, table)}


#: what each bucket id of a histogram means (reference §5.4, from the legacy docs; chat and
#: email resolution-time ids are not documented). The docs' bucket table and charts use it.
_TIMES = ("<15 min", "15–30 min", "30–60 min", "1–2 h", "2–3 h", "3–6 h", "6–12 h", "12–24 h")
BUCKETS: dict[str, dict[int, str]] = {
    "responseTime": dict(enumerate((*_TIMES, "1–2 days", ">2 days"), start=1)),
    "firstResponseTime": dict(enumerate((*_TIMES, "1–2 days", ">2 days"), start=1)),
    "handleTime": dict(enumerate(("<1 min", "1–2 min", "2–5 min", "5–10 min", ">10 min"), 1)),
    "repliesToResolve": dict(
        enumerate(("1 reply", "2 replies", "3 replies", "4 replies", "5 or more"), start=1)
    ),
}


def bucket_label(histogram: str, bucket: int) -> str:
    """What bucket ``bucket`` of ``histogram`` holds (``"15–30 min"``); its id as text when
    Help Scout does not document it."""
    return BUCKETS.get(histogram, {}).get(bucket, str(bucket))


RANGE_ITEM: Spec = {
    "id": F(T.INT, "bucket id within its histogram (see the bucket table above)", "bucket"),
    "count": distinct("conversations in the bucket"),
    "previousCount": distinct("conversations in the bucket, previous window"),
    "percent": percent("share of the histogram's conversations"),
    "previousPercent": percent("share of the histogram's conversations, previous window"),
}
#: the repliesToResolve histogram's buckets also carry their resolution time
RESOLVE_ITEM: Spec = {
    **RANGE_ITEM,
    "resolutionTime": seconds("average time to resolution (repliesToResolve buckets only)"),
}


def histograms(*names: str) -> dict[str, Spec]:
    """Histogram sections: their ranges all go to one ``<report>__ranges`` table."""
    return {
        n: {
            "count": distinct(f"conversations in the {n} histogram"),
            "previousCount": distinct(f"conversations in the {n} histogram, previous window"),
            "ranges": Many(
                RESOLVE_ITEM if n == "repliesToResolve" else RANGE_ITEM, "ranges", label="histogram"
            ),
        }
        for n in names
    }


COMPANY_USER: Spec = {
    "user": F(T.ID, "id of the user (sent as text; join users.id)", "id", "id", as_text=True),
    "name": text("user's name"),
    "customersHelped": distinct("customers the user replied to"),
    "previousCustomersHelped": distinct("the same, previous window"),
    "replies": count("replies the user sent"),
    "previousReplies": count("the same, previous window"),
    "closed": count("conversations the user closed"),
    "happinessScore": score(),
    "previousHappinessScore": score("happiness score, previous window"),
    "handleTime": seconds("average handle time of the user's replies"),
    "previousHandleTime": seconds("the same, previous window"),
}
CUSTOM_FIELD: Spec = {
    "id": ident("the custom field"),
    "name": text("custom field name"),
    # the v2 examples send mailboxId, the v1 field guide names it mailbox
    "mailboxId": F(T.ID, "id of the field's mailbox", "id", aliases=("mailbox",)),
    "values": Many(
        {
            "id": ident("the dropdown option"),
            "name": text("option label"),
            "count": distinct("conversations with this option"),
            "percent": percent("share of the field's answered conversations"),
            "previousCount": count("the same, previous window"),
            "previousPercent": percent("the same, previous window"),
            "deltaPercent": percent("change of the share against the previous window"),
        },
        "custom_field_values",
        "custom_field_id",
    ),
    "summary": {
        "total": distinct("conversations the field applies to"),
        "totalAnswered": distinct("conversations with the field answered"),
        "previousTotal": count("the same, previous window"),
        "previousTotalAnswered": count("the same, previous window"),
        "unansweredDelta": percent("change of the unanswered share"),
        "unansweredPreviousPercent": percent("share unanswered, previous window"),
        "unansweredPercent": percent("share unanswered"),
    },
}
BUSIEST_DAY: Spec = {
    "day": F(T.INT, "busiest day of the week, 1 = Monday … 7 = Sunday", "weekday"),
    "hour": F(T.INT, "busiest hour of that day, 0-23 (company time zone)", "hour"),
    "count": distinct("conversations in that hour"),
}
CONVERSATIONS_SECTIONS: Spec = {
    **FILTER_TAGS,
    "companyId": ident("the Help Scout account (company) the report is of"),
    "busiestDay": One(BUSIEST_DAY, "busiest_day"),
    "busyTimeStart": F(T.INT, "hour the busy time starts (company time zone)", "hour"),
    "busyTimeEnd": F(T.INT, "hour the busy time ends (company time zone)", "hour"),
    "tags": _top("tags_top", "tag"),
    "customers": _top("customers_top", "customer"),
    "replies": _top("replies_top", "saved reply", mailbox=True),
    "workflows": _top("workflows_top", "workflow"),
    "customFields": {
        "count": distinct("dropdown custom fields"),
        "fields": Many(CUSTOM_FIELD, "custom_fields"),
    },
}
DOC_ID = F(T.TEXT_ID, "Docs id (hex text)", "id")
DOCS_SECTIONS: Spec = {
    "popularSearches": Many(
        {
            "id": F(T.TEXT_ID, "the search term", ""),
            "count": count("searches"),
            "results": distinct("articles the search found"),
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
            "articles": distinct("articles in the category"),
        },
        "top_categories",
    ),
}
USER_BLOCK: Spec = {
    "user": One(
        {
            "id": ident("the user or team"),
            "name": text("user's or team's name"),
            "hasPhoto": flag("a photo is set"),
            "photoUrl": text("photo address"),
            "createdAt": stamp("when the user or team was created"),
            "totalCustomersHelped": distinct("customers helped, all time"),
        },
        "profile",
    )
}
PHONE_USER: Spec = {
    "id": ident("the user (join users.id)"),
    "name": text("user's name"),
    "phoneConversations": count("phone conversations"),
    "phoneCallsCreated": count("phone calls the user logged"),
    "customers": distinct("customers the user spoke to"),
}
