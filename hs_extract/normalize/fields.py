"""How payloads are declared, and what paginated, time-series, busy-times and list payloads hold.

Written from the reference doc (§5, §6) and the Ruby gem's example payloads; summaries are in
:mod:`.summaries`. A ``dict`` maps API keys to an :class:`F` (a scalar: its type, its meaning
with its unit, and its column name when snake_case of the key reads badly), another dict (a
nested object, flattened with ``__``), :class:`Many` (a list: a child table) or :class:`One`
(an object that is a one-row child table). Keys not declared here are never dropped: they land
in the row's ``_extra`` column. Types and meanings are written here once; the table reference
(``docs/tables.md``) is generated from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Union

import pyarrow as pa


class T(Enum):
    """Declared scalar types (DESIGN.md "Types are declared, not guessed")."""

    TS = pa.timestamp("us", tz="UTC")  # timestamps: timezone-aware UTC
    INT = pa.int64()  # counts
    FLOAT = pa.float64()  # rates, times, percentages
    STR = pa.string()
    BOOL = pa.bool_()
    ID = pa.int64()  # Help Scout ids
    TEXT_ID = pa.string()  # Docs ids are hex strings

    @property
    def arrow(self) -> pa.DataType:
        return self.value


@dataclass(frozen=True)
class F:
    """One scalar field: its declared type, unit and meaning; ``name`` overrides the column
    name (run-together API keys such as ``assignedid`` → ``assigned_id``)."""

    type: T
    doc: str
    unit: str = ""
    name: str | None = None
    #: other keys the API may send the same value under (the v1 field guides' names): read
    #: into the same column when the main key is absent
    aliases: tuple[str, ...] = ()
    #: the API sends this value as text although it is a number (an id in quotes): expected,
    #: converted without a word, and no difference in ``check``
    as_text: bool = False
    #: how a metric combines over windows: SUM, NONE (take it from a window of the size you
    #: want), or weighted(column); "" for what is not a metric (ids, names, times, codes)
    rollup: str = ""


#: a metric that adds up over windows (events: replies sent, conversations closed)
SUM = "sum"
#: a metric that does not: distinct counts (customers helped), averages, rates and shares;
#: read it from a window of the size wanted (a grain), never from a sum of smaller windows
NONE = "none"


def weighted(column: str) -> str:
    """A mean that combines over windows as an average weighted by ``column`` of its row."""
    return f"average weighted by {column}"


#: what each roll-up rule tells a reader (docs, column comments, Parquet metadata)
ROLLUP_TEXT = {
    SUM: "sums over windows",
    NONE: "not additive: take it from a window of the wanted size, never a sum of smaller ones",
}


def rollup_text(rollup: str) -> str:
    """The roll-up rule as one phrase."""
    return ROLLUP_TEXT.get(rollup, rollup)


def count(doc: str, name: str | None = None) -> F:
    """A count of events in the window (replies sent, conversations closed): it sums."""
    return F(T.INT, doc, "count", name, rollup=SUM)


def distinct(doc: str, name: str | None = None) -> F:
    """A count of distinct things (customers helped, conversations active): it does not sum."""
    return F(T.INT, doc, "count", name, rollup=NONE)


def seconds(doc: str) -> F:
    return F(T.FLOAT, doc, "seconds", rollup=NONE)


def percent(doc: str) -> F:
    return F(T.FLOAT, doc, "percent", rollup=NONE)


def rate(doc: str, unit: str = "per day") -> F:
    return F(T.FLOAT, doc, unit, rollup=NONE)


def score(doc: str = "happiness score: great % minus not good %", weight: str | None = None) -> F:
    return F(T.FLOAT, doc, "score, -100 to 100", rollup=weighted(weight) if weight else NONE)


def ident(of: str, name: str | None = None) -> F:
    return F(T.ID, f"id of {of}", "id", name)


def text(doc: str, name: str | None = None) -> F:
    return F(T.STR, doc, "", name)


def stamp(doc: str) -> F:
    return F(T.TS, doc, "UTC timestamp")


def flag(doc: str) -> F:
    return F(T.BOOL, doc, "true/false")


@dataclass(frozen=True)
class Many:
    """A JSON list. It becomes the child table ``<parent>__<table>``, each row carrying the
    parent's key (``parent_key``, when the parent has one) and its position ``idx``."""

    item: Union[Mapping[str, Any], F]  # noqa: UP007 - forward reference to the Spec alias
    table: str
    parent_key: str | None = None
    #: column name for lists of scalars (``customerIds`` → ``customer_id``)
    value: str = "value"
    #: column that names the section the list came from, when several feed one table
    label: str | None = None


@dataclass(frozen=True)
class One:
    """A JSON object kept as a one-row child table ``<parent>__<table>``."""

    item: Mapping[str, Any]
    table: str


Spec = Mapping[str, Union[F, "Spec", Many, One]]

# --- paginated results (reference §5.3) --------------------------------------------------------

