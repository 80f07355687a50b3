"""Helpers for pipeline tests: destinations (SQLite, PostgreSQL), configs, table snapshots."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping

import pytest
import sqlalchemy as sa

from hs_extract.load.sql_schema import META, RUNS, STATE, bookkeeping, declare
from hs_extract.normalize import table_specs, tables_of
from hs_extract.pipeline import parse_config

CUTOFF = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
PG_URL = os.environ.get("HS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
VOLATILE = {"extracted_at", "run_id", "loaded_at"}
BOOKS = (STATE, RUNS, META)


#: ``hs-extract`` as a process of its own
HS_EXTRACT = [sys.executable, "-m", "hs_extract"]


def _env(extra: Mapping[str, str | None] | None) -> dict[str, str]:
    """The test's environment without a failpoint, with ``extra`` (None: a variable unset)."""
    env = {k: v for k, v in os.environ.items() if k != "HS_EXTRACT_FAILPOINT"}
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def hs_start(*args, env=None, text: bool = True, **popen) -> subprocess.Popen:
    """``hs-extract ARGS`` started as its own process; stderr is a pipe, as under cron."""
    return subprocess.Popen(
        [*HS_EXTRACT, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=text,
        env=_env(env),
        **popen,
    )


def hs_run(*args, env=None, timeout: float = 240, text: bool = True, **popen):
    """``hs-extract ARGS`` as its own process, to the end: the CompletedProcess."""
    return subprocess.run(
        [*HS_EXTRACT, *map(str, args)],
        capture_output=True,
        text=text,
        env=_env(env),
        timeout=timeout,
        **popen,
    )


def postgres_or_skip() -> None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # the server is down or the driver is missing
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL must run in CI ({PG_URL}): {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")


def duckdb_or_skip() -> None:
    try:
        import duckdb_engine  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"DuckDB must be tested in CI (the [duckdb] extra): {exc}")
        pytest.skip(f"duckdb-engine not installed: {exc}")


class Dest:
    """A fresh SQL destination: a SQLite file, or a PostgreSQL schema dropped afterwards."""

    def __init__(self, kind: str, tmp_path) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.url, self.schema = f"sqlite:///{tmp_path}/hs.db", None
        elif kind == "duckdb":
            duckdb_or_skip()
            self.url, self.schema = f"duckdb:///{tmp_path}/hs.duckdb", None
        else:
            postgres_or_skip()
            self.url, self.schema = PG_URL, f"hs_test_{uuid.uuid4().hex[:10]}"
        # DuckDB locks its file per process: the test's own reads must not hold it open
        pool = {"poolclass": sa.pool.NullPool} if kind == "duckdb" else {}
        self.engine = sa.create_engine(self.url, **pool)

    def sibling(self, tmp_path, name: str) -> Dest:
        other = Dest.__new__(Dest)
        other.kind, other.engine = self.kind, self.engine
        if self.kind in ("sqlite", "duckdb"):
            suffix = "db" if self.kind == "sqlite" else "duckdb"
            other.url, other.schema = f"{self.kind}:///{tmp_path}/{name}.{suffix}", None
            pool = {"poolclass": sa.pool.NullPool} if self.kind == "duckdb" else {}
            other.engine = sa.create_engine(other.url, **pool)
        else:
            other.url, other.schema = self.url, f"{self.schema}_{name}"
        return other

    def sql(self) -> dict:
        return {"url": self.url, "schema": self.schema}

    def qualify(self, name: str) -> str:
        """``name`` quoted, with the schema: for hand-written SQL."""
        return f'"{self.schema}"."{name}"' if self.schema else f'"{name}"'

    def table(self, name: str) -> sa.Table:
        if self.kind == "duckdb":  # duckdb-engine can't reflect DuckDB 2's catalog: declared
            metadata = sa.MetaData(schema=self.schema)
            books = dict(zip(BOOKS, bookkeeping(metadata), strict=True))
            return books[name] if name in books else declare(metadata, table_specs()[name])
        return sa.Table(name, sa.MetaData(schema=self.schema), autoload_with=self.engine)

    def primary_key(self, name: str) -> list[str]:
        """The table's primary key columns, as the database has them."""
        with self.engine.connect() as c:
            if self.kind == "duckdb":
                return list(
                    c.execute(
                        sa.text(
                            "select constraint_column_names from duckdb_constraints() "
                            "where table_name = :t and constraint_type = 'PRIMARY KEY'"
                        ),
                        {"t": name},
                    ).scalar_one()
                )
            inspector = sa.inspect(c)
            return inspector.get_pk_constraint(name, schema=self.schema)["constrained_columns"]

    def columns(self, name: str) -> dict[str, object]:
        """name → type of the table's columns, as the database has them (DuckDB: type name)."""
        with self.engine.connect() as c:
            if self.kind == "duckdb":
                q = "select column_name, data_type from information_schema.columns "
                rows = c.execute(sa.text(q + "where table_name = :t"), {"t": name})
                return dict(rows.all())
            inspector = sa.inspect(c)
            return {col["name"]: col["type"] for col in inspector.get_columns(name, self.schema)}

    def count(self, name: str) -> int:
        t = self.table(name)
        with self.engine.connect() as c:
            return c.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()

    def snapshot(self, name: str) -> list[tuple]:
        """Every row but the run-specific columns, sorted: comparable across runs."""
        t = self.table(name)
        cols = [c for c in t.columns if c.name not in VOLATILE]
        key = [t.c[k] for k in table_specs()[name].full_key]
        with self.engine.connect() as c:
            rows = c.execute(sa.select(*cols).order_by(*[k.asc().nulls_first() for k in key]))
            return [tuple(_norm(v) for v in r) for r in rows]

    def duplicates(self, name: str) -> int:
        t = self.table(name)
        key = [t.c[k] for k in table_specs()[name].full_key]
        q = sa.select(*key).group_by(*key).having(sa.func.count() > 1)
        with self.engine.connect() as c:
            return len(c.execute(q).all())

    def state(self) -> list[dict]:
        t = self.table("_hs_extract_state")
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(sa.select(t))]

    def drop(self) -> None:
        if self.kind == "postgres":
            with self.engine.begin() as c:
                for schema in c.execute(
                    sa.text("select nspname from pg_namespace where nspname like :p"),
                    {"p": self.schema + "%"},
                ).scalars():
                    c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        self.engine.dispose()


