"""A config's mistakes as one line each: the key, the value as the user wrote it, what is allowed.

pydantic finds the mistakes (config.py); this says them the way every hs_extract message does:
``windows.size: 'fortnight' is invalid; allowed: day, week, month``. Values are shown as
YAML shows them (``2026-11-01``, ``true``, ``[1, 2]``), never as Python reprs; an unknown key
or report name gets "did you mean …".
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .config import MISSING, Config, credential_hint

__all__ = ["MISSING", "Problems", "lines", "shown"]

#: what each key allows, by its place (list positions as ``[]``)
ALLOWED = {
    "source.rate_limit_per_minute": "allowed: an integer from 1 to 100000",
    "source.rate_limit_share": "allowed: a number in (0, 1]",
    "source.max_workers": "allowed: an integer from 1 to 64, or auto",
    "source.timeout": "allowed: seconds, a number > 0",
    "source.max_wait": "allowed: seconds, a number >= 0",
    "source.client_id": credential_hint("client_id", "allowed"),
    "source.client_secret": credential_hint("client_secret", "allowed"),
    "source": "allowed: a mapping of base_url, client_id, client_secret, …",
    "windows": "allowed: a mapping of start, end, size, lookback, timezone, compare_previous",
    "windows.start": "allowed: a date such as 2025-01-01, or -28d (days before today)",
    "windows.end": "allowed: a date such as 2025-01-01",
    "windows.size": "allowed: day, week, month, or a list of them such as [day, month]",
    "windows.lookback": "allowed: an integer from 0 to 1000",
    "windows.timezone": "allowed: an IANA time zone such as Europe/Paris",
    "windows.compare_previous": "allowed: true or false",
    "filters": "allowed: a mapping of mailboxes, tags, types, folders, office_hours",
    "filters.types": "allowed: a list of email, chat, phone",
    "filters.types[]": "allowed: a list of email, chat, phone",
    "filters.mailboxes": "allowed: a list of positive integer ids",
    "filters.tags": "allowed: a list of positive integer ids",
    "filters.folders": "allowed: a list of positive integer ids",
    "filters.office_hours": "allowed: true or false",
    "reports": "required: a list of report names (or all)",
    "reports[]": "allowed: a report name, all, or a mapping with a name",
    "reports[].field": "allowed: tagid, replyid, workflowid, customerid",
    "reports[].rating": "allowed: one or a list of great, ok, not-good, all",
    "reports[].rating[]": "allowed: one or a list of great, ok, not-good, all",
    "reports[].status": "allowed: active, pending, closed",
    "reports[].users": "allowed: a list of positive integer ids, or all",
    "destinations": "required: parquet: {path: …} and/or sql: {url: …}",
    "destinations.parquet": "required: a directory path or s3://, gs://, abfs:// URL",
    "destinations.parquet.path": "required: a directory path or s3://, gs://, abfs:// URL",
    "destinations.sql": "required: a mapping with url",
    "destinations.sql.url": (
        "required: a SQLAlchemy URL such as sqlite:///hs.db or postgresql+psycopg://user@host/db"
    ),
    "destinations.sql.schema": "allowed: null or an identifier (letters, digits, _)",
    "destinations.sql.timeout": "allowed: seconds, a number > 0",
    "destinations.archive": "required: a directory path (every answer kept, for rebuild)",
    "destinations.archive.path": "required: a directory path (every answer kept, for rebuild)",
}
#: what a missing key needs, where it differs from what it allows
REQUIRED = {
    "windows.start": "required: a date such as 2025-01-01",
    "windows": "required: a mapping with start (a date such as 2025-01-01)",
    "source.client_id": credential_hint("client_id"),
    "source.client_secret": credential_hint("client_secret"),
}
_INDEX = re.compile(r"\[\d+\]")


class Problems:
    """Problems found before the model looks (YAML, ``${VAR}``): one per key."""

    def __init__(self, waived: frozenset[str] = frozenset()) -> None:
        self.items: list[str] = []
        self._keys: set[str] = set()
        #: keys whose problems don't matter here (credentials of a command that never calls
        #: the API)
        self.waived = waived

    def note(self, key: str, text: str) -> None:
        if key not in self._keys and key not in self.waived:
            self._keys.add(key)
            self.items.append(text)


def shown(value: Any) -> str:
    """A value as the user wrote it in YAML: text quoted, dates plain, true/false/null."""
    if value is MISSING:
        return "(missing)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + ("schema" if part == "db_schema" else str(part))
    return out


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose keys the place ``loc`` is among (for "unknown key; allowed: …")."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found:
            return found
    return None


def lines(error: ValidationError, raw: Any) -> list[str]:
    """One line per mistake pydantic found, in the order of the file."""
    out = []
    errors = error.errors(include_url=False)
    for e in errors:
        loc, kind, ctx = tuple(e["loc"]), e["type"], e.get("ctx") or {}
        below = [x for x in errors if tuple(x["loc"])[: len(loc)] == loc and x is not e]
        if kind == "too_short" and below:
            continue  # every item was wrong: the items say why
        loc = tuple(p for p in loc if not (isinstance(p, str) and _wrapper(p)))
        path = _path(loc)
        if kind == "hs_line":
            parent = _path(loc[:-1])
            out.append((parent + "." if parent else "") + ctx["text"])
            continue
        if kind == "hs_invalid":
            key = ctx.get("key") or ""
            where = f"{path}.{key}" if key and path else key or path
            out.append(f"{where}: {shown(ctx.get('value'))} is invalid; {ctx['allowed']}")
            continue
        pattern = _INDEX.sub("[]", path)
        if kind == "missing":
            need = REQUIRED.get(pattern) or ALLOWED.get(pattern, "required")
            out.append(f"{path}: (missing) is invalid; {need.replace('allowed:', 'required:')}")
        elif kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            fields = model.model_fields if model else {}
            keys = [("schema" if k == "db_schema" else k) for k in fields]
            out.append(f"{path}: {shown(e['input'])} is invalid; {unknown_key(str(loc[-1]), keys)}")
        else:
            allowed = ALLOWED.get(pattern) or f"allowed: {e['msg'][0].lower()}{e['msg'][1:]}"
            out.append(f"{path}: {shown(e['input'])} is invalid; {allowed}")
    return out


def _wrapper(part: str) -> bool:
    """Whether a part of an error's place names a validator or a union member, not a key."""
    return part.startswith(("function-", "tuple[", "union[", "literal[")) or part in (
        "int",
        "str",
        "date",
        "float",
        "bool",
        "none",
    )


def unknown_key(key: str, keys: list[str]) -> str:
    """ "unknown key; allowed: …", and the keys it may have meant."""
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown key; allowed: {', '.join(keys)}{hint}"
