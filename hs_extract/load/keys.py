"""The names of a unit (report, slice, window) in the destinations: its Parquet and archive
file stem, and its id in the SQL tables. Pure and light."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Protocol

__all__ = ["unit_id", "unit_key"]


def unit_id(report: str, slice_key: str, window_start: dt.datetime) -> str:
    """Stable file name stem of a unit."""
    text = f"{report}|{slice_key}|{window_start.isoformat()}"
    return "unit-" + hashlib.sha1(text.encode()).hexdigest()[:20]


class _Unit(Protocol):
    @property
    def report(self) -> str: ...
    @property
    def slice_key(self) -> str: ...
    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]: ...


def unit_key(u: _Unit) -> int:
    """Signed 64-bit id of a unit (report, slice, window start): its rows' ``_unit``."""
    text = f"{u.report}|{u.slice_key}|{u.window[0].isoformat()}".encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)
