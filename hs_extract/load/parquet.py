"""Parquet destination: a dataset per table at ``<path>/<table>/``, hive-partitioned by window.

``path`` is a local folder or a bucket (``s3://…``, ``gs://…``, ``abfs://…``), one code path
through :class:`~.storage.Location`. Each unit (report, slice, window) owns exactly one file per
table: ``<path>/<table>/window_date=<local date>/<unit id>.parquet``. It is written whole (on
disk under a hidden temporary name, renamed over the old one; in a bucket by one upload to its
final key), so a crash never leaves a half-written file where readers look, and a re-run
replaces the unit's file at the same name instead of adding one. Empty units write empty
files, so every table can be read with its schema.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import failpoints
from ..errors import LoadError
from ..normalize.schema import TableSpec
from .keys import unit_id
from .location import Location
from .sql_schema import LAYOUT, changes_since
from .storage import TMP_PREFIX, probe_folder

__all__ = ["ParquetDestination", "unit_id"]

#: the layout marker; 0.1 wrote layout 1 and no marker (see sql_schema.LAYOUT)
MARKER = "_hs_extract.json"
SNAPSHOT_FILE = "snapshot.parquet"
PARTITION = "window_date="


class ParquetDestination:
    """Parquet datasets under ``path`` (a folder or a bucket prefix). ``owner`` names the
    state destination that keeps a bucket's state: a bucket has no lock that dies with its
    process, so one prefix answers to one SQL destination, whose lock covers both."""

    def __init__(self, path: str | Path, owner: str | None = None) -> None:
        self.loc = Location(path)
        self.local: Path | None = self.loc.local
        self.url = self.loc.url
        self.owner = owner

    def __repr__(self) -> str:
        return f"ParquetDestination({self.url!r})"

    def prepare(self, specs: Iterable[TableSpec] = (), rebuild: bool = False) -> None:
        """Check the folder takes files and holds this layout (``rebuild``: clear one of
        another layout), and remove temporary files a crash left behind."""
        self.probe(create=True)
        if self.local is not None:
            for tmp in self.local.rglob(f"{TMP_PREFIX}*"):
                tmp.unlink(missing_ok=True)
        marker = self._marker()
        kept_by = marker.get("state")
        if self.owner and kept_by and kept_by != self.owner:
            raise LoadError(
                f"parquet: {self.url} is kept with the state in {kept_by}, not {self.owner}: "
                "two state destinations could both load one prefix at once. Use that "
                "destinations.sql, or another destinations.parquet.path"
            )
        found = self.layout()
        if found not in (None, LAYOUT):
            if not rebuild:
                old = "hs_extract 0.1 (layout 1)" if found == 1 else f"layout {found}"
                raise LoadError(
                    f"parquet: {self.url} holds datasets of {old}; this version writes layout "
                    f"{LAYOUT} ({changes_since(found)}): run once with "
                    "--full-refresh to clear hs_extract's datasets there and reload them, or "
                    "choose a new destinations.parquet.path"
                )
            self._clear()
        if found != LAYOUT or (self.owner and not kept_by):
            self.save_fingerprints({} if found != LAYOUT else self.fingerprints())

    def probe(self, create: bool = False) -> str:
        """Whether the folder takes files (nothing is left behind); LoadError if not."""
        if self.local is not None:
            return probe_folder(self.local, "parquet", "destinations.parquet.path", create)
        probe = f"{TMP_PREFIX}probe-{uuid.uuid4().hex}"
        self.loc.write_bytes(probe, b"")
        self.loc.remove(probe)
        return f"{self.url} is writable (an object was written and removed)"

    def layout(self) -> int | None:
        """The layout the folder holds: None when hs_extract never wrote there."""
        data = self.loc.read_bytes(MARKER)
        if data is not None:
            try:
                return int(json.loads(data)["layout"])
            except (ValueError, KeyError, TypeError):
                return 0
        ours = self.loc.exists("_state.json") or any(self._datasets())
        return 1 if ours else None

    def _datasets(self) -> list[str]:
        """Folders holding hs_extract's datasets (unit partitions or a snapshot)."""
        out = set()
        for rel in self.loc.files():
            parts = rel.split("/")
            if (len(parts) == 2 and parts[1] == SNAPSHOT_FILE) or (
                len(parts) == 3 and parts[1].startswith(PARTITION)
            ):
                out.add(parts[0])
        return sorted(out)

    def _clear(self) -> None:
        for folder in self._datasets():
            self.loc.remove_dir(folder)
        self.loc.remove("_state.json")

    def write_snapshot(self, tables: Mapping[str, pa.Table]) -> None:
        """Replace dimension tables: one file each, swapped in whole."""
        for name, table in tables.items():
            self._write_file(table, f"{name}/{SNAPSHOT_FILE}", name)

    def _write_file(self, table: pa.Table, rel: str, what: str) -> None:
        buf = pa.BufferOutputStream()
        pq.write_table(table, buf, compression="zstd")
        try:
            self.loc.write_bytes(rel, buf.getvalue(), hook="parquet.temp_written")
        except OSError as exc:
            raise LoadError(f"parquet: cannot write {what}: {exc}") from None

    def write_unit(
        self, uid: str, partition: str, tables: Mapping[str, pa.Table], main: str
    ) -> None:
        """Replace the unit's file in every table's dataset, the ``main`` table's last: its
        file says the unit is whole (:meth:`unit_files`)."""
        order = [n for n in tables if n != main] + [main]
        for name, table in ((n, tables[n]) for n in order):
            rel = f"{name}/{PARTITION}{partition}/{uid}.parquet"
            self._write_file(table, rel, f"{name} ({partition})")
            failpoints.hit("parquet.replaced")

    def files(self, table: str) -> list[str]:
        """The table's unit files, relative to the location."""
        return [
            rel
            for rel in self.loc.files(table)
            if rel.count("/") == 2
            and rel.split("/")[1].startswith(PARTITION)
            and rel.endswith(".parquet")
            and not rel.rsplit("/", 1)[1].startswith(TMP_PREFIX)
        ]

    def frame(self, table: str, columns: Sequence[str]):
        """Columns of a loaded dataset as a pandas DataFrame; None when it has no file."""
        import pyarrow.dataset as ds

        files = self.files(table)
        if not files:
            return None
        fs, _ = self.loc.filesystem()
        keys = [self.loc.key(f) for f in files]
        schema = pq.read_schema(keys[0], filesystem=fs)
        dataset = ds.dataset(keys, format="parquet", schema=schema, filesystem=fs)
        return dataset.to_table(columns=list(columns)).to_pandas()

    def unit_files(self, table: str) -> set[str]:
        """Unit ids with a file in ``table`` (a main table's file is written last: whole units)."""
        names = (f.rsplit("/", 1)[1] for f in self.files(table))
        return {n[: -len(".parquet")] for n in names if n.startswith("unit-")}

    # --- what the folder holds: the layout marker, with each report's config fingerprint --------

    def _marker(self) -> dict:
        data = self.loc.read_bytes(MARKER)
        try:
            return json.loads(data) if data else {}
        except ValueError:
            return {}

    def fingerprints(self) -> dict[str, dict]:
        """report → the settings its loaded windows were made with (see fingerprint.py)."""
        return dict(self._marker().get("fingerprints") or {})

    def save_fingerprints(self, fingerprints: Mapping[str, dict]) -> None:
        marker = {"layout": LAYOUT, "fingerprints": dict(fingerprints)}
        if self.owner:
            marker["state"] = self.owner
        self.loc.write_bytes(MARKER, json.dumps(marker, sort_keys=True).encode())

    def clear_tables(self, names: Iterable[str]) -> None:
        """Remove these tables' datasets (a report rebuilt under a changed config)."""
        for name in names:
            self.loc.remove_dir(name)