@contextlib.contextmanager
def destination(kind: str, tmp_path) -> Iterator[Dest]:
    """A fresh destination of ``kind``, dropped (PostgreSQL) afterwards."""
    dest = Dest(kind, tmp_path)
    try:
        yield dest
    finally:
        dest.drop()


def _norm(v):
    if isinstance(v, dt.datetime):
        return (
            v.replace(tzinfo=None)
            if v.tzinfo is None
            else v.astimezone(dt.UTC).replace(tzinfo=None)
        )
    if isinstance(v, float):
        return round(v, 9)
    return v


def table_names(reports) -> list[str]:
    """Every table of the config entries ``reports`` (names or mappings with a name)."""
    names = {r if isinstance(r, str) else r["name"] for r in reports}
    return sorted({t.name for n in names for t in tables_of(n)})


def sim_source(sim, **over) -> dict:
    """The ``source`` section of a config pointed at simulator ``sim``, unthrottled."""
    return {
        "base_url": sim.base_url,
        "client_id": sim.client_id,
        "client_secret": sim.client_secret,
        "rate_limit_per_minute": 100_000,
        **over,
    }


def make_config(sim, dest: Dest | None, parquet=None, **over):
    raw = {
        "source": {
            "base_url": sim.base_url,
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "rate_limit_per_minute": 100_000,
            "max_workers": 4,
        },
        "windows": {"start": "2026-10-20", "end": "2026-10-27", "size": "day", "lookback": 2},
        "reports": [
            "all",
            {"name": "user", "users": [100001, 900001]},
            *[
                {"name": n, "users": [100001, 900001]}
                for n in (
                    "user_conversation_history",
                    "user_customers_helped",
                    "user_drilldown",
                    "user_happiness",
                    "user_happiness_drilldown",
                    "user_replies",
                    "user_resolutions",
                    "user_chat",
                )
            ],
            {
                "name": "conversations_drilldown_by_field",
                "field": "tagid",
                "field_ids": [5000, 5003],
            },
        ],
        "destinations": {},
    }
    if dest is not None:
        raw["destinations"]["sql"] = dest.sql()
    if parquet is not None:
        raw["destinations"]["parquet"] = {"path": str(parquet)}
    for key, value in over.items():
        raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
    return parse_config(raw)
