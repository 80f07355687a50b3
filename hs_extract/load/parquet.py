"""Parquet destination: a dataset per table at ``<path>/<table>/``, hive-partitioned by window.

Each unit (report, slice, window) owns exactly one file per table:
``<path>/<table>/window_date=<local date>/<unit id>.parquet``. It is written under a hidden
temporary name and renamed over the old one, so a crash never leaves a half-written file where
readers look (pyarrow and pandas skip names starting with ``.``), and a re-run replaces instead
of duplicating. Empty units write empty files, so every table can be read with its schema.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import failpoints
from ..errors import LoadError
from ..normalize.schema import TableSpec
from .sql_schema import LAYOUT

__all__ = ["ParquetDestination", "atomic_write_bytes", "probe_folder", "unit_id"]

TMP_PREFIX = ".tmp-"
#: the layout marker; 0.1 wrote layout 1 and no marker (see sql_schema.LAYOUT)
MARKER = "_hs_extract.json"
SNAPSHOT_FILE = "snapshot.parquet"


def unit_id(report: str, slice_key: str, window_start) -> str:
    """Stable file name stem of a unit."""
    text = f"{report}|{slice_key}|{window_start.isoformat()}"
    return "unit-" + hashlib.sha1(text.encode()).hexdigest()[:20]


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be opened
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename."""
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def probe_folder(path: Path, what: str, key: str, create: bool = True) -> str:
    """Check a file can be created in ``path`` and removed again (``create``: make the folder
    first; else a folder not made yet is probed at its nearest existing parent, where the
    first run makes it). What was found; LoadError naming the config ``key`` if unwritable."""
    target = Path(path)
    try:
        if create:
            target.mkdir(parents=True, exist_ok=True)
        while not target.exists():
            target = target.parent
        probe = target / f"{TMP_PREFIX}probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise LoadError(
            f"{what}: cannot write to {path}: {exc.strerror}; choose a writable {key}"
        ) from None
    if target == Path(path):
        return f"{path} is writable (a file was created and removed)"
    return f"{path} does not exist yet; {target} is writable (the first run creates it)"


class ParquetDestination:
    """Parquet datasets under ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"ParquetDestination({str(self.path)!r})"

    def prepare(self, specs: Iterable[TableSpec] = (), rebuild: bool = False) -> None:
        """Check the directory is writable and holds this layout (``rebuild``: clear one of
        another layout), and remove temporary files a crash left behind."""
        self.probe(create=True)
        for tmp in self.path.rglob(f"{TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                tmp.unlink()
        found = self.layout()
        if found not in (None, LAYOUT):
            if not rebuild:
                old = "hs_extract 0.1 (layout 1)" if found == 1 else f"layout {found}"
                raise LoadError(
                    f"parquet: {self.path} holds datasets of {old}; this version writes layout "
                    f"{LAYOUT} (typed summaries, __deltas tables, user_overall): run once with "
                    "--full-refresh to clear hs_extract's datasets there and reload them, or "
                    "choose a new destinations.parquet.path"
                )
            self._clear()
        if found != LAYOUT:
            self.save_fingerprints({})

    def probe(self, create: bool = False) -> str:
        """Whether the folder takes files (nothing is left behind); LoadError if not."""
        return probe_folder(self.path, "parquet", "destinations.parquet.path", create)

    def layout(self) -> int | None:
        """The layout the folder holds: None when hs_extract never wrote there."""
        marker = self.path / MARKER
        if marker.exists():
            try:
                return int(json.loads(marker.read_text())["layout"])
            except (OSError, ValueError, KeyError, TypeError):
                return 0
        ours = (self.path / "_state.json").exists() or any(self._datasets())
        return 1 if ours else None

    def _datasets(self) -> list[Path]:
        """Folders holding hs_extract's datasets (unit partitions or a snapshot)."""
        return [
            d
            for d in self.path.iterdir()
            if d.is_dir() and (any(d.glob("window_date=*")) or (d / SNAPSHOT_FILE).exists())
        ]

    def _clear(self) -> None:
        for folder in self._datasets():
            shutil.rmtree(folder)
        with contextlib.suppress(FileNotFoundError):
            (self.path / "_state.json").unlink()

    def write_snapshot(self, tables: Mapping[str, pa.Table]) -> None:
        """Replace dimension tables: one file each, swapped in atomically."""
        for name, table in tables.items():
            folder = self.path / name
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._write_file(table, folder, folder / SNAPSHOT_FILE)
            except OSError as exc:
                raise LoadError(f"parquet: cannot write {name}: {exc}") from None

    def _write_file(self, table: pa.Table, folder: Path, final: Path) -> None:
        tmp = folder / f"{TMP_PREFIX}{uuid.uuid4().hex}.parquet"
        pq.write_table(table, tmp, compression="zstd")
        failpoints.hit("parquet.temp_written")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(folder)

    def write_unit(
        self, uid: str, partition: str, tables: Mapping[str, pa.Table], main: str
    ) -> None:
        """Replace the unit's file in every table's dataset, the ``main`` table's last: its
        file says the unit is whole (:meth:`unit_files`)."""
        order = [n for n in tables if n != main] + [main]
        for name, table in ((n, tables[n]) for n in order):
            folder = self.path / name / f"window_date={partition}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self._write_file(table, folder, folder / f"{uid}.parquet")
                failpoints.hit("parquet.replaced")
            except OSError as exc:
                raise LoadError(f"parquet: cannot write {name} ({partition}): {exc}") from None

    def files(self, table: str) -> list[Path]:
        return sorted((self.path / table).glob("window_date=*/*.parquet"))

    def frame(self, table: str, columns: Sequence[str]):
        """Columns of a loaded dataset as a pandas DataFrame; None when it has no file."""
        import pyarrow.dataset as ds

        files = self.files(table)
        if not files:
            return None
        dataset = ds.dataset(files, format="parquet", schema=pq.read_schema(files[0]))
        return dataset.to_table(columns=list(columns)).to_pandas()

    def unit_files(self, table: str) -> set[str]:
        """Unit ids with a file in ``table`` (a main table's file is written last: whole units)."""
        return {f.stem for f in (self.path / table).glob("window_date=*/unit-*.parquet")}

    # --- what the folder holds: the layout marker, with each report's config fingerprint --------

    def _marker(self) -> dict:
        try:
            return json.loads((self.path / MARKER).read_text())
        except (OSError, ValueError):
            return {}

    def fingerprints(self) -> dict[str, dict]:
        """report → the settings its loaded windows were made with (see fingerprint.py)."""
        return dict(self._marker().get("fingerprints") or {})

    def save_fingerprints(self, fingerprints: Mapping[str, dict]) -> None:
        marker = {"layout": LAYOUT, "fingerprints": dict(fingerprints)}
        atomic_write_bytes(self.path / MARKER, json.dumps(marker, sort_keys=True).encode())

    def clear_tables(self, names: Iterable[str]) -> None:
        """Remove these tables' datasets (a report rebuilt under a changed config)."""
        for name in names:
            folder = self.path / name
            if folder.is_dir():
                shutil.rmtree(folder)
