"""The 32 Help Scout report endpoints, as data.

Every quirk of a report is a field of its :class:`ReportSpec`, never an ``if name == …``
branch elsewhere: the client, the validator, the planner and the normalizers all read this
table. Parameter names are the Ruby gem's snake_case names; ``api`` is the exact query name
(mind ``fieldid``, all lowercase). Source: ``shared/reference/helpscout-reports-api.md`` §4.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from ..errors import ConfigError

__all__ = ["REPORTS", "Kind", "Param", "ParamType", "ReportSpec", "SeriesLayout", "get_report"]


class Kind(StrEnum):
    """Response shape of a report (reference §4.1 (a)–(d))."""

    SUMMARY = "summary"  # {current, previous, deltas, ...sections}
    TIMESERIES = "timeseries"  # {current: [{label, values}], previous: [...]}
    PAGINATED = "paginated"  # {results, page, pages, count}, maybe under a container key
    LIST = "list"  # a bare JSON array (busy times)


class ParamType(StrEnum):
    """How a parameter's Python value is checked and encoded."""

    DATETIME = "datetime"  # sent as yyyy-MM-ddTHH:mm:ssZ, UTC
    INT = "int"
    INT_LIST = "int_list"  # comma-separated ints
    ENUM = "enum"
    ENUM_LIST = "enum_list"  # comma-separated enum values
    BOOL = "bool"  # true / false
    STR_LIST = "str_list"  # comma-separated strings (Docs site ids are hex)


@dataclass(frozen=True)
class Param:
    """One query parameter a report accepts."""

    name: str
    api: str
    type: ParamType
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    #: True when each value of this parameter is a separate slice of the data (user, rating…)
    slices: bool = False


