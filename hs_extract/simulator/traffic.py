"""What the simulator's callers meet besides payloads: faults, the rate window, the log."""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

__all__ = ["FAULT_KINDS", "Entry", "Faults", "RateWindow", "RequestLog"]

FAULT_KINDS = ("500", "503", "reset", "truncate", "cutjson", "429")


@dataclass(frozen=True)
class Faults:
    """What goes wrong, and how often. Decisions are a pure function of the seed, the request
    and how many times that same request was made before: reproducible under any threading."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    #: report paths below /v2/reports/ answered 403 "Access denied" (a plan without them)
    deny: frozenset[str] = frozenset()
    #: report paths answered 400 as if the API had changed under the client
    reject: frozenset[str] = frozenset()
    #: fraction of requests answered only after ``slow_seconds`` (past a client's timeout)
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    #: a "429" fault answers this many requests in a row with 429
    burst: int = 3


@dataclass
class Entry:
    at: float
    method: str
    path: str
    query: dict
    status: int
    fault: str | None = None


@dataclass
class RequestLog:
    """Every request the simulator received, for tests to inspect."""

    entries: list[Entry] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: Entry) -> None:
        with self.lock:
            self.entries.append(entry)

    def snapshot(self) -> list[Entry]:
        with self.lock:
            return list(self.entries)

    def count(self, prefix: str = "", status: int | None = None) -> int:
        return sum(
            1
            for e in self.snapshot()
            if e.path.startswith(prefix) and (status is None or e.status == status)
        )

    @property
    def served_429(self) -> int:
        return self.count(status=429)

    def max_in_window(self, window: float = 60.0) -> int:
        """Most requests received in any rolling window (429 answers excluded)."""
        times = sorted(e.at for e in self.snapshot() if e.status != 429)
        worst, lo = 0, 0
        for hi, t in enumerate(times):
            while times[lo] <= t - window:
                lo += 1
            worst = max(worst, hi - lo + 1)
        return worst

    def by_path(self) -> Counter:
        return Counter(e.path for e in self.snapshot())

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class RateWindow:
    """The account's rolling-window rate limit, as the API enforces it."""

    def __init__(self, limit: int, window: float, others: int = 0) -> None:
        self.limit, self.window, self.others = limit, window, others
        self.times: deque[float] = deque()
        self.lock = threading.Lock()

    def take(self, cost: int) -> tuple[bool, int, int]:
        """(allowed, remaining, retry_after seconds)."""
        with self.lock:
            now = time.monotonic()
            while self.times and self.times[0] <= now - self.window:
                self.times.popleft()
            used = len(self.times) + self.others
            if used + cost > self.limit:
                wait = self.times[0] + self.window - now if self.times else self.window
                return False, 0, max(1, math.ceil(wait))
            self.times.extend([now] * cost)
            return True, self.limit - used - cost, 0
