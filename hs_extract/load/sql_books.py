"""What a SQL destination holds besides the tables: state, config fingerprints, the run log.

:class:`Books` is the part of :class:`~.sql.SqlDestination` that reads and writes the
bookkeeping tables (``_hs_extract_state``, ``_hs_extract_runs``, ``_hs_extract_meta``), probes
the database, and reads loaded tables back for reconciliation. Reads of a SQLite file that was
never made answer "nothing" and leave it unmade (``check`` and ``plan`` write nothing).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..errors import LoadError
from .sql_engine import Bounded, unavailable_as
from .storage import probe_folder

__all__ = ["FINGERPRINT", "Books"]

#: meta rows holding each report's config fingerprint
FINGERPRINT = "fingerprint:"


class Books:
    """State, fingerprints, run log and probe of a SQL destination (mixed into it)."""

    # set by SqlDestination.__init__
    engine: sa.Engine
    bounded: Bounded
    state: sa.Table
    runs: sa.Table
    meta: sa.Table
    schema: str | None
    is_sqlite: bool
    is_file: bool

    @property
    def where(self) -> str:
        """The destination as messages name it (SqlDestination's)."""
        raise NotImplementedError

    @property
    def missing(self) -> bool:
        """A database file (SQLite, DuckDB) not made yet: reads (check, plan) answer "nothing"
        and leave it so."""
        db = self.engine.url.database
        if not self.is_file or not db or db == ":memory:":
            return False
        return not Path(db).expanduser().exists()

    def probe(self) -> str:
        """Whether the database takes hs_extract's tables: a table is created, written and
        dropped in a transaction that is rolled back, so nothing is left behind. A SQLite file
        not made yet is probed at its folder. What was found; LoadError if unusable."""
        if self.missing:
            path = Path(self.engine.url.database or "").expanduser()
            return probe_folder(path, "sql", "destinations.sql.url", create=False)
        probe = sa.Table(
            f"_hs_extract_probe_{uuid.uuid4().hex[:8]}",
            sa.MetaData(schema=self.schema),
            sa.Column("x", sa.Integer),
        )
        try:
            with unavailable_as(self.where), self.bounded.read() as conn:
                tx = conn.begin()
                try:
                    if self.schema:
                        conn.execute(sa.schema.CreateSchema(self.schema, if_not_exists=True))
                    probe.create(conn)
                    conn.execute(probe.insert().values(x=1))
                    probe.drop(conn)
                finally:
                    if self.is_sqlite:  # its driver commits DDL by itself: keep the drop
                        tx.commit()
                    else:  # PostgreSQL's DDL is transactional: nothing is left
                        tx.rollback()
        except sa.exc.DBAPIError as exc:  # refused, no CREATE privilege, read-only …
            raise LoadError(f"sql: cannot create a table in {self.where}: {_reason(exc)}") from None
        where = f" schema {self.schema}" if self.schema else ""
        return f"{self.where}{where}: a table was created, written and dropped"

    def loaded(self) -> dict[tuple[str, str], list[dt.datetime]]:
        """(report, slice) → window starts loaded (none before the first run made the table)."""
        out: dict[tuple[str, str], list[dt.datetime]] = {}
        if self.missing:
            return out
        with self.bounded.read() as conn:
            if not sa.inspect(conn).has_table(self.state.name, schema=self.schema):
                return out
            for r in conn.execute(
                sa.select(self.state.c.report, self.state.c.slice, self.state.c.window_start)
            ):
                out.setdefault((r.report, r.slice), []).append(_utc(r.window_start))
        return out

    def state_rows(self, report: str | None = None) -> list[dict]:
        q = sa.select(self.state).order_by(
            self.state.c.report, self.state.c.slice, self.state.c.window_start
        )
        if report:
            q = q.where(self.state.c.report == report)
        if self.missing:
            return []
        with self.bounded.read() as conn:
            if not sa.inspect(conn).has_table(self.state.name, schema=self.schema):
                return []
            return [dict(r._mapping) for r in conn.execute(q)]

    def frame(self, table: str, columns: Sequence[str]):
        """Columns of a loaded table as a pandas DataFrame; None when there is no such table."""
        import pandas as pd

        if self.missing:
            return None
        with self.bounded.read() as conn:
            if not sa.inspect(conn).has_table(table, schema=self.schema):
                return None
            t = sa.table(table, *(sa.column(c) for c in columns), schema=self.schema)
            return pd.read_sql(sa.select(*t.c), conn)

    def reset(self, reports: Sequence[str] | None = None, start=None, end=None) -> int:
        """Forget loaded windows (of ``reports``, starting in [start, end)); how many."""
        q = self.state.delete()
        if reports:
            q = q.where(self.state.c.report.in_(list(reports)))
        if start is not None:
            q = q.where(self.state.c.window_start >= start)
        if end is not None:
            q = q.where(self.state.c.window_start < end)
        with self.bounded.tx() as conn:
            if not sa.inspect(conn).has_table(self.state.name, schema=self.schema):
                return 0
            return conn.execute(q).rowcount

    def fingerprints(self) -> dict[str, dict]:
        """report → the settings its loaded windows were made with (see fingerprint.py)."""
        meta = self.meta.c
        q = sa.select(meta.setting, meta.value).where(meta.setting.like(FINGERPRINT + "%"))
        if self.missing:
            return {}
        try:
            with self.bounded.read() as conn:
                rows = conn.execute(q).all()
        except sa.exc.DatabaseError:  # no meta table yet: nothing was loaded here
            return {}
        return {s.removeprefix(FINGERPRINT): json.loads(v) for s, v in rows}

    def save_fingerprints(self, fingerprints: Mapping[str, dict]) -> None:
        meta = self.meta
        with self.bounded.tx() as conn:
            conn.execute(meta.delete().where(meta.c.setting.like(FINGERPRINT + "%")))
            if fingerprints:
                conn.execute(
                    meta.insert(),
                    [
                        {"setting": FINGERPRINT + r, "value": json.dumps(fp, sort_keys=True)}
                        for r, fp in fingerprints.items()
                    ],
                )

    def forget(self, units) -> None:
        """Delete the state rows of these units ((report, slice key, window start))."""
        st = self.state.c
        with self.bounded.tx() as conn:
            for chunk in _chunks(list(units), 100):
                conn.execute(
                    self.state.delete().where(
                        sa.or_(
                            *[
                                sa.and_(st.report == r, st.slice == s, st.window_start == w)
                                for r, s, w in chunk
                            ]
                        )
                    )
                )

    def log_run(self, run_id: str, **values: Any) -> None:
        """Insert or update this run's row in ``_hs_extract_runs``."""
        with self.bounded.tx() as conn:
            done = conn.execute(
                self.runs.update().where(self.runs.c.run_id == run_id).values(**values)
            ).rowcount
            if not done:
                conn.execute(self.runs.insert().values(run_id=run_id, **values))


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__
