"""The SQL engine of a destination: the URL checked, the driver present, every wait bounded.

- ``postgres://`` and ``postgresql://`` (Heroku, libpq style) mean PostgreSQL through psycopg 3,
  whose COPY the loader uses; ``sqlite:///path`` is SQLite. Anything else is refused in one line.
- PostgreSQL sessions get ``statement_timeout`` and ``lock_timeout``, a connect timeout, and a
  :class:`~.watchdog.Watchdog` that cuts a connection a frozen server never answers on.
- DuckDB never installs or loads an extension by itself (that would be a download over the
  network); a file another program holds is :class:`~hs_extract.errors.LockedError` naming the
  holder as DuckDB says it, in every command; a SQLite file at a ``duckdb:///`` URL is named.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from ..errors import ConfigError, DestinationUnavailable, LoadError, LockedError
from ..masking import mask_url
from .watchdog import Watchdog

__all__ = ["DIALECTS", "Bounded", "normalize_sql_url", "unavailable_as"]

#: the databases hs_extract loads into, as the URL names them
DIALECTS = {
    "sqlite": "sqlite:///path/to/file.db",
    "postgresql": "postgresql+psycopg://user@host/db",
    "duckdb": "duckdb:///path/to/file.duckdb",
}
CONNECT_TIMEOUT = 10
LOCK_TIMEOUT = 60
#: DuckDB loads nothing by itself: an extension would come over the network
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def normalize_sql_url(url: str) -> str:
    """The URL SQLAlchemy gets; ConfigError (naming the key and what is allowed) otherwise."""
    key = "destinations.sql.url"
    for old in ("postgres://", "postgresql://"):
        if url.startswith(old):  # libpq and Heroku style: PostgreSQL through psycopg 3
            url = "postgresql+psycopg://" + url[len(old) :]
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise ConfigError(
            f"{key}: {mask_url(url)!r} is not a database URL; allowed: "
            + ", ".join(DIALECTS.values())
        ) from None
    # the driver as written (asking SQLAlchemy would load a dialect that may not exist)
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in DIALECTS:
        raise ConfigError(
            f"{key}: {backend}:// is not supported; allowed: " + ", ".join(DIALECTS.values())
        )
    if backend == "postgresql":
        if driver != "psycopg":
            raise ConfigError(
                f"{key}: postgresql+{driver} is not supported (the loader uses psycopg 3's "
                "COPY); allowed: postgresql+psycopg://user@host/db"
            )
        if importlib.util.find_spec("psycopg") is None:
            raise ConfigError(
                f"{key}: PostgreSQL needs the psycopg driver, which is not installed: "
                "pip install 'hs-extract[postgres]'"
            )
    if backend == "duckdb" and importlib.util.find_spec("duckdb_engine") is None:
        raise ConfigError(
            f"{key}: DuckDB needs duckdb and duckdb-engine, which are not installed: "
            "pip install 'hs-extract[duckdb]'"
        )
    return url


class Bounded:
    """An engine whose PostgreSQL work is bounded in time; ``tx()`` and ``read()`` give
    guarded connections (SQLite needs no guard: a local file, and its busy timeout)."""

    def __init__(self, url: str, timeout: float = 300.0, engine: Engine | None = None):
        self.timeout = timeout
        if engine is None:
            url = normalize_sql_url(url)
            backend = make_url(url).get_backend_name()
            if backend == "postgresql":
                options = f"-c statement_timeout={int(timeout * 1000)} " + (
                    f"-c lock_timeout={LOCK_TIMEOUT * 1000}"
                )
                engine = sa.create_engine(
                    url, connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": options}
                )
            elif backend == "duckdb":
                _not_sqlite(make_url(url).database)
                engine = sa.create_engine(
                    url, pool_pre_ping=True, connect_args={"config": dict(DUCKDB_CONFIG)}
                )
            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
        self.engine = engine
        #: DuckDB locks its file while a connection is open: outside a run (plan, check,
        #: state show) each connection is let go at once; a run holds it (``held()``)
        self.release_after_use = engine.dialect.name == "duckdb"
        self.watchdog: Watchdog | None = None
        if engine.dialect.name == "postgresql":
            # a little more than the server's own timeout: the server ends slow statements,
            # the watchdog a server that stopped answering
            self.watchdog = Watchdog(timeout + 30)
            self.watchdog.install(engine)

    @contextlib.contextmanager
    def tx(self) -> Iterator[Connection]:
        """A transaction, committed (or rolled back) within the deadline."""
        try:
            with self.connect() as conn, self._guard(conn), conn.begin():
                yield conn
        finally:
            self._let_go()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        try:
            with self.connect() as conn, self._guard(conn):
                yield conn
        finally:
            self._let_go()

    def connect(self) -> Connection:
        """A connection, or one line: a DuckDB file held by another program is LockedError
        naming it; a database that does not answer is DestinationUnavailable."""
        try:
            return self.engine.connect()
        except sa.exc.DBAPIError as exc:
            if self.engine.dialect.name == "duckdb":
                raise _duckdb_error(self.engine.url.database, exc) from None
            if not isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
                raise
            where = mask_url(self.engine.url.render_as_string(hide_password=False))
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()
            raise DestinationUnavailable(
                f"sql: {where} did not answer: {reason[0] if reason else type(exc).__name__}"
            ) from None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Keep connections (and a DuckDB file) open for a run; let go of them after it."""
        before = self.release_after_use
        self.release_after_use = False
        try:
            yield
        finally:
            self.release_after_use = before
            if self.engine.dialect.name == "duckdb":
                self.engine.dispose()

    def _let_go(self) -> None:
        if self.release_after_use:
            self.engine.dispose()

    def _guard(self, conn: Connection):
        if self.watchdog is None:
            return contextlib.nullcontext()
        return self.watchdog.guard(conn.connection.driver_connection)


def _not_sqlite(database: str | None) -> None:
    """ConfigError when the file at a ``duckdb:///`` URL is a SQLite database."""
    if not database or database == ":memory:":
        return
    path = Path(database).expanduser()
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return  # not made yet (or unreadable: DuckDB says why)
    if head == b"SQLite format 3\x00":
        raise ConfigError(
            f"destinations.sql.url: {path} is a SQLite database, not a DuckDB one; allowed: "
            f"sqlite:///{path} to load into it, or a DuckDB file (a new path)"
        )


def _duckdb_error(database: str | None, exc: sa.exc.DBAPIError) -> Exception:
    """The one line a DuckDB file that can't be opened gets."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()
    first = reason[0] if reason else type(exc).__name__
    held = _HOLDER.search(first)
    if held:
        return LockedError(
            f"locked: another program holds {database} ({held['program']}, "
            f"PID {held['pid']}; DuckDB lets one process write a file); nothing was done: "
            "close it (or wait for it) and try again"
        )
    return LoadError(f"sql: cannot open {database}: {first}")


@contextlib.contextmanager
def unavailable_as(where: str) -> Iterator[None]:
    """A connection-level failure (refused, dropped, cut at its deadline, timed out) as
    DestinationUnavailable naming ``where``; other errors pass through."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.DisconnectionError, sa.exc.InterfaceError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise DestinationUnavailable(
            f"sql: {where} did not answer: {reason[0] if reason else type(exc).__name__}"
        ) from None
