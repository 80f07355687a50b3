"""SQL destination (SQLAlchemy Core): tables from the declared schemas, one transaction a unit.

A unit's rows are deleted and inserted in one transaction together with its state row, so a
crash leaves either the old unit or the new one, never half of it, and state never runs ahead
of the data. PostgreSQL loads through psycopg 3 COPY (CSV written by Arrow); SQLite through
executemany. Identifiers are quoted by SQLAlchemy; values are always bound, never formatted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import failpoints
from ..errors import ConfigError, LoadError
from ..masking import mask_url
from .keys import unit_key
from .sql_books import Books, _chunks, _reason
from .sql_engine import Bounded, unavailable_as
from .sql_schema import UNIT_COLUMN, WINDOW_DATE, bookkeeping, declare, prepare_tables

if TYPE_CHECKING:  # Arrow is loaded by a load, not by reading state (hs-extract state show)
    import pyarrow as pa

    from ..normalize.schema import TableSpec

__all__ = ["SqlDestination", "UnitData", "unit_key"]  # unit_key: from .keys, for callers


class SqlDestination(Books):
    """The SQL tables of one config, with state and run log (:class:`~.sql_books.Books`)."""

    def __init__(
        self,
        url: str,
        schema: str | None = None,
        *,
        engine: Engine | None = None,
        timeout: float = 300.0,
    ):
        self.bounded = Bounded(url, timeout, engine)
        self.engine = self.bounded.engine
        dialect = self.engine.dialect.name
        self.is_sqlite = dialect == "sqlite"
        self.is_postgres = dialect == "postgresql"
        #: SQLite or DuckDB: a local file, one writer at a time
        self.is_file = dialect in ("sqlite", "duckdb")
        if self.is_sqlite and schema:
            raise ConfigError(
                f"destinations.sql.schema: {schema!r} is invalid; SQLite has no "
                "schemas, leave it null"
            )
        self.schema = schema
        self.metadata = sa.MetaData(schema=schema)
        self.tables: dict[str, sa.Table] = {}
        self.state, self.runs, self.meta = bookkeeping(self.metadata)
        # SQLite allows one writer, DuckDB fails a transaction that meets another's writes:
        # loads are serialized there
        self._lock = threading.Lock() if self.is_file else None
        self._encoder = ThreadPoolExecutor(1, thread_name_prefix="hs-csv")

    def __repr__(self) -> str:
        return f"SqlDestination({self.where!r})"

    @property
    def where(self) -> str:
        """The URL, for messages: every password masked."""
        return mask_url(self.engine.url.render_as_string(hide_password=False))

    # --- tables ------------------------------------------------------------------------------

    def declare(self, spec: TableSpec) -> sa.Table:
        """The SQL table of a declared table spec (see :func:`.sql_schema.declare`)."""
        if spec.name not in self.tables:
            self.tables[spec.name] = declare(self.metadata, spec)
        return self.tables[spec.name]

    def prepare(self, specs: Iterable[TableSpec], rebuild: bool = False) -> None:
        """Create the tables of ``specs`` and the bookkeeping tables, grow them, check the
        layout; ``rebuild`` drops a destination of another layout first."""
        for spec in specs:
            self.declare(spec)
        database = self.engine.url.database
        if self.is_file and database and database != ":memory:":
            # the file's folder, made by the first write (check and plan leave nothing)
            with contextlib.suppress(OSError):  # an unwritable place is reported just below
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.bounded.tx() as conn:
                prepare_tables(
                    conn, self.metadata, self.tables.values(), self.schema, repr(self), rebuild
                )
        except sa.exc.DBAPIError as exc:  # unreachable, refused, no CREATE privilege …
            raise LoadError(f"sql: cannot prepare {self.where}: {_reason(exc)}") from None

    @staticmethod
    def _qualified(conn: Connection, table: sa.Table) -> str:
        return conn.dialect.identifier_preparer.format_table(table)

    def replace_snapshot(self, tables: Mapping[str, pa.Table]) -> None:
        """Replace dimension tables as a whole, in one transaction."""
        lock = self._lock or _NoLock
        with lock, self.bounded.tx() as conn:
            for name, data in tables.items():
                table = self.tables[name]
                conn.execute(table.delete())
                if data.num_rows:
                    self._insert(conn, table, data)

    # --- units -------------------------------------------------------------------------------

    def load_units(self, units: Sequence[UnitData], run_id: str) -> None:
        """Replace several units' rows and move their state in one transaction.

        Each unit is still all-or-nothing; batching ready units into one commit saves a round
        of WAL flush, delete and COPY per unit. On PostgreSQL the COPY's CSV is encoded on a
        helper thread while the server deletes the old rows (Arrow and psycopg both release
        the GIL), so the client's work hides behind the server's.
        """
        from .pgcopy import to_csv

        lock = self._lock or _NoLock
        now = dt.datetime.now(dt.UTC)
        names = list(dict.fromkeys(n for u in units for n in u.tables))
        data = {name: self._with_unit(units, name) for name in names}
        encoded = {
            name: self._encoder.submit(to_csv, d)
            for name, d in data.items()
            if d is not None and self.is_postgres
        }
        try:
            with lock, unavailable_as(self.where), self.bounded.tx() as conn:
                if self.is_postgres:
                    # Rows and state commit together, so a commit the server loses in a crash
                    # loses both, and the next run reloads the units: no WAL flush to wait for.
                    conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
                for name in names:
                    table = self.tables[name]
                    for chunk in _chunks([u for u in units if name in u.tables], 500):
                        ids = [unit_key(u) for u in chunk]
                        conn.execute(table.delete().where(table.c[UNIT_COLUMN].in_(ids)))
                failpoints.hit("sql.deleted")
                for name in names:
                    if data[name] is not None:
                        csv = encoded[name].result() if name in encoded else None
                        self._insert(conn, self.tables[name], data[name], csv)
                failpoints.hit("sql.inserted")
                self._move_state(conn, units, run_id, now)
                failpoints.hit("sql.before_commit")
        finally:
            for fut in encoded.values():
                fut.cancel()

    @staticmethod
    def _with_unit(units: Sequence[UnitData], name: str) -> pa.Table | None:
        """Every unit's rows of table ``name``, each tagged with its window's local date and
        its unit id (None if none)."""
        import pyarrow as pa

        parts = []
        for u in units:
            table = u.tables.get(name)
            if table is None or not table.num_rows:
                continue
            n = table.num_rows
            table = table.append_column(WINDOW_DATE, pa.repeat(pa.scalar(u.window_date), n))
            parts.append(
                table.append_column(UNIT_COLUMN, pa.repeat(pa.scalar(unit_key(u), pa.int64()), n))
            )
        return pa.concat_tables(parts) if parts else None

    def _move_state(self, conn: Connection, units: Sequence[UnitData], run_id, now) -> None:
        st = self.state.c
        for chunk in _chunks(list(units), 100):
            conn.execute(
                self.state.delete().where(
                    sa.or_(
                        *[
                            sa.and_(
                                st.report == u.report,
                                st.slice == u.slice_key,
                                st.window_start == u.window[0],
                            )
                            for u in chunk
                        ]
                    )
                )
            )
        conn.execute(
            self.state.insert(),
            [
                {
                    "report": u.report,
                    "slice": u.slice_key,
                    "window_start": u.window[0],
                    "window_end": u.window[1],
                    "rows": u.rows,
                    "expected_rows": u.expected,
                    "pages": u.pages,
                    "extracted_at": u.extracted_at,
                    "loaded_at": now,
                    "run_id": run_id,
                }
                for u in units
            ],
        )

    def load_unit(self, unit: UnitData, run_id: str) -> None:
        """Replace one unit's rows in every table of its report and move its state, atomically."""
        self.load_units([unit], run_id)

    def _insert(
        self, conn: Connection, table: sa.Table, data: pa.Table, csv: bytes | None = None
    ) -> None:
        """Insert ``data`` (``csv``: its COPY text, when already encoded)."""
        from .duck import insert_arrow
        from .pgcopy import copy_csv

        if self.is_postgres:
            copy_csv(conn, self._qualified(conn, table), data, csv=csv)
        elif self.engine.dialect.name == "duckdb":
            insert_arrow(conn, self._qualified(conn, table), data)
        else:  # executemany in slices: Python rows cost far more memory than Arrow columns
            for batch in data.to_batches(max_chunksize=5_000):
                conn.execute(table.insert(), batch.to_pylist())

    def clear_reports(self, tables: Mapping[str, Sequence[str]]) -> None:
        """Delete every row and state row of these reports (report → its tables), at once."""
        lock = self._lock or _NoLock
        with lock, self.bounded.tx() as conn:
            for names in tables.values():
                for name in names:
                    conn.execute(self.tables[name].delete())
            conn.execute(self.state.delete().where(self.state.c.report.in_(list(tables))))

    def close(self) -> None:
        self._encoder.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()


@dataclass(frozen=True)
class UnitData:
    """One unit ready to load: its identity, slice values and tables."""

    report: str
    slice_key: str
    window: tuple[dt.datetime, dt.datetime]
    slice_values: Mapping[str, Any]
    tables: Mapping[str, pa.Table]
    rows: int
    window_date: dt.date  # the window's local date (windows.timezone)
    label: str = ""  # how messages name the unit
    #: the destinations that lack it (a Parquet folder that lost its files: only that one)
    targets: frozenset[str] = frozenset({"parquet", "sql"})
    #: what the API said the unit holds (a listing's count), and the pages it announced
    expected: int | None = None
    pages: int | None = None
    #: when the answer the rows come from arrived (an older answer never replaces them)
    extracted_at: dt.datetime | None = None


class _NoLockType:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NoLock = _NoLockType()
