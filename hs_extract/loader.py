"""The loading stage: one thread commits ready units in batches, state included.

Fetch workers write a unit's Parquet files themselves (each file is atomic), then hand the unit
to this thread through a bounded queue (backpressure keeps memory flat). The thread commits
what is ready together — up to ``BATCH_UNITS`` units or ``BATCH_ROWS`` rows a transaction —
so a backfill does not pay a WAL flush and a COPY start per unit. A batch that fails is retried
unit by unit, so one bad unit cannot sink its neighbours.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator

from .errors import HSExtractError
from .load.sql import UnitData

__all__ = ["BATCH_ROWS", "BATCH_UNITS", "Loader", "batches"]

log = logging.getLogger("hs_extract.load")

BATCH_UNITS = 200
BATCH_ROWS = 100_000
_STOP = object()


def _rows(unit: UnitData) -> int:
    return sum(t.num_rows for t in unit.tables.values())


def batches(
    units: Iterable[UnitData], max_units: int = BATCH_UNITS, max_rows: int = BATCH_ROWS
) -> Iterator[list[UnitData]]:
    """Group units into batches of at most ``max_units`` units and about ``max_rows`` rows."""
    batch: list[UnitData] = []
    rows = 0
    for unit in units:
        n = _rows(unit)
        if batch and (len(batch) >= max_units or rows + n > max_rows):
            yield batch
            batch, rows = [], 0
        batch.append(unit)
        rows += n
    if batch:
        yield batch


class Loader:
    """A thread that commits queued units in batches through ``commit(batch)``."""

    def __init__(
        self,
        commit: Callable[[list[UnitData]], None],
        on_done: Callable[[UnitData], None],
        on_fail: Callable[[UnitData, str], None],
        *,
        depth: int = 16,
    ) -> None:
        self._commit, self._done, self._fail = commit, on_done, on_fail
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._loop, name="hs-loader", daemon=True)
        self._thread.start()

    def put(self, unit: UnitData) -> None:
        """Queue a unit (blocks while the queue is full: backpressure on the fetchers)."""
        self._queue.put(unit)

    def close(self) -> None:
        """Commit what is queued, then stop."""
        self._queue.put(_STOP)
        self._thread.join()

    def _loop(self) -> None:
        stop = False
        while not stop:
            item = self._queue.get()
            if item is _STOP:
                return
            ready = [item]
            rows = _rows(item)
            while len(ready) < BATCH_UNITS and rows < BATCH_ROWS:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                ready.append(more)
                rows += _rows(more)
            self._flush(ready)

    def _flush(self, ready: list[UnitData]) -> None:
        try:
            self._commit(ready)
        except Exception as exc:
            if len(ready) > 1:
                log.debug("batch of %d failed (%s); loading one by one", len(ready), exc)
                for unit in ready:
                    self._flush([unit])
                return
            text = str(exc) if isinstance(exc, HSExtractError) else f"{type(exc).__name__}: {exc}"
            self._fail(ready[0], text.splitlines()[0] if text else type(exc).__name__)
            return
        for unit in ready:
            self._done(unit)
