"""Report parameters: defaults, validation and encoding to Help Scout's query string.

Everything here is pure. :func:`build_query` either returns the exact query a request will
send or raises one :class:`ConfigError` that lists every problem, each naming the report, the
parameter, the value and what is allowed — before any request is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pendulum

from ..dates import format_api, start_of_day_utc, to_utc
from ..errors import ConfigError
from .catalog import Param, ParamType, ReportSpec

__all__ = ["VIEW_BY_LIMITS", "apply_defaults", "build_query", "check_view_by", "normalize_params"]

#: reference §4.0: day only for ranges ≤ 60 days, week ≤ 1 year, month ≥ 61 days.
VIEW_BY_LIMITS = {
    "day": "a range of at most 60 days",
    "week": "a range of at most 1 year",
    "month": "a range of at least 61 days",
}


def check_view_by(view_by: str, start: dt.datetime, end: dt.datetime) -> bool:
    """True when Help Scout accepts ``view_by`` for the range ``start``–``end``."""
    start, end = to_utc(start), to_utc(end)
    if view_by == "day":
        return end - start <= dt.timedelta(days=60)
    if view_by == "week":
        return end <= start.add(years=1)
    if view_by == "month":
        return end - start >= dt.timedelta(days=61)
    return False


def apply_defaults(spec: ReportSpec, params: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Fill the values the API needs but the caller left out, as the Ruby gem does.

    Dates: ``start_date`` one week ago, ``end_date`` today (midnight UTC). The comparison range
    (three → two weeks ago) is added only when the caller gave no dates at all, so an explicit
    window never gets an unrelated comparison. ``rating`` defaults to ``all`` (the API wants
    one; reference §4.2).
    """
    out = {k: v for k, v in params.items() if v is not None}
    no_dates = not (
        {"start_date", "end_date", "previous_start_date", "previous_end_date"} & set(out)
    )
    out.setdefault("start_date", start_of_day_utc(now, 7))
    out.setdefault("end_date", start_of_day_utc(now, 0))
    if no_dates and spec.has_previous:
        out["previous_start_date"] = start_of_day_utc(now, 21)
        out["previous_end_date"] = start_of_day_utc(now, 14)
    if spec.accepts("rating") and "rating" not in out:
        out["rating"] = "all"
    return out


def _problem(spec: ReportSpec, p: Param | str, value: Any, allowed: str) -> str:
    name = p if isinstance(p, str) else p.name
    return f"{spec.name}: {name}={value!r} is invalid; {allowed}"


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("bool is not an id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError(value)


def _convert(p: Param, value: Any) -> tuple[Any, str | None]:
    """Checked Python value for ``p``, or (None, what is allowed)."""
    t = p.type
    try:
        if t is ParamType.DATETIME:
            return to_utc(value), None
        if t is ParamType.INT:
            n = _as_int(value)
            if (p.minimum is not None and n < p.minimum) or (
                p.maximum is not None and n > p.maximum
            ):
                lo = p.minimum if p.minimum is not None else "-inf"
                hi = p.maximum if p.maximum is not None else "inf"
                return None, f"allowed: an integer from {lo} to {hi}"
            return n, None
        if t is ParamType.INT_LIST:
            ids = [_as_int(v) for v in _as_list(value)]
            if any(i < 1 for i in ids):
                raise ValueError(value)
            return ids, None
        if t is ParamType.ENUM:
            if value in p.choices:
                return value, None
            return None, f"allowed: {', '.join(p.choices)}"
        if t is ParamType.ENUM_LIST:
            items = _as_list(value)
            if items and all(v in p.choices for v in items):
                return items, None
            return None, f"allowed: one or more of {', '.join(p.choices)}"
        if t is ParamType.BOOL:
            if isinstance(value, bool):
                return value, None
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true", None
            return None, "allowed: true or false"
        if t is ParamType.STR_LIST:
            items = [str(v) for v in _as_list(value)]
            if items and all(v.isalnum() for v in items):
                return items, None
            return None, "allowed: one or more alphanumeric ids"
    except (TypeError, ValueError):
        pass
    allowed = {
        ParamType.DATETIME: "allowed: a date, datetime or ISO 8601 string such as 2024-05-01",
        ParamType.INT: "allowed: an integer",
        ParamType.INT_LIST: "allowed: positive integer ids, as a list or comma-separated",
    }.get(t, "allowed: see `hs-extract reports`")
    return None, allowed


def normalize_params(spec: ReportSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``params`` against ``spec``; return them converted (dates as UTC DateTime).

    Raises one ConfigError naming every problem.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if not spec.accepts(name):
            names = ", ".join(spec.param_names)
            problems.append(f"{spec.name}: unknown parameter {name}={value!r}; allowed: {names}")
            continue
        p = spec.param(name)
        converted, allowed = _convert(p, value)
        if allowed:
            problems.append(_problem(spec, p, value, allowed))
        else:
            values[name] = converted
    for p in spec.params:
        if p.required and params.get(p.name) is None:
            problems.append(f"{spec.name}: parameter {p.name} is required ({p.doc})")
    problems += _cross_checks(spec, params, values)
    if problems:
        raise ConfigError("\n".join(problems))
    return values


def _cross_checks(spec: ReportSpec, raw: Mapping[str, Any], v: Mapping[str, Any]) -> list[str]:
    """Rules that involve more than one parameter."""
    out: list[str] = []
    start, end = v.get("start_date"), v.get("end_date")
    if start is not None and end is not None and end <= start:
        out.append(_problem(spec, "end_date", raw["end_date"], f"must be after start {start}"))
    has_ps, has_pe = "previous_start_date" in v, "previous_end_date" in v
    if has_ps != has_pe:
        given = "previous_start_date" if has_ps else "previous_end_date"
        missing = "previous_end_date" if has_ps else "previous_start_date"
        out.append(
            _problem(spec, given, raw[given], f"give {missing} too, or neither (both or none)")
        )
    elif has_ps and v["previous_end_date"] <= v["previous_start_date"]:
        out.append(
            _problem(
                spec,
                "previous_end_date",
                raw["previous_end_date"],
                f"must be after previous_start_date {v['previous_start_date']}",
            )
        )
    view_by = v.get("view_by")
    if view_by and start and end and end > start and not check_view_by(view_by, start, end):
        days = (end - start).total_seconds() / 86400
        needs = f"{view_by} needs {VIEW_BY_LIMITS[view_by]}, this range is {days:g} days"
        out.append(_problem(spec, "view_by", view_by, needs))
    if "range_id" in v and "range" not in v:
        out.append(_problem(spec, "range_id", raw["range_id"], "only valid together with range"))
    return out


def _encode(p: Param, value: Any) -> str:
    if p.type is ParamType.DATETIME:
        return format_api(value)
    if p.type is ParamType.BOOL:
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(x) for x in value)
    return str(value)


def build_query(
    spec: ReportSpec, params: Mapping[str, Any], now: dt.datetime | None = None
) -> dict[str, str]:
    """Defaults + validation + encoding: the exact query Help Scout will receive."""
    now = now or pendulum.now(pendulum.UTC)
    values = normalize_params(spec, apply_defaults(spec, params, now))
    return {spec.param(name).api: _encode(spec.param(name), val) for name, val in values.items()}
