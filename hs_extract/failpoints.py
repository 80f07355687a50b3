"""Failpoints: named places where a crash test may kill the process, to prove crash safety.

``HS_EXTRACT_FAILPOINT=name:n`` makes the ``n``-th arrival at failpoint ``name`` send SIGKILL
to the process itself: no ``finally``, no flush, no rollback, as when a machine dies. Without
the variable a failpoint is one ``is None`` test. The names are listed in ``POINTS``; the
crash tests (tests/test_crash_points.py) pick among them with a seed.
"""

from __future__ import annotations

import os
import signal
import threading

__all__ = ["POINTS", "hit"]

#: every failpoint, and where it is
POINTS = {
    "parquet.temp_written": "a unit's Parquet file written under its temporary name",
    "parquet.replaced": "a unit's Parquet file renamed into place (its other tables not yet)",
    "sql.deleted": "inside the SQL transaction: old rows deleted, new ones not yet inserted",
    "sql.inserted": "inside the SQL transaction: rows inserted, state not yet moved",
    "sql.before_commit": "inside the SQL transaction: rows and state written, not committed",
    "json_state.before_write": "units' files durable, _state.json not yet rewritten",
    "loader.committed": "a batch committed, the run's counts not yet updated",
    "archive.temp_written": "a unit's archive file written and fsynced, not yet renamed",
}


def _armed() -> tuple[str, int] | None:
    spec = os.environ.get("HS_EXTRACT_FAILPOINT")
    if not spec:
        return None
    name, _, n = spec.partition(":")
    if name not in POINTS:
        raise ValueError(f"HS_EXTRACT_FAILPOINT: unknown failpoint {name!r}; known: {list(POINTS)}")
    return name, int(n or 1)


_ARMED = _armed()
_count = 0
_lock = threading.Lock()


def hit(name: str) -> None:
    """Arrive at failpoint ``name``; dies here if it is the armed one's n-th arrival."""
    global _count
    if _ARMED is None or _ARMED[0] != name:
        return
    with _lock:
        _count += 1
        if _count == _ARMED[1]:
            os.kill(os.getpid(), signal.SIGKILL)
