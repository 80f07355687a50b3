"""How far a run has come and how long the rest takes: counted in requests, not units.

Units are a poor clock: a time-series request loads up to 60 day windows at once, a drilldown
window may take twenty pages. A run's work is its planned requests plus the pages after the
first that paginated reports announce; pages not yet announced are estimated from the pages
per paginated request seen so far. The ETA is the requests left over the rate measured in
the last minutes, so at a steady rate it converges instead of drifting up as the cheap units
finish first (0.1 rose from 57 to 343 minutes at a steady 200 requests/min).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Pace"]

#: seconds of history the rate is measured over (long enough to smooth a 429 pause)
WINDOW = 300.0


@dataclass
class Pace:
    """Live counts of a run's requests, updated by its threads; ``left()`` and ``eta()`` read
    them. ``clock`` is injectable for tests (monotonic seconds)."""

    planned: int
    paginated: int
    clock: Callable[[], float] = time.monotonic
    finished: int = 0  # planned requests answered (or failed: they are not retried this run)
    started_pages: int = 0  # paginated requests whose first page told how many pages follow
    announced: int = 0  # the pages after the first that those announced
    fetched_more: int = 0  # of which fetched
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _samples: deque[tuple[float, int]] = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        self._samples.append((self.clock(), 0))

    def request_done(self) -> None:
        with self._lock:
            self.finished += 1
            self._sample()

    def first_page(self, pages: int) -> None:
        """A paginated request's first page arrived, announcing ``pages`` in all."""
        with self._lock:
            self.started_pages += 1
            self.announced += max(0, pages - 1)

    def more_page(self) -> None:
        with self._lock:
            self.fetched_more += 1
            self._sample()

    @property
    def done(self) -> int:
        """Requests made for report pages: planned ones finished, and pages after the first."""
        return self.finished + self.fetched_more

    def left(self) -> int:
        """Requests still to make: planned ones not finished, announced pages not fetched,
        and the pages the paginated requests not started will announce (at the rate seen)."""
        with self._lock:
            unseen = self.paginated - self.started_pages
            per = self.announced / self.started_pages if self.started_pages else 0.0
            expected = round(per * max(0, unseen))
            return (
                max(0, self.planned - self.finished)
                + max(0, self.announced - self.fetched_more)
                + expected
            )

    def rate(self) -> float | None:
        """Requests per second over the last ``WINDOW`` seconds (None: too soon to say)."""
        with self._lock:
            self._sample()
            (t0, n0), (t1, n1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 5 or n1 == n0:
            return None
        return (n1 - n0) / (t1 - t0)

    def eta(self) -> float | None:
        """Seconds until the run's requests are made, at the rate measured (None: unknown)."""
        rate = self.rate()
        return None if rate is None else self.left() / rate

    def _sample(self) -> None:
        now = self.clock()
        self._samples.append((now, self.finished + self.fetched_more))
        while len(self._samples) > 2 and self._samples[1][0] <= now - WINDOW:
            self._samples.popleft()  # keep one sample at or before the window's start
