"""Date parsing and the one wire format Help Scout accepts: ``yyyy-MM-dd'T'HH:mm:ss'Z'`` in UTC."""

from __future__ import annotations

import datetime as dt

import pendulum

__all__ = ["API_FORMAT", "format_api", "parse_api_timestamp", "start_of_day_utc", "to_utc"]

#: Help Scout rejects fractional seconds and offsets other than ``Z`` ("Malformed date").
API_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

UTC = pendulum.UTC


def to_utc(value: object) -> pendulum.DateTime:
    """Turn a datetime, date, pendulum value or ISO 8601 string into an aware UTC DateTime.

    Naive datetimes and date-only strings are taken as UTC; a ``date`` is its midnight UTC.
    Raises ``ValueError`` (or ``TypeError``) when the value cannot be read as a date.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return pendulum.instance(value).in_timezone(UTC)
    if isinstance(value, dt.date):
        return pendulum.datetime(value.year, value.month, value.day, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty date")
        parsed = pendulum.parse(text, tz=UTC, strict=True)
        if isinstance(parsed, pendulum.DateTime):
            return parsed.in_timezone(UTC)
        if isinstance(parsed, pendulum.Date):
            return pendulum.datetime(parsed.year, parsed.month, parsed.day, tz=UTC)
        raise ValueError(f"{value!r} is a {type(parsed).__name__}, not a date")
    raise TypeError(f"expected a date, datetime or ISO 8601 string, got {type(value).__name__}")


def format_api(value: dt.datetime) -> str:
    """Format an aware datetime for Help Scout: UTC, whole seconds, ``Z`` suffix."""
    return to_utc(value).strftime(API_FORMAT)


def parse_api_timestamp(text: str) -> pendulum.DateTime:
    """Parse a timestamp from a Help Scout payload (ISO 8601, normally ``…Z``) to UTC."""
    return to_utc(text)


def start_of_day_utc(now: dt.datetime, days_ago: int = 0) -> pendulum.DateTime:
    """Midnight UTC of the day ``days_ago`` days before ``now`` (the gem's date defaults)."""
    return to_utc(now).start_of("day").subtract(days=days_ago)
