"""The raw archive: every report answer as received, one compressed file per unit.

``destinations.archive.path`` keeps, for each unit (report, slice, window), the bodies of the
request that loaded it (all its pages), with each request's path and parameters, status, the
``X-RateLimit-*`` headers and the time it arrived; never a token. Files are zstd-compressed
JSON, written under a temporary name and renamed, and fsynced before the unit's state moves:
``hs-extract rebuild`` remakes the tables from them with no API request. The lists a run read
(users, teams, mailboxes, tags) are archived beside, for the dimension tables.

Layout: ``<path>/<report>/<window_date>/<unit id>.json.zst`` and ``<path>/_lists/<run>.json.zst``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from .. import failpoints
from ..errors import LoadError, StateError
from .parquet import unit_id
from .storage import TMP_PREFIX, fsync_dir, probe_folder

__all__ = ["FORMAT", "Archive"]

FORMAT = 1
SUFFIX = ".json.zst"
CODEC = "zstd"


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class Archive:
    """The archive under ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    def prepare(self) -> None:
        """Check the folder is writable; remove temporary files a crash left behind."""
        self.probe(create=True)
        for tmp in self.path.rglob(f"{TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def probe(self, create: bool = False) -> str:
        """Whether the folder takes files (nothing is left behind); LoadError if not."""
        return probe_folder(self.path, "archive", "destinations.archive.path", create)

    def unit_file(self, report: str, slice_key: str, start: dt.datetime, label: str) -> Path:
        return self.path / report / label / (unit_id(report, slice_key, start) + SUFFIX)

    def write_unit(self, record: dict) -> None:
        """Store one unit's record (report, slice, window, requests …), durably."""
        start = dt.datetime.fromisoformat(record["window_start"])
        final = self.unit_file(record["report"], record["slice"], start, record["window_date"])
        self.write_file(final, {"format": FORMAT, **record})

    def write_lists(self, run_id: str, listings: dict) -> None:
        self.write_file(self.path / "_lists" / (run_id + SUFFIX), {"format": FORMAT, **listings})

    @staticmethod
    def write_file(final: Path, record: dict) -> None:
        """Write one record at ``final``: zstd JSON, via a fsynced temporary file and a rename
        (the notebook's answer cache writes its files so too)."""
        data = json.dumps(record, default=_default, ensure_ascii=False).encode()
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}{SUFFIX}")
            with pa.OSFile(str(tmp), "wb") as raw, pa.CompressedOutputStream(raw, CODEC) as out:
                out.write(data)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            failpoints.hit("archive.temp_written")
            os.replace(tmp, final)
            fsync_dir(final.parent)
        except OSError as exc:
            raise LoadError(f"archive: cannot write {final}: {exc}") from None

    @staticmethod
    def read(path: Path) -> dict:
        """One archived record; StateError naming the file when it can't be read."""
        try:
            with pa.OSFile(str(path), "rb") as raw, pa.CompressedInputStream(raw, CODEC) as src:
                record = json.loads(src.read())
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise StateError(f"archive: {path} is unreadable ({exc})") from None
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise StateError(f"archive: {path} is not an hs_extract archive file of format 1")
        return record

    def units(self, reports=None) -> Iterator[Path]:
        """Every unit file (of ``reports``)."""
        for folder in (
            sorted(p for p in self.path.iterdir() if p.is_dir()) if self.path.exists() else []
        ):
            if folder.name.startswith("_") or (reports and folder.name not in reports):
                continue
            yield from sorted(folder.glob(f"*/unit-*{SUFFIX}"))

    def latest_lists(self) -> dict | None:
        """The last run's archived lists (users, teams, mailboxes, tags), or None."""
        files = sorted((self.path / "_lists").glob(f"*{SUFFIX}"))
        return self.read(files[-1]) if files else None
