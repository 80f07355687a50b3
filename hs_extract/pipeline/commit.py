"""The loading stage: one thread commits ready units in batches, state included.

Fetch workers write a unit's Parquet files themselves (each file is atomic), then hand the unit
to this thread through a bounded queue (backpressure keeps memory flat). The thread commits
what is ready together — up to ``BATCH_UNITS`` units or ``BATCH_ROWS`` rows a transaction —
so a backfill does not pay a WAL flush and a COPY start per unit. A batch that fails is retried
unit by unit, so one bad unit cannot sink its neighbours. The queue is bounded in rows, and a
:class:`RowBudget` bounds the rows the fetchers hold: memory does not grow with the backfill.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from .. import failpoints, interrupt
from ..errors import DestinationUnavailable, HSExtractError

if TYPE_CHECKING:
    from ..load.sql import UnitData

__all__ = ["BATCH_ROWS", "BATCH_UNITS", "Budget", "Loader", "RowBudget", "batches"]

log = logging.getLogger("hs_extract.load")

BATCH_UNITS = 200
BATCH_ROWS = 50_000  # rows a transaction, and rows waiting for the loader at most


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


class RowBudget:
    """At most ``capacity`` rows held at once by the units in flight (a bigger unit than the
    whole budget still goes, alone). Memory stays flat however many windows a backfill has."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._used = 0
        self._cond = threading.Condition()

    def acquire(self, rows: int) -> int:
        rows = min(max(rows, 0), self.capacity)
        with self._cond:
            while self._used and self._used + rows > self.capacity:
                self._cond.wait()
            self._used += rows
        return rows

    def release(self, rows: int) -> None:
        with self._cond:
            self._used -= rows
            self._cond.notify_all()


class Budget:
    """How much one run may spend (``--max-minutes``, ``--max-requests``); None: no limit."""

    def __init__(self, max_minutes: float | None = None, max_requests: int | None = None) -> None:
        self.max_minutes, self.max_requests = max_minutes, max_requests
        self._stats = None
        self._start = time.monotonic()
        self._first = 0

    def start(self, stats) -> Budget:
        """Count from now, with the client's ``stats`` (requests made so far are free)."""
        self._stats, self._start, self._first = stats, time.monotonic(), stats.requests
        return self

    def spent(self) -> bool:
        """True once either limit is reached: no new unit should start."""
        made = self._stats.requests - self._first if self._stats is not None else 0
        if self.max_requests is not None and made >= self.max_requests:
            return True
        minutes = (time.monotonic() - self._start) / 60
        return self.max_minutes is not None and minutes >= self.max_minutes


class Loader:
    """A thread that commits queued units in batches through ``commit(batch)``."""

    def __init__(
        self,
        commit: Callable[[list[UnitData]], None],
        on_done: Callable[[UnitData], None],
        on_fail: Callable[[UnitData, str], None],
        *,
        max_rows: int = BATCH_ROWS,
    ) -> None:
        self._commit, self._done, self._fail = commit, on_done, on_fail
        self._queue: deque[UnitData] = deque()
        self._queued_rows = 0
        self._max_rows = max_rows
        self._closed = False
        self._down: str | None = None
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="hs-loader", daemon=True)
        self._thread.start()

    def put(self, unit: UnitData) -> None:
        """Queue a unit; blocks while ``max_rows`` rows wait already (backpressure)."""
        rows = _rows(unit)
        with self._cond:
            while self._queue and self._queued_rows + rows > self._max_rows and not self._closed:
                self._cond.wait()
            if self._closed:  # the run ended (interrupted): this unit loads next run
                raise interrupt.Interrupted()
            self._queue.append(unit)
            self._queued_rows += rows
            self._cond.notify_all()

    def close(self) -> None:
        """Commit what is queued, then stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join()

    def _take(self) -> list[UnitData] | None:
        """The next batch: what is queued, up to the batch limits (None when closed and empty)."""
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if not self._queue:
                return None
            ready: list[UnitData] = []
            rows = 0
            while self._queue and len(ready) < BATCH_UNITS:
                n = _rows(self._queue[0])
                if ready and rows + n > BATCH_ROWS:
                    break
                ready.append(self._queue.popleft())
                rows += n
            return ready

    def _loop(self) -> None:
        while (ready := self._take()) is not None:
            try:
                self._flush(ready)
            finally:
                with self._cond:
                    self._queued_rows -= sum(_rows(u) for u in ready)
                    self._cond.notify_all()

    @property
    def down(self) -> str | None:
        """Why the destination stopped answering (every later unit fails at once), or None."""
        return self._down

    def _flush(self, ready: list[UnitData]) -> None:
        if self._down:
            for unit in ready:
                self._fail(unit, self._down)
            return
        try:
            self._commit(ready)
        except DestinationUnavailable as exc:  # no use trying unit by unit, or the next batch
            self._down = str(exc).splitlines()[0]
            log.warning("%s; the units not loaded yet load next run", self._down)
            for unit in ready:
                self._fail(unit, self._down)
            return
        except Exception as exc:
            if len(ready) > 1:
                log.debug("batch of %d failed (%s); loading one by one", len(ready), exc)
                for unit in ready:
                    self._flush([unit])
                return
            text = str(exc) if isinstance(exc, HSExtractError) else f"{type(exc).__name__}: {exc}"
            self._fail(ready[0], text.splitlines()[0] if text else type(exc).__name__)
            return
        failpoints.hit("loader.committed")
        for unit in ready:
            self._done(unit)