@dataclass(frozen=True)
class SeriesLayout:
    """Where a time-series bucket keeps its label and its values."""

    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ReportSpec:
    """Everything hs_extract knows about one report endpoint."""

    name: str
    path: str
    kind: Kind
    title: str
    params: tuple[Param, ...]
    #: paginated reports: key holding {page, pages, count, results}; None = top level
    page_container: str | None = None
    results_key: str = "results"
    #: time series: accepted layouts, first one preferred (received-messages has two)
    series: tuple[SeriesLayout, ...] = ()
    #: summary reports: top-level keys that are not current/previous/deltas
    sections: tuple[str, ...] = field(default=())

    @property
    def method(self) -> str:
        """Name of the ReportsClient method (the Ruby gem's)."""
        return f"get_{self.name}"

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def param(self, name: str) -> Param:
        """The parameter called ``name`` (KeyError when the report does not take it)."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def accepts(self, name: str) -> bool:
        return any(p.name == name for p in self.params)

    @property
    def paginated(self) -> bool:
        return self.kind is Kind.PAGINATED

    @property
    def has_previous(self) -> bool:
        return self.accepts("previous_start_date")


# --- parameters (reference §4.0 and §4.2) -------------------------------------------------

VIEW_BY = ("day", "week", "month")
TYPES = ("email", "chat", "phone")
RANGES = (
    "replies",
    "firstReplyResolved",
    "resolved",
    "responseTime",
    "firstResponseTime",
    "handleTime",
)
FIELDS = ("tagid", "replyid", "workflowid", "customerid")
RATINGS = ("great", "ok", "all", "not-good")
STATUSES = ("active", "pending", "closed")
SORT_ORDERS = ("ASC", "DESC")
RATING_SORT_FIELDS = ("number", "modifiedAt", "rating")
HISTORY_SORT_FIELDS = ("number", "repliesSent", "responseTime", "resolveTime")
ROWS_MAX = 50

_T = ParamType
START = Param("start_date", "start", _T.DATETIME, "start of the interval (UTC)", required=True)
END = Param("end_date", "end", _T.DATETIME, "end of the interval (UTC)", required=True)
PREV_START = Param("previous_start_date", "previousStart", _T.DATETIME, "start of the comparison")
PREV_END = Param("previous_end_date", "previousEnd", _T.DATETIME, "end of the comparison interval")
MAILBOXES = Param("mailboxes", "mailboxes", _T.INT_LIST, "mailbox (inbox) ids")
TAGS = Param("tags", "tags", _T.INT_LIST, "tag ids")
TYPES_P = Param("types", "types", _T.ENUM_LIST, "conversation types", choices=TYPES)
FOLDERS = Param("folders", "folders", _T.INT_LIST, "folder ids")
VIEW_BY_P = Param("view_by", "viewBy", _T.ENUM, "bucket size", choices=VIEW_BY)
OFFICE_HOURS = Param("office_hours", "officeHours", _T.BOOL, "count only office hours")
PAGE = Param("page", "page", _T.INT, "page number, from 1", minimum=1)
ROWS = Param("rows", "rows", _T.INT, "results per page", minimum=1, maximum=ROWS_MAX)
RANGE = Param("range", "range", _T.ENUM, "histogram to drill into", choices=RANGES, slices=True)
RANGE_ID = Param("range_id", "rangeId", _T.INT, "bucket id within range", minimum=1, slices=True)
FIELD = Param("field", "field", _T.ENUM, "field to drill down", True, FIELDS, slices=True)
FIELD_ID = Param(
    "field_id", "fieldid", _T.INT, "tag, saved reply, workflow or customer id", True, slices=True
)
USER = Param("user", "user", _T.INT, "user or team id", required=True, minimum=1, slices=True)
STATUS = Param("status", "status", _T.ENUM, "conversation status", choices=STATUSES, slices=True)
RATING = Param("rating", "rating", _T.ENUM, "rating to filter on", choices=RATINGS, slices=True)
SORT_ORDER = Param("sort_order", "sortOrder", _T.ENUM, "sort order", choices=SORT_ORDERS)
RATING_SORT = Param("sort_field", "sortField", _T.ENUM, "sort field", choices=RATING_SORT_FIELDS)
HISTORY_SORT = Param("sort_field", "sortField", _T.ENUM, "sort field", choices=HISTORY_SORT_FIELDS)
SITES = Param("sites", "sites", _T.STR_LIST, "Docs site ids (hex)")

FILTERS = (MAILBOXES, TAGS, TYPES_P, FOLDERS)
D2 = (START, END, *FILTERS)
D4 = (START, END, PREV_START, PREV_END, *FILTERS)
DATES4 = (START, END, PREV_START, PREV_END)
F_NO_TYPES = (MAILBOXES, TAGS, FOLDERS)
DRILL = (PAGE, ROWS)
RATINGS_PAGING = (PAGE, RATING_SORT, SORT_ORDER, RATING)

# --- shapes -------------------------------------------------------------------------------

S, TS, PG, LS = Kind.SUMMARY, Kind.TIMESERIES, Kind.PAGINATED, Kind.LIST


def _series(label: str, *values: str) -> tuple[SeriesLayout, ...]:
    return (SeriesLayout(label, values),)


HISTOGRAMS_PRODUCTIVITY = ("responseTime", "handleTime", "firstResponseTime", "repliesToResolve")
HISTOGRAMS_EMAIL = (*HISTOGRAMS_PRODUCTIVITY, "resolutionTime")
HISTOGRAMS_CHAT = ("waitTime", "responseTime", "messagesPerChat", "duration")


def _spec(
    name: str, path: str, kind: Kind, title: str, params: Iterable[Param], **kw: Any
) -> ReportSpec:
    return ReportSpec(name, "/v2/reports/" + path, kind, title, tuple(params), **kw)


_SPECS = (
    _spec("company", "company", S, "Company overall", D4, sections=("filterTags", "users")),
    _spec(
        "company_customers_helped",
        "company/customers-helped",
        TS,
        "Company customers helped",
        (*D4, VIEW_BY_P),
        series=_series("date", "customers"),
    ),
    _spec(
        "company_drilldown",
        "company/drilldown",
        PG,
        "Company drilldown",
        (*D2, *DRILL, RANGE, RANGE_ID),
        page_container="conversations",
    ),
    _spec(
        "conversations",
        "conversations",
        S,
        "Conversations overall",
        D4,
        sections=(
            "filterTags",
            "busiestDay",
            "busyTimeStart",
            "busyTimeEnd",
            "tags",
            "customers",
            "replies",
            "workflows",
            "customFields",
        ),
    ),
    _spec(
        "conversations_new_conversations",
        "conversations/new",
        TS,
        "New conversations",
        (*D4, VIEW_BY_P),
        series=_series("start", "count"),
    ),
    _spec(
        "conversations_channel_volumes",
        "conversations/volume-by-channel",
        TS,
        "Volume by channel",
        (*D4, VIEW_BY_P),
        series=_series("date", "chat", "email", "phone"),
    ),
    _spec("conversations_busiest_times", "conversations/busy-times", LS, "Busiest times", D4),
    _spec(
        "conversations_drilldown",
        "conversations/drilldown",
        PG,
        "Conversations drilldown",
        (*D2, *DRILL),
        page_container="conversations",
    ),
    _spec(
        "conversations_drilldown_by_field",
        "conversations/fields-drilldown",
        PG,
        "Conversations drilldown by field",
        (*D2, FIELD, FIELD_ID, *DRILL),
        page_container="conversations",
    ),
    _spec(
        "conversations_new_conversations_drilldown",
        "conversations/new-drilldown",
        PG,
        "New conversations drilldown",
        (*D2, *DRILL),
        page_container="conversations",
    ),
    _spec(
        "conversations_received_message_stats",
        "conversations/received-messages",
        TS,
        "Received messages",
        (*D4, VIEW_BY_P),
        # reference §5.1: the gem and the live-API Rust model say {date, messages}; the
        # official docs say {start, count}. Both are accepted.
        series=(SeriesLayout("date", ("messages",)), SeriesLayout("start", ("count",))),
    ),
    _spec(
        "docs",
        "docs",
        S,
        "Docs overall",
        (*DATES4, SITES),
        sections=("popularSearches", "failedSearches", "topArticles", "topCategories"),
    ),
    _spec("happiness", "happiness", S, "Happiness overall", D4),
    _spec(
        "happiness_ratings",
        "happiness/ratings",
        PG,
        "Happiness ratings",
        (*D4, *RATINGS_PAGING),
    ),
    _spec(
        "productivity",
        "productivity",
        S,
        "Productivity overall",
        (*D4, OFFICE_HOURS),
        sections=("filterTags", *HISTOGRAMS_PRODUCTIVITY),
    ),
    *(
        _spec(
            f"productivity_{name}",
            f"productivity/{path}",
            TS,
            title,
            (*D4, OFFICE_HOURS, VIEW_BY_P),
            series=_series("date", value),
        )
        for name, path, title, value in (
            ("first_response_time", "first-response-time", "First response time", "time"),
            ("replies_sent", "replies-sent", "Replies sent", "replies"),
            ("resolution_time", "resolution-time", "Resolution time", "time"),
            ("resolved", "resolved", "Resolved conversations", "resolved"),
            ("response_time", "response-time", "Response time", "time"),
        )
    ),
    _spec(
        "user",
        "user",
        S,
        "User/team overall",
        (USER, *D4, OFFICE_HOURS),
        sections=("filterTags", "user"),
    ),
    _spec(
        "user_conversation_history",
        "user/conversation-history",
        PG,
        "User conversation history",
        (USER, *D4, STATUS, OFFICE_HOURS, PAGE, HISTORY_SORT, SORT_ORDER),
    ),
    _spec(
        "user_customers_helped",
        "user/customers-helped",
        TS,
        "User customers helped",
        (USER, *D4, VIEW_BY_P),
        series=_series("date", "customers"),
    ),
    _spec(
        "user_drilldown",
        "user/drilldown",
        PG,
        "User drilldown",
        (USER, *D2, *DRILL),
        page_container="conversations",
    ),
    _spec(
        "user_happiness",
        "user/happiness",
        S,
        "User/team happiness",
        (USER, *D4),
        sections=("filterTags",),
    ),
    _spec(
        "user_happiness_drilldown",
        "user/ratings",
        PG,
        "User ratings",
        (USER, *D4, *RATINGS_PAGING),
    ),
    _spec(
        "user_replies",
        "user/replies",
        TS,
        "User replies",
        (USER, *D4, VIEW_BY_P),
        series=_series("date", "replies"),
    ),
    _spec(
        "user_resolutions",
        "user/resolutions",
        TS,
        "User resolutions",
        (USER, *D4, VIEW_BY_P),
        series=_series("date", "resolved"),
    ),
    _spec(
        "chat",
        "chat",
        S,
        "Chat",
        (*DATES4, *F_NO_TYPES, OFFICE_HOURS),
        sections=HISTOGRAMS_CHAT,
    ),
    _spec(
        "email",
        "email",
        S,
        "Email",
        (*DATES4, *F_NO_TYPES, OFFICE_HOURS),
        sections=("filterTags", *HISTOGRAMS_EMAIL),
    ),
    _spec(
        "phone",
        "phone",
        S,
        "Phone",
        (*DATES4, *F_NO_TYPES, OFFICE_HOURS),
        sections=("users",),
    ),
    _spec(
        "user_chat",
        "user/chat",
        S,
        "User/team chat",
        (USER, *DATES4, MAILBOXES, TAGS, OFFICE_HOURS),
    ),
)

#: The catalog, read-only: report name → spec, in the reference's order.
REPORTS: Mapping[str, ReportSpec] = MappingProxyType({s.name: s for s in _SPECS})


def get_report(name: str) -> ReportSpec:
    """The spec called ``name``; ConfigError listing close names when there is none."""
    try:
        return REPORTS[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), REPORTS, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ConfigError(
            f"report: unknown report {name!r}{hint} (`hs-extract reports` lists all 32)"
        ) from None
