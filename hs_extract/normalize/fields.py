"""How payloads are declared, and what paginated, time-series and busy-times payloads hold.

Written from the reference doc (§5) and the Ruby gem's example payloads; summaries are in
:mod:`.summaries`. A ``dict`` maps API
keys to a :class:`T` (a scalar), another dict (a nested object, flattened with ``__``),
:class:`Many` (a list: a child table) or :class:`One` (an object that is a one-row child table).
Keys not declared here are never dropped: they land in the row's ``_extra`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Union

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
class Many:
    """A JSON list. It becomes the child table ``<parent>__<table>``, each row carrying the
    parent's key (``parent_key``, when the parent has one) and its position ``idx``."""

    item: Union[Mapping, T]  # noqa: UP007 - forward reference to the Spec alias
    table: str
    parent_key: str | None = None
    #: column name for lists of scalars (``customerIds`` → ``customer_id``)
    value: str = "value"
    #: column that names the section the list came from, when several feed one table
    label: str | None = None


@dataclass(frozen=True)
class One:
    """A JSON object kept as a one-row child table ``<parent>__<table>``."""

    item: Mapping
    table: str


Spec = Mapping[str, Union[T, "Spec", Many, One]]

# --- paginated results (reference §5.3) --------------------------------------------------------

TAG = {"id": T.ID, "name": T.STR, "color": T.STR}
DRILL_RESULT: Spec = {
    "id": T.ID,
    "number": T.INT,
    "type": T.STR,
    "mailboxid": T.ID,
    "attachments": T.BOOL,
    "subject": T.STR,
    "status": T.STR,
    "threadCount": T.INT,
    "preview": T.STR,
    "customerName": T.STR,
    "customerEmail": T.STR,
    "customerIds": Many(T.ID, "customer_ids", "conversation_id", value="customer_id"),
    "modifiedAt": T.TS,
    "assignedid": T.ID,
    "assignedName": T.STR,
    "waitingSince": T.TS,
    "waitingSinceType": T.INT,
    "tags": Many(TAG, "tags", "conversation_id"),
}
RATING_RESULT: Spec = {
    "id": T.ID,
    "number": T.INT,
    "type": T.STR,
    "threadid": T.ID,
    "threadCreatedAt": T.TS,
    "ratingId": T.INT,
    "ratingCustomerId": T.ID,
    "ratingCustomerName": T.STR,
    "ratingComments": T.STR,
    "ratingCreatedAt": T.TS,
    "ratingUserId": T.ID,
    "ratingUserName": T.STR,
}
HISTORY_RESULT: Spec = {
    "id": T.ID,
    "number": T.INT,
    "status": T.STR,
    "customers": Many({"id": T.ID, "name": T.STR}, "customers", "conversation_id"),
    "avgHandleTime": T.FLOAT,
    "firstResponseTime": T.FLOAT,
    "repliesSent": T.INT,
    "responseTime": T.FLOAT,
    "resolveTime": T.FLOAT,
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
#: paginated report → columns of its row key (besides window and slice)
RESULT_KEYS = {
    "happiness_ratings": ("id", "threadid"),
    "user_happiness_drilldown": ("id", "threadid"),
    "user_conversation_history": ("position",),  # one row per reply: ids repeat (v1 note)
}
BUSY_TIMES = {"day": T.INT, "hour": T.INT, "count": T.INT}
#: time-series value key → type (times are average seconds)
SERIES_VALUES = {"time": T.FLOAT}
