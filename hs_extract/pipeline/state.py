"""Incremental state: ``_state.json`` for a Parquet-only destination, and what each holds.

With a SQL destination, state is its ``_hs_extract_state`` table, moved in the same transaction
as the rows. Without one, it is ``<path>/_state.json``, rewritten atomically after the units'
files are durable. Either way a unit only counts as loaded in a Parquet folder while its main
table's file is there (written last), so a folder that lost its files gets them back.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from .. import failpoints
from ..errors import StateError
from ..load.storage import atomic_write_bytes

__all__ = ["JsonState"]


class JsonState:
    """Incremental state in ``<path>/_state.json`` when there is no SQL destination."""

    def __init__(self, path: Path) -> None:
        self.file = Path(path) / "_state.json"
        self._lock = threading.Lock()
        self._units: dict[str, dict] = {}
        if self.file.exists():
            try:
                self._units = _checked(json.loads(self.file.read_text())["units"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StateError(
                    f"state: {self.file} is unreadable ({type(exc).__name__}: {exc}); move it "
                    "away to reload everything"
                ) from None

    @staticmethod
    def _key(report: str, slice_key: str, start: str) -> str:
        return f"{report}|{slice_key}|{start}"

    def mark_many(self, units, run_id: str) -> None:
        """Record units as loaded (after their files are durable), in one atomic write."""
        loaded_at = dt.datetime.now(dt.UTC).isoformat()
        with self._lock:
            for u in units:
                start, end = u.window[0].isoformat(), u.window[1].isoformat()
                self._units[self._key(u.report, u.slice_key, start)] = {
                    "report": u.report,
                    "slice": u.slice_key,
                    "window_start": start,
                    "window_end": end,
                    "rows": u.rows,
                    "expected_rows": u.expected,
                    "pages": u.pages,
                    "extracted_at": u.extracted_at.isoformat() if u.extracted_at else None,
                    "loaded_at": loaded_at,
                    "run_id": run_id,
                }
            self._write()

    def _write(self) -> None:
        failpoints.hit("json_state.before_write")
        data = json.dumps({"version": 1, "units": self._units}, indent=1, sort_keys=True)
        atomic_write_bytes(self.file, data.encode())

    def loaded(self):
        out: dict[tuple[str, str], list] = {}
        for u in self._units.values():
            start = dt.datetime.fromisoformat(u["window_start"])
            out.setdefault((u["report"], u["slice"]), []).append(start)
        return out

    def state_rows(self, report: str | None = None) -> list[dict]:
        rows = sorted(
            self._units.values(), key=lambda u: (u["report"], u["slice"], u["window_start"])
        )
        return [r for r in rows if not report or r["report"] == report]

    def reset(self, reports=None, start=None, end=None) -> int:
        """Forget loaded windows (of ``reports``, starting in [start, end)); how many."""

        def chosen(u: dict) -> bool:
            when = dt.datetime.fromisoformat(u["window_start"])
            return (
                (not reports or u["report"] in reports)
                and (start is None or when >= start)
                and (end is None or when < end)
            )

        with self._lock:
            gone = [k for k, u in self._units.items() if chosen(u)]
            for k in gone:
                del self._units[k]
            self._write()
        return len(gone)

    def forget_units(self, units) -> None:
        """Drop these units ((report, slice key, window start))."""
        with self._lock:
            for report, slice_key, start in units:
                self._units.pop(self._key(report, slice_key, start.isoformat()), None)
            self._write()

    def forget(self, reports) -> None:
        """Drop every unit of ``reports`` (their data was cleared)."""
        with self._lock:
            self._units = {k: u for k, u in self._units.items() if u["report"] not in reports}
            self._write()


#: every unit of _state.json has these, of these types
UNIT_FIELDS = {"report": str, "slice": str, "window_start": str, "window_end": str, "rows": int}


def _checked(units) -> dict[str, dict]:
    """The units of a ``_state.json``, or ValueError saying what is wrong with them."""
    if not isinstance(units, dict):
        raise ValueError(f"units is a {type(units).__name__}, not a mapping")
    for key, unit in units.items():
        if not isinstance(unit, dict):
            raise ValueError(f"unit {key!r} is a {type(unit).__name__}, not a mapping")
        for name, kind in UNIT_FIELDS.items():
            if not isinstance(unit.get(name), kind):
                raise ValueError(f"unit {key!r}: {name} is missing or not {kind.__name__}")
        dt.datetime.fromisoformat(unit["window_start"])
    return units
