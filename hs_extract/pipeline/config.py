"""The config, as a pydantic model: every key, its default (here, once), what it takes.

``load_config`` and ``parse_config`` (:mod:`.config_file`) read YAML, replace ``${VAR}`` and
validate it with these models; a mistake becomes one line naming the key, the value as written
and what is allowed (:mod:`.config_errors`). ``hs-extract config schema`` prints their JSON
Schema, for editors. Unknown keys are refused everywhere; secrets are ``SecretStr``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..api.catalog import REPORTS, TYPES
from ..api.ratelimit import workers_for_budget
from ..api.retry import RetryConfig
from .config_destinations import MISSING, DestinationsConfig, SqlConfig, invalid, line
from .config_reports import IDS, SLICE_KEYS, ReportConfig, default_report, ids

__all__ = [
    "DEFAULT_BASE_URL",
    "MISSING",
    "SLICE_KEYS",
    "Config",
    "FiltersConfig",
    "ReportConfig",
    "SourceConfig",
    "WindowsConfig",
    "client_options",
    "default_report",
    "invalid",
    "workers_for",
]

DEFAULT_BASE_URL = "https://api.helpscout.net"
SIZES = ("day", "week", "month")
RELATIVE_RE = re.compile(r"^-(\d{1,5})d$")
DATE = {"type": "string", "format": "date"}
RELATIVE = {"type": "string", "pattern": RELATIVE_RE.pattern}
FROZEN = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

#: what the JSON Schema says a value may be written as, where a model reads more than its type
#: (editors complete and check the keys with it)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _date(v: Any, relative: bool) -> dt.date | int:
    """A date (a YAML date, or text like 2025-01-31); with ``relative`` also ``-28d``."""
    if relative and isinstance(v, str) and (m := RELATIVE_RE.match(v.strip())):
        return -int(m.group(1))
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def credential_hint(name: str, verb: str = "required") -> str:
    """What a missing or empty credential needs: the config names an environment variable,
    exported before the run (a secret is never written into a config)."""
    var = f"HELPSCOUT_{name.upper()}"
    return f"{verb}: the app's {name.replace('_', ' ')}: {name}: ${{{var}}} with {var} exported"


class SourceConfig(BaseModel):
    """Where the reports come from, and how fast they may be asked for."""

    model_config = FROZEN

    base_url: str = Field(
        default=DEFAULT_BASE_URL, description="the API; plain http only for loopback"
    )
    # (absent: MISSING, so the message says "(missing)"; checked even then)
    client_id: str = Field(
        default=MISSING,
        validate_default=True,
        description="the app's ID, e.g. ${HELPSCOUT_CLIENT_ID}",
        json_schema_extra={"default": None},
    )
    client_secret: SecretStr = Field(
        default=SecretStr(MISSING),
        validate_default=True,
        description="the app's secret, e.g. ${HELPSCOUT_CLIENT_SECRET}",
        json_schema_extra={"default": None},
    )
    rate_limit_per_minute: int = Field(
        default=400,
        ge=1,
        le=100_000,
        strict=True,
        description="the plan's limit (Plus 400, Pro 800); the API's headers can only lower it",
    )
    rate_limit_share: float = Field(
        default=1.0, gt=0, le=1, description="share of the account's limit"
    )
    max_workers: Annotated[
        int | None,
        WithJsonSchema(
            {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 64}, {"const": "auto"}]}
        ),
    ] = Field(default=None, description="requests in flight (auto: enough for the budget)")
    timeout: float = Field(default=60.0, gt=0, description="seconds for a whole answer")
    max_wait: float = Field(
        default=300.0, ge=0, description="longest 429 wait (Retry-After) in seconds"
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, v: str) -> str:
        from ..api.transport import check_base_url
        from ..errors import ConfigError

        try:
            return check_base_url(str(v))
        except ConfigError as exc:
            raise line(str(exc)) from None

    @field_validator("client_id", "client_secret", mode="before")
    @classmethod
    def _credential(cls, v: Any, info: ValidationInfo) -> Any:
        needs = (info.context or {}).get("needs", ("client_id", "client_secret"))
        if isinstance(v, SecretStr):
            v = v.get_secret_value()
        if (not isinstance(v, str) or not v or v == MISSING) and info.field_name in needs:
            shown = v if info.field_name == "client_id" or not v or v == MISSING else "***"
            raise invalid(credential_hint(str(info.field_name)), shown)
        return v if isinstance(v, str) and v != MISSING else ""

    @field_validator("rate_limit_share", "timeout", "max_wait", mode="before")
    @classmethod
    def _plain_number(cls, v: Any) -> Any:
        if not _number(v):
            raise ValueError("not a number")
        return v

    @field_validator("max_workers", mode="before")
    @classmethod
    def _workers(cls, v: Any) -> Any:
        if v in ("auto", None):
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 64:
            raise ValueError("not a number of workers")
        return v


class WindowsConfig(BaseModel):
    """How the range is cut into windows, in which time zone."""

    model_config = FROZEN

    start: Annotated[dt.date | int, WithJsonSchema({"anyOf": [DATE, RELATIVE]})] = Field(
        description="first window: a date, or -28d (days before today)"
    )
    end: Annotated[dt.date | None, WithJsonSchema({"anyOf": [DATE, {"type": "null"}]})] = Field(
        default=None, description="end of the last window (default: today)"
    )
    size: Annotated[
        tuple[Literal["day", "week", "month"], ...],
        WithJsonSchema(
            {
                "anyOf": [
                    {"enum": ["day", "week", "month"]},
                    {
                        "type": "array",
                        "items": {"enum": ["day", "week", "month"]},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                ]
            }
        ),
    ] = Field(
        default=("day",),
        description="window size, or several (grains: [day, month]); each grain's windows "
        "land in the same tables, told apart by the grain column",
    )
    lookback: int = Field(
        default=3, ge=0, le=1000, strict=True, description="windows reloaded each run"
    )
    timezone: str = Field(default="UTC", description="an IANA time zone; windows start at midnight")
    compare_previous: bool = Field(
        default=False, strict=True, description="also ask the window before"
    )

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> Any:
        return _date(v, relative=True)

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, v: Any) -> Any:
        return None if v is None else _date(v, relative=False)

    @field_validator("size", mode="before")
    @classmethod
    def _sizes(cls, v: Any) -> Any:
        """One size, or a list of them: day, week, month (in that order, each once)."""
        sizes = [v] if isinstance(v, str) else v
        if not isinstance(sizes, list | tuple) or not sizes or any(s not in SIZES for s in sizes):
            raise ValueError("not sizes")
        return tuple(s for s in SIZES if s in sizes)

    @property
    def grains(self) -> tuple[str, ...]:
        """The window sizes this config loads (finest first)."""
        return tuple(self.size)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        import pendulum

        pendulum.timezone(v)  # an unknown zone raises (any error: not a zone)
        return v

    @model_validator(mode="after")
    def _order(self) -> WindowsConfig:
        if isinstance(self.start, dt.date) and self.end is not None and self.end <= self.start:
            raise invalid(f"must be after windows.start ({self.start})", self.end, "end")
        return self


class FiltersConfig(BaseModel):
    """Applied where a report accepts them; empty: no filter."""

    model_config = FROZEN

    mailboxes: Annotated[tuple[int, ...], WithJsonSchema(IDS)] = Field(
        default=(), description="mailbox ids (hs-extract check lists them)"
    )
    tags: Annotated[tuple[int, ...], WithJsonSchema(IDS)] = Field(default=(), description="tag ids")
    types: tuple[Literal["email", "chat", "phone"], ...] = Field(
        default=(), description="conversation channels"
    )
    folders: Annotated[tuple[int, ...], WithJsonSchema(IDS)] = Field(
        default=(), description="folder ids"
    )
    office_hours: bool = Field(
        default=False, strict=True, description="times counted in office hours only"
    )

    @field_validator("mailboxes", "tags", "folders", mode="before")
    @classmethod
    def _id_list(cls, v: Any) -> Any:
        return () if v is None else ids(v)

    @field_validator("types", mode="before")
    @classmethod
    def _types(cls, v: Any) -> Any:
        if v is None:
            return ()
        if not isinstance(v, list) or any(t not in TYPES for t in v):
            raise ValueError("not types")
        return tuple(v)


class Config(BaseModel):
    """A whole config file."""

    model_config = FROZEN

    # (a section left out is an empty one: _sections; these defaults only shape the schema)
    source: SourceConfig = Field(default_factory=lambda: SourceConfig.model_construct())
    windows: WindowsConfig
    filters: FiltersConfig = Field(default_factory=lambda: FiltersConfig())
    reports: tuple[ReportConfig, ...] = Field(
        min_length=1,
        description="names from hs-extract reports, or all; a mapping sets a report's slices; "
        "later entries refine earlier ones",
    )
    destinations: DestinationsConfig
    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        """A section left out is an empty one (its own keys then say what they need)."""
        if isinstance(data, dict):
            return {
                "source": {},
                "filters": {},
                **{
                    k: v for k, v in data.items() if v is not None or k not in ("source", "filters")
                },
            }
        return data

    @field_validator("reports", mode="before")
    @classmethod
    def _all(cls, items: Any) -> Any:
        """``all`` is every report; a later entry refines an earlier one."""
        if not isinstance(items, list):
            raise ValueError("not a list")
        return [r for item in items for r in (list(REPORTS) if item == "all" else [item])]

    @field_validator("reports", mode="after")
    @classmethod
    def _last_wins(cls, reports: tuple[ReportConfig, ...]) -> tuple[ReportConfig, ...]:
        return tuple({r.name: r for r in reports}.values())

    @property
    def path(self) -> Path | None:
        """The file the config was read from, if any."""
        return self._path

    def read_from(self, path: Path | None) -> Config:
        """This config, noting the file it was read from (not a key of the file)."""
        self._path = path
        return self

    def report(self, name: str) -> ReportConfig:
        """The configured report called ``name`` (KeyError when the config has none)."""
        for rc in self.reports:
            if rc.name == name:
                return rc
        raise KeyError(name)

    @property
    def parquet_path(self) -> Path | str | None:
        """The Parquet folder (expanded), or the bucket URL; None without Parquet."""
        p = self.destinations.parquet
        if p is None:
            return None
        return p.path if "://" in p.path else Path(p.path).expanduser()

    @property
    def sql_url(self) -> SecretStr | None:
        return self.destinations.sql.url if self.destinations.sql else None

    @property
    def sql_schema(self) -> str | None:
        return self.destinations.sql.db_schema if self.destinations.sql else None

    @property
    def sql_timeout(self) -> float:
        sql = self.destinations.sql
        return sql.timeout if sql else SqlConfig.model_fields["timeout"].default

    @property
    def archive_path(self) -> Path | None:
        a = self.destinations.archive
        return Path(a.path).expanduser() if a else None


def client_options(source: SourceConfig, timeout: float | None = None) -> dict[str, Any]:
    """The API client's arguments for this source (``timeout``: a shorter read timeout)."""
    read = timeout or source.timeout
    return {
        "client_id": source.client_id,
        "client_secret": source.client_secret.get_secret_value(),
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
