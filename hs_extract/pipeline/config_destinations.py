"""``destinations:`` of a config file: where tables, state and the archive go."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..api.auth import Secret
from ..errors import ConfigError
from ..load.sql_engine import normalize_sql_url
from ..load.storage import check_bucket_url, is_bucket
from .config_problems import MISSING, Problems, section

__all__ = ["DestinationsConfig", "parse_destinations"]

IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class DestinationsConfig:
    parquet: Path | str | None = None  # a local folder, or a bucket URL (s3://…)
    sql_url: Secret | None = None
    sql_schema: str | None = None
    sql_timeout: float = 300.0
    archive: Path | None = None


def parse_destinations(raw: Mapping, problems: Problems) -> DestinationsConfig:
    """The ``destinations`` section; its problems are added to ``problems``."""
    d = section(raw, "destinations", ("parquet", "sql", "archive"), problems)
    if not ({"parquet", "sql"} & set(d)):
        problems.add("destinations", MISSING, "required: parquet: {path: …} and/or sql: {url: …}")
    path = _folder(d, "parquet", "a directory path or s3://, gs://, abfs:// URL", problems, True)
    if is_bucket(path or "") and "sql" not in d:
        # A bucket can't hold a lock that dies with its process (a killed run would hold it
        # for ever), and pyarrow.fs has no conditional put: state and the lock live in SQL.
        problems.add(
            "destinations.sql",
            MISSING,
            f"required with a bucket ({path}): state and the run lock live in SQL "
            "(sqlite:///hs_state.db will do), as a bucket can't hold a lock that dies with a "
            "killed run",
        )
    url = schema = None
    timeout = 300.0
    if "sql" in d:
        s = d["sql"] or {}
        if not isinstance(s, Mapping) or not isinstance(s.get("url"), str) or not s["url"]:
            problems.add(
                "destinations.sql.url",
                MISSING,
                "required: a SQLAlchemy URL such as "
                "sqlite:///hs.db or postgresql+psycopg://user@host/db",
            )
        else:
            try:
                url = Secret(normalize_sql_url(s["url"]))
            except ConfigError as exc:
                problems.note("destinations.sql.url", str(exc))
            schema = s.get("schema")
            if schema is not None and not (isinstance(schema, str) and IDENT_RE.match(schema)):
                problems.add(
                    "destinations.sql.schema",
                    schema,
                    "allowed: null or an identifier (letters, digits, _)",
                )
                schema = None
            timeout = s.get("timeout", 300)
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
                problems.add("destinations.sql.timeout", timeout, "allowed: seconds, a number > 0")
                timeout = 300
            for k in s:
                if k not in ("url", "schema", "timeout"):
                    problems.add(
                        f"destinations.sql.{k}", s[k], "unknown key; allowed: url, schema, timeout"
                    )
    archive = _folder(d, "archive", "a directory path (every answer kept, for rebuild)", problems)
    archive_path = Path(archive) if archive is not None else None  # (no bucket: a local folder)
    return DestinationsConfig(path, url, schema, float(timeout), archive_path)


def _folder(
    d: Mapping, name: str, what: str, problems: Problems, bucket: bool = False
) -> Path | str | None:
    """``destinations.<name>: {path: …}``: the folder (``bucket``: or a bucket URL), or None
    (absent or wrong)."""
    if name not in d:
        return None
    p = d[name] or {}
    if not isinstance(p, Mapping) or not isinstance(p.get("path"), str) or not p["path"]:
        given = (p or {}).get("path", MISSING) if isinstance(p, Mapping) else p
        problems.add(f"destinations.{name}.path", given, f"required: {what}")
        return None
    for k in p:
        if k != "path":
            problems.add(f"destinations.{name}.{k}", p[k], "unknown key; allowed: path")
    if "://" in p["path"]:
        if not bucket:
            problems.add(f"destinations.{name}.path", p["path"], f"allowed: {what}")
            return None
        try:
            return check_bucket_url(p["path"], f"destinations.{name}.path")
        except ConfigError as exc:
            problems.note(f"destinations.{name}.path", str(exc))
            return None
    return Path(p["path"]).expanduser()
