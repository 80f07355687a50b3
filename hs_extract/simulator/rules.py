"""What the simulated API accepts: its own table, written from the reference doc.

This is a test oracle for the client, so it is written independently of
``hs_extract.catalog`` (reference §4.0-§4.2) and never imports it. Violations come back the way
Help Scout sends them: one entry per problem in a vnd.error body.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .metrics import Filters

D2 = ("start", "end", "mailboxes", "tags", "types", "folders")
D4 = ("start", "end", "previousStart", "previousEnd", "mailboxes", "tags", "types", "folders")
DATES = ("start", "end", "previousStart", "previousEnd")
CHANNEL = (*DATES, "mailboxes", "tags", "folders", "officeHours")
P = "/v2/reports/"

#: path → accepted query parameters (reference §4.1)
ACCEPTED: dict[str, tuple[str, ...]] = {
    P + "company": D4,
    P + "company/customers-helped": (*D4, "viewBy"),
    P + "company/drilldown": (*D2, "page", "rows", "range", "rangeId"),
    P + "conversations": D4,
    P + "conversations/new": (*D4, "viewBy"),
    P + "conversations/volume-by-channel": (*D4, "viewBy"),
    P + "conversations/busy-times": D4,
    P + "conversations/drilldown": (*D2, "page", "rows"),
    P + "conversations/fields-drilldown": (*D2, "field", "fieldid", "page", "rows"),
    P + "conversations/new-drilldown": (*D2, "page", "rows"),
    P + "conversations/received-messages": (*D4, "viewBy"),
    P + "docs": (*DATES, "sites"),
    P + "happiness": D4,
    P + "happiness/ratings": (*D4, "page", "sortField", "sortOrder", "rating"),
    P + "productivity": (*D4, "officeHours"),
    **{
        P + "productivity/" + name: (*D4, "officeHours", "viewBy")
        for name in (
            "first-response-time",
            "replies-sent",
            "resolution-time",
            "resolved",
            "response-time",
        )
    },
    P + "user": ("user", *D4, "officeHours"),
    P + "user/conversation-history": (
        "user",
        *D4,
        "status",
        "officeHours",
        "page",
        "sortField",
        "sortOrder",
    ),
    P + "user/customers-helped": ("user", *D4, "viewBy"),
    P + "user/drilldown": ("user", *D2, "page", "rows"),
    P + "user/happiness": ("user", *D4),
    P + "user/ratings": ("user", *D4, "page", "sortField", "sortOrder", "rating"),
    P + "user/replies": ("user", *D4, "viewBy"),
    P + "user/resolutions": ("user", *D4, "viewBy"),
    P + "chat": CHANNEL,
    P + "email": CHANNEL,
    P + "phone": CHANNEL,
    P + "user/chat": ("user", *DATES, "mailboxes", "tags", "officeHours"),
}
ENUMS = {
    "types": ("email", "chat", "phone"),
    "viewBy": ("day", "week", "month"),
    "range": (
        "replies",
        "firstReplyResolved",
        "resolved",
        "responseTime",
        "firstResponseTime",
        "handleTime",
    ),
    "field": ("tagid", "replyid", "workflowid", "customerid"),
    "rating": ("great", "ok", "all", "not-good"),
    "status": ("active", "pending", "closed"),
    "sortOrder": ("ASC", "DESC"),
}
SORT_FIELDS = {
    P + "happiness/ratings": ("number", "modifiedAt", "rating"),
    P + "user/ratings": ("number", "modifiedAt", "rating"),
    P + "user/conversation-history": ("number", "repliesSent", "responseTime", "resolveTime"),
}
REQUIRED = {
    P + "conversations/fields-drilldown": ("field", "fieldid"),
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ABOUT = "http://developer.helpscout.net/mailbox-api/overview/errors"
MALFORMED_DATE = (
    "must be a valid ISO 8601 date with the format yyyy-MM-dd'T'HH:mm:ss'Z', "
    "e.g. 2017-03-31T23:30:01Z"
)
LIST_PARAMS = ("mailboxes", "tags", "folders")


@dataclass
class Violation:
    path: str
    message: str
    rejected: object
    code: str

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "message": self.message,
            "rejectedValue": self.rejected,
            "source": "QUERY",
            "_links": {"about": {"href": f"{ABOUT}#{self.code}"}},
        }


@dataclass
class Query:
    """A report request, checked and parsed."""

    path: str
    start: int = 0
    end: int = 0
    prev: tuple[int, int] | None = None
    filters: Filters = field(default_factory=Filters)
    view_by: str | None = None
    office_hours: bool = False
    page: int = 1
    rows: int = 25
    range: str | None = None
    range_id: int | None = None
    field: str | None = None
    field_id: int | None = None
    user: int | None = None
    status: str | None = None
    sort_field: str | None = None
    sort_order: str = "ASC"
    rating: str = "all"
    sites: tuple[str, ...] = ()


def _date(value: str) -> int | None:
    if not DATE_RE.match(value):
        return None
    try:
        when = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return int(when.timestamp())


def _ints(value: str) -> tuple[int, ...] | None:
    parts = value.split(",")
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def view_by_allowed(view_by: str, start: int, end: int) -> bool:
    """reference §4.0: day ≤ 60 days, week ≤ 1 year, month ≥ 61 days."""
    if view_by == "day":
        return end - start <= 60 * 86400
    if view_by == "week":
        s = dt.datetime.fromtimestamp(start, dt.UTC)
        try:
            year_later = s.replace(year=s.year + 1)
        except ValueError:  # 29 February
            year_later = s.replace(year=s.year + 1, day=28)
        return end <= year_later.timestamp()
    return end - start >= 61 * 86400


def parse(path: str, params: dict[str, str]) -> tuple[Query, list[Violation]]:
    """Check ``params`` for the report at ``path``; the parsed query and every violation."""
    q, bad = Query(path), []
    accepted = ACCEPTED[path]

    def flag(name: str, message: str, value: object, code: str) -> None:
        bad.append(Violation(name, message, value, code))

    for name, value in params.items():
        if name not in accepted:
            flag(name, "Unknown parameter", value, "UnknownParameter")
    required = ("start", "end", *REQUIRED.get(path, ()), *(("user",) if "user" in accepted else ()))
    for name in required:
        if not params.get(name):
            flag(name, "may not be empty", None, "NotEmpty")
    when = {n: _date(params[n]) for n in DATES if params.get(n) and n in accepted}
    for name, value in when.items():
        if value is None:
            flag(name, MALFORMED_DATE, params[name], "MalformedDate")
    q.start, q.end = when.get("start") or 0, when.get("end") or 0
    if q.start and q.end and q.end <= q.start:
        flag("end", "must be after start", params["end"], "InvalidRange")
    ps, pe = when.get("previousStart"), when.get("previousEnd")
    if ("previousStart" in params) != ("previousEnd" in params):
        missing = "previousEnd" if "previousStart" in params else "previousStart"
        flag(missing, "may not be empty when the other previous date is set", None, "NotEmpty")
    elif ps and pe and pe <= ps:
        flag("previousEnd", "must be after previousStart", params["previousEnd"], "InvalidRange")
    elif ps and pe:
        q.prev = (ps, pe)
    enums = {**ENUMS, **({"sortField": SORT_FIELDS[path]} if path in SORT_FIELDS else {})}
    for name, choices in enums.items():
        if name in params and name in accepted:
            values = params[name].split(",") if name == "types" else [params[name]]
            if not all(v in choices for v in values):
                flag(
                    name, f"Expected one of these: {', '.join(choices)}", params[name], "EnumValue"
                )
    ids = {}
    for name in ("mailboxes", "tags", "folders", "user", "fieldid", "rangeId", "page", "rows"):
        if name in params and name in accepted:
            ids[name] = _ints(params[name])
            if ids[name] is None or (name not in LIST_PARAMS and len(ids[name]) != 1):
                flag(name, "Invalid number", params[name], "InvalidNumber")
                ids[name] = None
    if ids.get("rows") and not 1 <= ids["rows"][0] <= 50:
        flag("rows", "size must be between 1 and 50", params["rows"], "Size")
    if params.get("officeHours", "true") not in ("true", "false"):
        flag("officeHours", "Expected true or false", params["officeHours"], "InvalidBoolean")
    if "sites" in params and not re.fullmatch(r"[0-9a-fA-F]+(,[0-9a-fA-F]+)*", params["sites"]):
        flag("sites", "Invalid identifier", params["sites"], "InvalidIdentifier")
    if "rangeId" in params and "range" not in params:
        flag("rangeId", "only valid if range is used", params["rangeId"], "InvalidParameter")
    view_by = params.get("viewBy")
    if (
        view_by in ENUMS["viewBy"]
        and q.end > q.start > 0
        and not view_by_allowed(view_by, q.start, q.end)
    ):
        flag("viewBy", f"{view_by} is not allowed for this date range", view_by, "InvalidViewBy")
    if bad:
        return q, bad
    one = {k: v[0] for k, v in ids.items() if v and k not in LIST_PARAMS}
    q.filters = Filters(
        mailboxes=ids.get("mailboxes") or (),
        tags=ids.get("tags") or (),
        folders=ids.get("folders") or (),
        types=tuple(params["types"].split(",")) if params.get("types") else (),
    )
    q.view_by, q.office_hours = view_by, params.get("officeHours") == "true"
    q.page, q.rows = one.get("page", 1), one.get("rows", 25)
    q.user, q.field_id, q.range_id = one.get("user"), one.get("fieldid"), one.get("rangeId")
    q.range, q.field, q.status = params.get("range"), params.get("field"), params.get("status")
    q.sort_field, q.sort_order = params.get("sortField"), params.get("sortOrder", "ASC")
    q.rating = params.get("rating", "all")
    q.sites = tuple(params["sites"].split(",")) if params.get("sites") else ()
    return q, []
