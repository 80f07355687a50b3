"""Reading a config file: YAML, ``${VAR}`` from the environment, every problem at once.

Every problem is reported with its key path, the value and what is allowed, in one
ConfigError, before anything is fetched or written. The result is the frozen model of
:mod:`.config`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pendulum
import yaml

from ..api.auth import Secret
from ..api.catalog import FIELDS, RANGES, REPORTS, STATUSES, TYPES
from ..api.transport import check_base_url
from ..errors import ConfigError
from .config import (
    SLICE_KEYS,
    Config,
    FiltersConfig,
    ReportConfig,
    SourceConfig,
    WindowsConfig,
    default_report,
)
from .config_destinations import parse_destinations
from .config_problems import MISSING, Problems, section
from .windows import SIZES

__all__ = ["API", "CREDENTIALS", "load_config", "parse_config"]

CREDENTIALS = ("client_id", "client_secret")
#: what a command needs of the credentials: all of them to call the API
API = CREDENTIALS

ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
#: ratings a config may list (the catalog's, in the order messages show them)
RATINGS = ("great", "ok", "not-good", "all")


def _expand(value: Any, key: str, problems: Problems) -> Any:
    """``${VAR}`` and ``${VAR:-default}`` in every string of the tree."""
    if isinstance(value, str):

        def sub(m: re.Match) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                return os.environ[name]
            if default is not None:
                return default
            problems.note(
                key,
                f"{key}: environment variable {name} is not set; export it or give a default "
                f"as ${{{name}:-value}}",
            )
            return ""

        return ENV_RE.sub(sub, value)
    if isinstance(value, Mapping):
        return {k: _expand(v, f"{key}.{k}" if key else str(k), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, f"{key}[{i}]", problems) for i, v in enumerate(value)]
    return value


def _int(d, key, path, problems, default, lo, hi, extra: str = ""):
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        problems.add(path, v, f"allowed: an integer from {lo} to {hi}{extra}")
        return default
    return v


RELATIVE_RE = re.compile(r"^-(\d{1,5})d$")


def _date(v, path, problems, required: bool, relative: bool = False) -> dt.date | int | None:
    """A date; with ``relative``, also ``-28d`` (28 days before today: an int, -28)."""
    if v is None:
        if required:
            problems.add(path, MISSING, "required: a date such as 2025-01-01")
        return None
    m = RELATIVE_RE.match(v.strip()) if relative and isinstance(v, str) else None
    if m:
        return -int(m.group(1))
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        allowed = "a date such as 2025-01-01" + (
            ", or -28d (days before today)" if relative else ""
        )
        problems.add(path, v, "allowed: " + allowed)
        return None


def _ids(v, path, problems) -> tuple[int, ...]:
    if v is None:
        return ()
    items = v if isinstance(v, list) else [v]
    if all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in items):
        return tuple(items)
    problems.add(path, v, "allowed: a list of positive integer ids")
    return ()


def _source(raw, problems) -> SourceConfig | None:
    keys = (
        "base_url",
        "client_id",
        "client_secret",
        "rate_limit_per_minute",
        "rate_limit_share",
        "max_workers",
        "timeout",
        "max_wait",
    )
    s = section(raw, "source", keys, problems)
    base = s.get("base_url", "https://api.helpscout.net")
    try:
        base = check_base_url(str(base))
    except ConfigError as exc:
        problems.items.append(f"source.{exc}")
    for key in ("client_id", "client_secret"):
        if not isinstance(s.get(key), str) or not s.get(key):
            problems.add(
                f"source.{key}",
                MISSING if key not in s else "***" if key == "client_secret" else s.get(key),
                "required: a non-empty string, e.g. ${HELPSCOUT_CLIENT_ID}",
            )
    limit = _int(
        s, "rate_limit_per_minute", "source.rate_limit_per_minute", problems, 400, 1, 100_000
    )
    share = s.get("rate_limit_share", 1.0)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        problems.add("source.rate_limit_share", share, "allowed: a number in (0, 1]")
        share = 1.0
    workers = s.get("max_workers", "auto")
    if workers == "auto" or workers is None:
        workers = None
    else:
        workers = _int(s, "max_workers", "source.max_workers", problems, None, 1, 64, ", or auto")
    timeout = s.get("timeout", 60)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        problems.add("source.timeout", timeout, "allowed: seconds, a number > 0")
        timeout = 60
    max_wait = s.get("max_wait", 300)
    if isinstance(max_wait, bool) or not isinstance(max_wait, (int, float)) or max_wait < 0:
        problems.add("source.max_wait", max_wait, "allowed: seconds, a number >= 0")
        max_wait = 300
    return SourceConfig(
        base,
        str(s.get("client_id") or ""),
        Secret(str(s.get("client_secret") or "")),
        limit,
        float(share),
        workers,
        float(timeout),
        float(max_wait),
    )


def _windows(raw, problems) -> WindowsConfig:
    keys = ("start", "end", "size", "lookback", "timezone", "compare_previous")
    w = section(raw, "windows", keys, problems)
    start = _date(w.get("start"), "windows.start", problems, required=True, relative=True)
    end = _date(w.get("end"), "windows.end", problems, required=False)
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end <= start:
        problems.add("windows.end", w.get("end"), f"must be after windows.start ({start})")
    size = w.get("size", "day")
    if size not in SIZES:
        problems.add("windows.size", size, f"allowed: {', '.join(SIZES)}")
        size = "day"
    lookback = _int(w, "lookback", "windows.lookback", problems, 3, 0, 1000)
    tz = w.get("timezone", "UTC")
    try:
        pendulum.timezone(str(tz))
    except Exception:
        problems.add("windows.timezone", tz, "allowed: an IANA time zone such as Europe/Paris")
        tz = "UTC"
    compare = w.get("compare_previous", False)
    if not isinstance(compare, bool):
        problems.add("windows.compare_previous", compare, "allowed: true or false")
        compare = False
    end_day = end if isinstance(end, dt.date) else None
    return WindowsConfig(start or dt.date(2000, 1, 1), end_day, size, lookback, str(tz), compare)


def _filters(raw, problems) -> FiltersConfig:
    f = section(raw, "filters", ("mailboxes", "tags", "types", "folders", "office_hours"), problems)
    types = f.get("types") or []
    if not isinstance(types, list) or any(t not in TYPES for t in types):
        problems.add("filters.types", types, f"allowed: a list of {', '.join(TYPES)}")
        types = []
    office = f.get("office_hours", False)
    if not isinstance(office, bool):
        problems.add("filters.office_hours", office, "allowed: true or false")
        office = False
    return FiltersConfig(
        _ids(f.get("mailboxes"), "filters.mailboxes", problems),
        _ids(f.get("tags"), "filters.tags", problems),
        tuple(types),
        _ids(f.get("folders"), "filters.folders", problems),
        office,
    )


def _report(item, path, problems) -> list[ReportConfig]:
    if item == "all":
        return [default_report(n) for n in REPORTS]
    if isinstance(item, str):
        if item not in REPORTS:
            problems.add(
                path, item, "unknown report; `hs-extract reports` lists the 32 names, or all"
            )
            return []
        return [default_report(item)]
    if not isinstance(item, Mapping) or "name" not in item:
        problems.add(path, item, "allowed: a report name, all, or a mapping with a name")
        return []
    name = item["name"]
    if name not in REPORTS:
        problems.add(f"{path}.name", name, "unknown report; `hs-extract reports` lists them")
        return []
    allowed = SLICE_KEYS[name]
    for k in item:
        if k != "name" and k not in allowed:
            problems.add(
                f"{path}.{k}",
                item[k],
                f"not a setting of {name}; allowed: {', '.join(('name', *allowed))}",
            )
    base = default_report(name)
    users = item.get("users", base.users)
    if users != "all" and users is not None:
        users = _ids(users, f"{path}.users", problems)
    field_ = item.get("field", base.field)
    if field_ is not None and field_ not in FIELDS:
        problems.add(f"{path}.field", field_, f"allowed: {', '.join(FIELDS)}")
    field_ids = item.get("field_ids", base.field_ids)
    if field_ids == "all" and field_ != "tagid" and field_ in FIELDS:
        problems.add(f"{path}.field_ids", "all", "`all` lists tags only; give ids for " + field_)
    elif field_ids not in ("all", None):
        field_ids = _ids(field_ids, f"{path}.field_ids", problems)
    range_ = item.get("range")
    if range_ is not None and range_ not in RANGES:
        problems.add(f"{path}.range", range_, f"allowed: {', '.join(RANGES)}")
    range_ids = item.get("range_ids")
    if range_ids is not None:
        if range_ is None:
            problems.add(f"{path}.range_ids", range_ids, "needs range")
        range_ids = _ids(range_ids, f"{path}.range_ids", problems)
    rating = item.get("rating", list(base.rating))
    rating = [rating] if isinstance(rating, str) else rating
    if not isinstance(rating, list) or any(r not in RATINGS for r in rating):
        problems.add(f"{path}.rating", rating, f"allowed: one or a list of {', '.join(RATINGS)}")
        rating = []
    status = item.get("status")
    if status is not None and status not in STATUSES:
        problems.add(f"{path}.status", status, f"allowed: {', '.join(STATUSES)}")
    return [ReportConfig(name, users, field_, field_ids, range_, range_ids, tuple(rating), status)]


TOP_KEYS = ("source", "windows", "filters", "reports", "destinations")


def parse_config(raw: Any, path: Path | None = None, needs: tuple[str, ...] = API) -> Config:
    """A validated Config from parsed YAML; one ConfigError listing every problem.
    ``needs``: the credentials the command needs (``state`` and ``runs`` none, ``rebuild``
    the client id that names the account's archive); the others may be missing."""
    problems = Problems(frozenset(f"source.{k}" for k in CREDENTIALS if k not in needs))
    if not isinstance(raw, Mapping):
        what = "is empty" if raw is None else f"is a YAML {type(raw).__name__}"
        raise ConfigError(
            f"{path or 'config'}: the config {what}; allowed: a YAML mapping with "
            f"{', '.join(TOP_KEYS)} (see configs/example.yaml)"
        )
    for k in raw:
        if k not in TOP_KEYS:
            problems.add(str(k), raw[k], f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    raw = _expand(raw, "", problems)
    source = _source(raw, problems)
    windows = _windows(raw, problems)
    filters = _filters(raw, problems)
    items = raw.get("reports")
    reports: dict[str, ReportConfig] = {}
    if not isinstance(items, list) or not items:
        problems.add(
            "reports",
            items if items is not None else MISSING,
            "required: a list of report names (or all)",
        )
    else:
        for i, item in enumerate(items):
            for r in _report(item, f"reports[{i}]", problems):
                reports[r.name] = r  # a later entry refines an earlier one (e.g. after all)
    dests = parse_destinations(raw, problems)
    if len(problems.items) == 1:  # the usual case: one line
        raise ConfigError(f"{path}: {problems.items[0]}" if path else problems.items[0])
    if problems.items:
        where = f" in {path}" if path else ""
        raise ConfigError(
            f"{len(problems.items)} problems{where}, one a line:\n  " + "\n  ".join(problems.items)
        )
    assert source is not None  # a source with problems raised above
    return Config(
        source,
        windows,
        filters,
        tuple(reports.values()),
        dests.parquet,
        dests.sql_url,
        dests.sql_schema,
        dests.sql_timeout,
        dests.archive,
        path,
    )


def load_config(path: str | Path, needs: tuple[str, ...] = API) -> Config:
    """Read, expand and validate a YAML config file (``needs``: see :func:`parse_config`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ConfigError(f"config: {path}{where}: {problem}") from None
    return parse_config(raw, path, needs)
