"""The destinations of one config: locked, opened, asked what they hold, written to.

Takes the config's Parquet folder and SQL database; hands the run a lock (one run at a time per
destination), prepared tables, the windows each destination holds, and one place to commit a
batch of units, replace the dimension snapshots and log the run. Each destination answers for
itself: a Parquet folder that lost its files is reloaded while the SQL tables are left alone.
A config whose settings changed since a report was loaded is refused before any request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..load.archive import Archive
from ..load.keys import unit_id
from ..load.sql import SqlDestination
from ..load.storage import atomic_write_bytes, is_bucket
from ..normalize.names import main_table
from .config import Config
from .fingerprint import changes, fingerprint
from .lock import DestinationLock, FileLock, PostgresLock, RunLock
from .state import JsonState

if TYPE_CHECKING:  # Arrow and the Parquet writer load with the first Parquet write
    import pyarrow as pa

    from ..load.parquet import ParquetDestination
    from ..load.sql import UnitData
    from ..normalize import TableSpec

__all__ = ["Destinations"]

log = logging.getLogger("hs_extract.run")

#: what a unit is written to
PARQUET, SQL = "parquet", "sql"


class Destinations:
    """The Parquet and SQL destinations of one config (either may be absent)."""

    def __init__(self, config: Config, account: str) -> None:
        self.config = config
        self.sql: SqlDestination | None = None
        if config.sql_url:
            url = config.sql_url.get_secret_value()
            self.sql = SqlDestination(url, config.sql_schema, timeout=config.sql_timeout)
        self._parquet: ParquetDestination | None = None
        self.state: SqlDestination | JsonState = self.sql or JsonState(
            Path(config.parquet_path or ".")
        )
        self.archive = Archive(config.archive_path, account) if config.archive_path else None
        self._lock: RunLock | None = None

    @property
    def parquet(self) -> ParquetDestination | None:
        """The Parquet destination, or None (made on first use: reading state loads no Arrow)."""
        path = self.config.parquet_path
        if self._parquet is None and path:
            from ..load.parquet import ParquetDestination

            # a bucket has no lock that dies with its process: its state lives in SQL
            owner = self.sql_where() if is_bucket(path) else None
            self._parquet = ParquetDestination(path, owner=owner)
        return self._parquet

    def sql_where(self) -> str | None:
        """The SQL destination as messages name it (no password), with its schema."""
        if not self.sql:
            return None
        if self.sql.engine.dialect.name != "postgresql":
            return self.sql.where
        return f"{self.sql.where} schema {self.sql.schema or 'public'}"

    @property
    def names(self) -> tuple[str, ...]:
        there = ((PARQUET, self.config.parquet_path), (SQL, self.sql))
        return tuple(n for n, d in there if d)

    # --- one run at a time ----------------------------------------------------------------------

    def run_lock(self) -> RunLock:
        locks: list[DestinationLock] = []
        if self.archive:  # each account's folder: two accounts may share an archive path
            root = self.archive.root
            locks.append(FileLock(root / ".hs_extract.lock", f"archive {root}"))
        if self.parquet and self.parquet.local:  # a bucket's runs are held by the SQL lock
            path = self.parquet.local / ".hs_extract.lock"
            locks.append(FileLock(path, f"parquet {self.parquet.local}"))
        if self.sql:
            engine = self.sql.engine
            where = f"sql {self.sql_where()}"
            if engine.dialect.name == "postgresql":
                locks.append(PostgresLock(engine, self.sql.schema, where))
            else:
                database = Path(engine.url.database or "hs_extract").expanduser()
                locks.append(FileLock(database.with_name(database.name + ".lock"), where))
        return RunLock(locks)

    @contextlib.contextmanager
    def locked(self, wait: float = 0.0) -> Iterator[None]:
        """Hold every destination's lock; nested use (open, then run) takes it once."""
        if self._lock is not None:
            yield
            return
        lock = self.run_lock()
        lock.acquire(wait)
        self._lock = lock
        try:
            if self.sql:  # DuckDB locks its file: held for the run, let go between runs
                with self.sql.bounded.held():
                    yield
            else:
                yield
        finally:
            self._lock = None
            lock.release()

    # --- opening ------------------------------------------------------------------------------

    def open(self, specs: Sequence[TableSpec], rebuild: bool = False) -> None:
        """Create or upgrade the tables (fails fast on an unusable destination)."""
        with self.locked():
            if self.archive:
                self.archive.prepare()
            if self.parquet:
                self.parquet.prepare(specs, rebuild)
                if not self.sql:
                    self.state = JsonState(Path(self.parquet.url))  # as the folder is now
            if self.sql:
                self.sql.prepare(specs, rebuild)

    def close(self) -> None:
        if self.sql:
            self.sql.close()

    def warn_legacy_archive(self) -> None:
        """Say once that the archive also holds 0.1's layout, which nothing reads."""
        archive = self.archive
        old = archive.legacy() if archive else []
        if archive and old:
            log.warning(
                "archive %s also holds answers in hs_extract 0.1's layout (%s), which names no "
                "account: rebuild uses them only once moved into %s",
                archive.path,
                ", ".join(p.name for p in old[:4]),
                archive.root,
            )

    # --- what each destination holds --------------------------------------------------------------

    def loaded(self) -> dict[tuple[str, str], list[dt.datetime]]:
        """(report, slice) → window starts loaded. Parquet alone: those ``_state.json`` lists
        whose main file is still there (a folder that lost files gets them back)."""
        loaded = self.state.loaded()
        if self.sql or not self.parquet:
            return loaded
        out = {}
        for (report, slice_key), starts in loaded.items():
            have = self.parquet.unit_files(main_table(report))
            out[(report, slice_key)] = [s for s in starts if unit_id(report, slice_key, s) in have]
        return out

    def missing(self, units: Iterable[tuple[str, str, dt.datetime]]) -> set[tuple]:
        """Of units the state counts as loaded ((report, slice key, window start)), those a
        Parquet folder lacks: it holds a unit while its main table's file is there."""
        if not self.parquet or not self.sql:  # Parquet alone: its state is checked on open
            return set()
        have: dict[str, set[str]] = {}
        out = set()
        for report, slice_key, start in units:
            table = main_table(report)
            if table not in have:
                have[table] = self.parquet.unit_files(table)
            if unit_id(report, slice_key, start) not in have[table]:
                out.add((report, slice_key, start))
        return out

    def forget(self, units) -> None:
        """Forget these units' state ((report, slice key, window start)): the next run loads
        them again."""
        if self.sql:
            self.sql.forget(units)
        else:
            self._json_state().forget_units(units)

    def frame(self, table: str, columns: Sequence[str]):
        """Columns of a loaded table (from SQL when configured, else Parquet), or None."""
        if self.sql:
            return self.sql.frame(table, columns)
        return self.parquet.frame(table, columns) if self.parquet else None

    def probes(self) -> list[tuple[str, Callable[[], str]]]:
        """Each destination and what checks it takes files or tables (nothing left behind)."""
        named = [("parquet", self.parquet), ("sql", self.sql), ("archive", self.archive)]
        return [(name, d.probe) for name, d in named if d is not None]

    # --- config fingerprints ------------------------------------------------------------------

    def _changed(
        self, reports: Sequence[str]
    ) -> list[tuple[SqlDestination | ParquetDestination, dict[str, Any], dict[str, list[str]]]]:
        """Per destination: its stored fingerprints and the reports whose settings changed
        while it holds their windows (report → what changed)."""
        configured = {rc.name: rc for rc in self.config.reports}
        wanted = {r: fingerprint(self.config, configured[r]) for r in reports}
        out = []
        for dest in (d for d in (self.sql, self.parquet) if d is not None):
            stored = dest.fingerprints()
            changed = {
                r: changes(stored[r], fp)
                for r, fp in wanted.items()
                if r in stored and stored[r] != fp and self._holds(dest, r)
            }
            out.append((dest, stored, changed))
        return out

    def check_config(self, reports: Sequence[str], rebuild: bool = False) -> None:
        """Refuse a run whose config changed what a loaded report's windows hold: one
        ConfigError, before any request or write. ``rebuild`` (--full-refresh) allows it."""
        if rebuild:
            return
        for _dest, _stored, changed in self._changed(reports):
            if changed:
                report, diff = next(iter(changed.items()))
                more = f" (and {len(changed) - 1} more reports)" if len(changed) > 1 else ""
                raise ConfigError(
                    f"config: {'; '.join(diff)} since {report} was loaded{more}; the windows "
                    "already loaded would mix with new ones. Choose: --full-refresh (reload "
                    "those reports with the new settings), or another destination or schema"
                )

    def adopt_config(self, reports: Sequence[str], rebuild: bool = False) -> list[str]:
        """Record this run's settings as what the destinations hold, clearing first the
        reports whose settings changed (``rebuild``). The reports that left the config since
        the last run are returned, said once, and forgotten."""
        self.check_config(reports, rebuild)
        configured = {rc.name for rc in self.config.reports}
        wanted = {r: fingerprint(self.config, self.config.report(r)) for r in reports}
        removed: set[str] = set()
        for dest, stored, changed in self._changed(reports):
            if changed:
                self._clear(dest, list(changed))
            removed |= {r for r in stored if r not in configured}
            keep = {r: fp for r, fp in stored.items() if r in configured and r not in wanted}
            dest.save_fingerprints({**keep, **wanted})
        return sorted(removed)

    def _holds(self, dest, report: str) -> bool:
        """Whether ``dest`` holds any loaded window of ``report``."""
        if dest is self.sql and self.sql is not None:
            return any(r == report for r, _ in self.sql.loaded())
        return bool(dest.unit_files(main_table(report)))

    def _clear(self, dest, reports: Sequence[str]) -> None:
        """Delete every loaded window of ``reports`` in ``dest`` (rows and state)."""
        from ..normalize import tables_of

        tables = {r: [t.name for t in tables_of(r)] for r in reports}
        if isinstance(dest, SqlDestination):
            dest.clear_reports(tables)
        else:
            dest.clear_tables(n for names in tables.values() for n in names)
            if not self.sql:
                self._json_state().forget(reports)

    # --- writing ------------------------------------------------------------------------------

    def commit(self, batch: list[UnitData], run_id: str) -> None:
        """Make a batch of units durable with their state (their Parquet files are written)."""
        if self.sql:
            to_sql = [u for u in batch if SQL in u.targets]
            if to_sql:
                self.sql.load_units(to_sql, run_id)
        else:
            self._json_state().mark_many(batch, run_id)

    def _json_state(self) -> JsonState:
        """The state of a Parquet-only destination (``_state.json``)."""
        assert isinstance(self.state, JsonState)
        return self.state

    def write_snapshot(self, tables: Mapping[str, pa.Table]) -> None:
        if self.parquet:
            self.parquet.write_snapshot(tables)
        if self.sql:
            self.sql.replace_snapshot(tables)

    def log_run(self, run_id: str, values: dict) -> None:
        if self.sql:
            self.sql.log_run(run_id, **values)
        elif self.parquet and "finished_at" in values:
            line = {
                k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                for k, v in {"run_id": run_id, **values}.items()
            }
            runs = Path(self.parquet.url) / "_runs.jsonl"  # (no SQL: a local folder)
            old = runs.read_bytes() if runs.exists() else b""
            atomic_write_bytes(runs, old + json.dumps(line).encode() + b"\n")