TAG: Spec = {"id": ident("the tag"), "name": text("tag name"), "color": text("tag colour (hex)")}
DRILL_RESULT: Spec = {
    "id": ident("the conversation"),
    "number": F(T.INT, "conversation number shown in Help Scout", "number"),
    "type": text("channel: email, chat or phone"),
    "mailboxid": ident("the mailbox (inbox)", "mailbox_id"),
    "attachments": flag("the conversation has attachments"),
    "subject": text("subject"),
    "status": text("conversation status: active, pending, closed or spam"),
    "threadCount": count("threads (messages, replies, notes) in the conversation"),
    "preview": text("start of the latest thread"),
    "customerName": text("customer's name"),
    "customerEmail": text("customer's email address"),
    "customerIds": Many(
        ident("a customer of the conversation"), "customer_ids", "conversation_id", "customer_id"
    ),
    "modifiedAt": stamp("when the conversation last changed"),
    "assignedid": ident("the assigned user (join users.id; 0 or null: unassigned)", "assigned_id"),
    "assignedName": text("assigned user's name"),
    "waitingSince": stamp("since when the customer waits for an answer"),
    "waitingSinceType": F(T.INT, "Help Scout's code for what the customer waits on", "code"),
    "tags": Many(TAG, "tags", "conversation_id"),
}
RATING_RESULT: Spec = {
    "id": ident("the rated conversation"),
    "number": F(T.INT, "conversation number shown in Help Scout", "number"),
    "type": text("channel: email, chat or phone"),
    "threadid": ident("the rated reply (thread)", "thread_id"),
    "threadCreatedAt": stamp("when the rated reply was sent"),
    "ratingId": F(T.INT, "the rating: 1 great, 2 okay, 3 not good (Help Scout's ratingId)", "code"),
    "ratingCustomerId": ident("the customer who rated"),
    "ratingCustomerName": text("name of the customer who rated"),
    "ratingComments": text("the customer's comment"),
    "ratingCreatedAt": stamp("when the customer rated"),
    "ratingUserId": ident("the user whose reply was rated (join users.id)"),
    "ratingUserName": text("name of the user whose reply was rated"),
}
HISTORY_RESULT: Spec = {
    "id": ident("the conversation"),
    "number": F(T.INT, "conversation number shown in Help Scout", "number"),
    "status": text("conversation status: active, pending or closed"),
    "customers": Many(
        {"id": ident("the customer"), "name": text("customer's name")},
        "customers",
        "conversation_id",
    ),
    "avgHandleTime": seconds("average handle time of the user's replies"),
    "firstResponseTime": seconds("time to the first response"),
    "repliesSent": count("replies the user sent"),
    "responseTime": seconds("average response time of the user's replies"),
    "resolveTime": seconds("time to resolution (null while not resolved)"),
}
#: page-level keys of paginated payloads besides the results
PAGE_KEYS = {"page": T.INT, "pages": T.INT, "count": T.INT, "facets": T.STR}

#: paginated report → the fields of one result
RESULTS: dict[str, Spec] = {
    "company_drilldown": DRILL_RESULT,
    "conversations_drilldown": DRILL_RESULT,
    "conversations_drilldown_by_field": DRILL_RESULT,
    "conversations_new_conversations_drilldown": DRILL_RESULT,
    "user_drilldown": DRILL_RESULT,
    "happiness_ratings": RATING_RESULT,
    "user_happiness_drilldown": RATING_RESULT,
    "user_conversation_history": HISTORY_RESULT,
}
#: paginated report → columns of its row key (besides window and slice): the result's own
#: identity. A rating is not a conversation: one thread can be rated twice, and Help Scout's
#: ratingId is the rating's value (1-3; the v1 docs and every example), not its identity.
RATING_KEY = ("id", "thread_id", "rating_id", "rating_created_at")
RESULT_KEYS = {"happiness_ratings": RATING_KEY, "user_happiness_drilldown": RATING_KEY}
#: what a paginated report lists in a window (docs/tables.md says it per table)
RESULT_SETS = {
    "company_drilldown": "conversations a user replied to in the window (one conversation "
    "appears in every window it was replied in)",
    "conversations_drilldown": "conversations active in the window (one conversation appears "
    "in every window it was active in: ids repeat across windows)",
    "conversations_drilldown_by_field": "conversations active in the window with that tag, "
    "saved reply, workflow or customer (ids repeat across windows)",
    "conversations_new_conversations_drilldown": "conversations created in the window (each "
    "appears in one window only)",
    "user_drilldown": "conversations the user or team replied to in the window (ids repeat "
    "across windows)",
    "happiness_ratings": "ratings given in the window",
    "user_happiness_drilldown": "ratings of the user's or team's replies given in the window",
    "user_conversation_history": "conversations the user or team replied to in the window, "
    "with the user's own times",
}

BUSY_TIMES: Spec = {
    "day": F(T.INT, "day of the week, 1 = Monday … 7 = Sunday (company time zone)", "weekday"),
    "hour": F(T.INT, "hour of the day, 0-23 (company time zone)", "hour"),
    "count": count("conversations created in that hour of that day, over the window"),
}
#: time-series value key → its field (``{title}`` is the report's title)
SERIES_VALUES = {
    "customers": distinct("customers helped in the bucket"),
    "count": count("new conversations in the bucket"),
    "chat": count("new chat conversations in the bucket"),
    "email": count("new email conversations in the bucket"),
    "phone": count("new phone conversations in the bucket"),
    "messages": count("messages received from customers in the bucket"),
    "time": seconds("{title}: the bucket's average"),
    "replies": count("replies sent in the bucket"),
    "resolved": count("conversations resolved in the bucket"),
}
