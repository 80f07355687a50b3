"""The raw archive: every report answer as received, one compressed file per unit, per account.

``destinations.archive.path`` keeps, for each unit (report, slice, window), the bodies of the
request that loaded it (all its pages), with each request's path and parameters, status, the
``X-RateLimit-*`` headers and the time it arrived; never a token. Files are zstd-compressed
JSON, written under a temporary name and renamed, and fsynced before the unit's state moves:
``hs-extract rebuild`` remakes the tables from them with no API request. The lists a run read
(users, teams, mailboxes, tags) are archived beside, for the dimension tables.

Everything lives under the account's folder (:func:`~hs_extract.api.auth.account_id`: a hash
of the base URL and the client id, never the secret), and every record names its account, so
two accounts sharing a folder never read or overwrite each other's answers.

Layout: ``<path>/<account>/<report>/<window_date>/<unit id>.json.zst`` and
``<path>/<account>/_lists/<run>.json.zst``. hs_extract 0.1 wrote ``<path>/<report>/…`` with
no account: :meth:`Archive.legacy` finds such folders, and ``rebuild`` names them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..api.catalog import REPORTS
from ..errors import LoadError, StateError
from .keys import unit_id
from .storage import TMP_PREFIX, atomic_write_bytes, probe_folder

__all__ = ["FORMAT", "SUFFIX", "Archive", "read_record", "write_record"]

#: the record format: 2 names its account (0.1 wrote 1, without)
FORMAT = 2
SUFFIX = ".json.zst"
CODEC = "zstd"
LISTS = "_lists"


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def write_record(final: Path, record: dict, *, private: bool = False) -> None:
    """Write one record at ``final``: zstd JSON, via a fsynced temporary file and a rename;
    nothing is left behind when it fails (``private``: 0600 files in 0700 folders, for the
    notebook's cache). LoadError naming the file."""
    import pyarrow as pa

    data = json.dumps(record, default=_default, ensure_ascii=False).encode()
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, CODEC) as out:
        out.write(data)
    try:
        _folders(final.parent, 0o700 if private else 0o777)
        atomic_write_bytes(
            final,
            sink.getvalue().to_pybytes(),
            hook="archive.temp_written",
            mode=0o600 if private else 0o666,
        )
    except OSError as exc:
        raise LoadError(f"archive: cannot write {final}: {exc.strerror or exc}") from None


def _folders(path: Path, mode: int) -> None:
    """``mkdir -p`` where every folder made gets ``mode`` (Path.mkdir gives the parents the
    default mode)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another thread
            folder.mkdir(mode=mode)


def read_record(path: Path) -> dict:
    """One archived record; StateError naming the file when it can't be read."""
    import pyarrow as pa

    try:
        with pa.OSFile(str(path), "rb") as raw, pa.CompressedInputStream(raw, CODEC) as src:
            record = json.loads(src.read())
    except (OSError, ValueError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StateError(f"archive: {path} is unreadable ({reason})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise StateError(f"archive: {path} is not an hs_extract archive file of format {FORMAT}")
    return record


class Archive:
    """The archive of one account under ``path``."""

    def __init__(self, path: Path, account: str) -> None:
        self.path = Path(path)
        self.account = account
        #: where this account's files are
        self.root = self.path / account

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r}, {self.account!r})"

    def prepare(self) -> None:
        """Check the folder is writable; remove temporary files a crash left behind."""
        self.probe(create=True)
        for tmp in self.root.rglob(f"{TMP_PREFIX}*") if self.root.exists() else ():
            with contextlib.suppress(OSError):
                tmp.unlink()

    def probe(self, create: bool = False) -> str:
        """Whether the folder takes files (nothing is left behind); LoadError if not."""
        return probe_folder(self.path, "archive", "destinations.archive.path", create)

    def legacy(self) -> list[Path]:
        """Folders of hs_extract 0.1's layout (``<path>/<report>``, ``<path>/_lists``): their
        files name no account, so nothing reads them."""
        if not self.path.is_dir():
            return []
        known = {*REPORTS, LISTS}
        return sorted(p for p in self.path.iterdir() if p.is_dir() and p.name in known)

    def unit_file(self, report: str, slice_key: str, start: dt.datetime, label: str) -> Path:
        return self.root / report / label / (unit_id(report, slice_key, start) + SUFFIX)

    def write_unit(self, record: dict) -> None:
        """Store one unit's record (report, slice, window, requests …), durably."""
        start = dt.datetime.fromisoformat(record["window_start"])
        final = self.unit_file(record["report"], record["slice"], start, record["window_date"])
        write_record(final, {"format": FORMAT, "account": self.account, **record})

    def write_lists(self, run_id: str, listings: dict) -> None:
        record = {"format": FORMAT, "account": self.account, **listings}
        write_record(self.root / LISTS / (run_id + SUFFIX), record)

    def read(self, path: Path) -> dict:
        """One record of this account; StateError naming the file otherwise."""
        record = read_record(path)
        if record.get("account") != self.account:
            raise StateError(f"archive: {path} is an answer of another account: not used")
        return record

    def units(self, reports: Iterable[str] | None = None) -> list[Path]:
        """Every unit file of this account (of ``reports``)."""
        if not self.root.is_dir():
            return []
        wanted = set(reports) if reports else None
        out = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            if folder.name.startswith("_") or (wanted and folder.name not in wanted):
                continue
            out += sorted(folder.glob(f"*/unit-*{SUFFIX}"))
        return out

    def latest_lists(self) -> dict | None:
        """The lists the last run of this account archived (users, teams, mailboxes, tags),
        or None; StateError when that file is damaged."""
        files = sorted((self.root / LISTS).glob(f"*{SUFFIX}"))
        if not files:
            return None
        record = self.read(files[-1])
        return {k: v for k, v in record.items() if k not in ("format", "account")}
