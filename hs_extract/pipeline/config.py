"""The config model: frozen objects for source, windows, filters, reports and destinations.

``load_config`` and ``parse_config`` (:mod:`.config_file`) read YAML into these objects,
checking everything at once; the rest of the pipeline only ever sees a valid :class:`Config`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api.auth import Secret
from ..api.catalog import REPORTS
from ..api.ratelimit import workers_for_budget
from ..api.retry import RetryConfig

__all__ = [
    "Config",
    "FiltersConfig",
    "ReportConfig",
    "SourceConfig",
    "WindowsConfig",
    "client_options",
    "default_report",
    "workers_for",
]

#: report → config keys it takes besides ``name`` (what splits it into slices)
SLICE_KEYS: dict[str, tuple[str, ...]] = {
    name: tuple(
        key
        for key, param in (
            ("users", "user"),
            ("field", "field"),
            ("field_ids", "field_id"),
            ("range", "range"),
            ("range_ids", "range_id"),
            ("rating", "rating"),
            ("status", "status"),
        )
        if spec.accepts(param)
    )
    for name, spec in REPORTS.items()
}


@dataclass(frozen=True)
class SourceConfig:
    base_url: str
    client_id: str
    client_secret: Secret
    rate_limit_per_minute: int = 400
    rate_limit_share: float = 1.0
    max_workers: int | None = None  # None: enough to keep the budget busy (see workers_for)
    timeout: float = 60.0
    #: the longest rate-limit wait a 429 may ask for; past it the request fails
    max_wait: float = 300.0


def client_options(source: SourceConfig, timeout: float | None = None) -> dict[str, Any]:
    """The API client's arguments for this source (``timeout``: a shorter read timeout)."""
    read = timeout or source.timeout
    return {
        "client_id": source.client_id,
        "client_secret": source.client_secret,
        "base_url": source.base_url,
        "rate_limit_per_minute": source.rate_limit_per_minute,
        "rate_limit_share": source.rate_limit_share,
        "timeout": (min(10.0, read), read),
        "retry": RetryConfig(max_wait=source.max_wait),
    }


def workers_for(source: SourceConfig) -> int:
    """Threads for a run: ``max_workers``, or (auto) enough requests in flight to use the whole
    budget with answers as slow as 2 s — the limiter, not the pool, should set the pace."""
    if source.max_workers:
        return source.max_workers
    return workers_for_budget(source.rate_limit_per_minute * source.rate_limit_share)


@dataclass(frozen=True)
class WindowsConfig:
    start: dt.date | int  # an int is relative: days before today (-28)
    end: dt.date | None = None
    size: str = "day"
    lookback: int = 3
    timezone: str = "UTC"
    compare_previous: bool = False


@dataclass(frozen=True)
class FiltersConfig:
    mailboxes: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    folders: tuple[int, ...] = ()
    office_hours: bool = False


@dataclass(frozen=True)
class ReportConfig:
    """One report and how it is sliced. ``"all"`` means: every user and team / every tag."""

    name: str
    users: tuple[int, ...] | str | None = None
    field: str | None = None
    field_ids: tuple[int, ...] | str | None = None
    range: str | None = None
    range_ids: tuple[int, ...] | None = None
    rating: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True)
class Config:
    source: SourceConfig
    windows: WindowsConfig
    filters: FiltersConfig
    reports: tuple[ReportConfig, ...]
    parquet_path: Path | str | None = None  # a folder, or a bucket URL (s3://…)
    sql_url: Secret | None = None  # may hold a password
    sql_schema: str | None = None
    #: seconds any SQL transaction may take (statement_timeout, and the client's watchdog)
    sql_timeout: float = 300.0
    #: where every answer is kept as received (``hs-extract rebuild`` reads it), or None
    archive_path: Path | None = None
    path: Path | None = field(default=None, compare=False)

    def report(self, name: str) -> ReportConfig:
        """The configured report called ``name`` (KeyError when the config has none)."""
        for rc in self.reports:
            if rc.name == name:
                return rc
        raise KeyError(name)


def default_report(name: str) -> ReportConfig:
    """How ``all`` (or a bare name) slices a report: every user and team, every tag."""
    keys = SLICE_KEYS[name]
    return ReportConfig(
        name,
        users="all" if "users" in keys else None,
        field="tagid" if "field" in keys else None,
        field_ids="all" if "field_ids" in keys else None,
        rating=("all",) if "rating" in keys else (),
    )
