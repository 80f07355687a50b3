"""A proactive rate limiter shared by every thread of one client.

Help Scout counts requests per account in a rolling minute (reference §2). The limiter keeps
at most ``budget`` requests in any rolling ``window`` of time, where a request counts from the
moment it is sent until ``window`` seconds after its response arrived. The server receives a
request somewhere between those two instants, so no window the server can draw holds more than
``budget`` of our requests: the limit is respected without knowing network delays.

It lowers itself from the response headers: ``X-RateLimit-Limit-Minute`` caps the budget and a
``X-RateLimit-Remaining-Minute`` lower than our own count means another app shares the account:
its use is estimated from every answer and left free while the estimate is fresh.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import interrupt

__all__ = ["LimiterStats", "RateLimiter", "workers_for_budget"]


def workers_for_budget(per_minute: float) -> int:
    """Requests in flight for a budget of ``per_minute``: enough to use it all with answers as
    slow as 2 s, 4 to 32 (the limiter, not the pool, sets the pace). The run and the notebook
    client share this rule."""
    return max(4, min(32, math.ceil(per_minute / 60 * 2)))


@dataclass
class LimiterStats:
    """What the limiter did: how often and how long callers waited."""

    waits: int = 0
    wait_seconds: float = 0.0
    others: int = 0  # requests of other apps in the account's window, last seen
    #: the account's limit as the last answer said it (X-RateLimit-Limit-Minute), or None
    limit: int | None = None


@dataclass(eq=False)
class _Sent:
    """One request as the limiter saw it, kept two windows to read later answers' headers."""

    sent: float
    cost: int
    upto: int  # the cost of every request sent so far, this one included: sums by bisection
    done: float | None = None  # when it was answered (or failed)
    remaining: int | None = field(default=None)  # what its answer said was left


def _done(record: _Sent) -> float:
    """When an answered request was answered (every record in ``_answered`` has it)."""
    assert record.done is not None
    return record.done


class RateLimiter:
    """At most ``budget`` requests in any rolling window, across threads."""

    def __init__(
        self,
        per_minute: float = 400,
        share: float = 1.0,
        *,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = interrupt.sleep,
    ) -> None:
        if per_minute <= 0 or not 0 < share <= 1:
            raise ValueError("per_minute must be > 0 and share in (0, 1]")
        self.share = share
        self.window = window
        self.ceiling = max(1, math.floor(per_minute * share))
        self._budget = self.ceiling
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._done: deque[float] = deque()  # completion times, ascending
        # every request of the last two windows by send time, the ones in flight, and the
        # answered ones by answer time: what reading an answer's headers needs
        self._sent: deque[_Sent] = deque()
        self._open: list[_Sent] = []
        self._answered: deque[_Sent] = deque()
        self._total = 0
        self._inflight = 0
        self._paused_until = 0.0
        # the account's limit (from the header; until then, ours undivided) and other apps' use
        self._account = max(1, math.floor(per_minute))
        self._others = 0
        self._others_until = -math.inf  # the estimate holds until then
        self.stats = LimiterStats()

    @property
    def budget(self) -> int:
        """Requests allowed per window right now (never above the configured ceiling)."""
        return self._budget

    def _purge(self, now: float) -> None:
        horizon = now - self.window
        while self._done and self._done[0] <= horizon:
            self._done.popleft()
        while self._sent and self._sent[0].sent <= horizon - self.window:  # two windows
            self._sent.popleft()
        while self._answered and self._answered[0].sent <= horizon - self.window:
            self._answered.popleft()

    def used(self) -> int:
        """Requests counted in the current window, in flight included."""
        with self._cond:
            self._purge(self._clock())
            return len(self._done) + self._inflight

    def _cap(self, now: float) -> int:
        """Requests we may have in the window: our budget, less what other apps use now."""
        if self._others and now < self._others_until:
            return max(1, min(self._budget, self._account - self._others))
        return self._budget

    def _wait_time(self, now: float, cost: int) -> float | None:
        """Seconds to wait before ``cost`` more requests fit; 0 = go; None = wait for a release."""
        if now < self._paused_until:
            return self._paused_until - now
        cap = self._cap(now)
        excess = len(self._done) + self._inflight + cost - cap
        if excess <= 0:
            return 0.0
        if excess <= len(self._done):
            wait = self._done[excess - 1] + self.window - now
            if cap < self._budget:  # or until the other apps' estimate goes stale
                wait = min(wait, self._others_until - now)
            return max(wait, 0.001)
        return None

    def acquire(self, cost: int = 1) -> float:
        """Block until ``cost`` requests may be sent, count them as in flight; the send time."""
        waited = False
        while True:
            with self._cond:
                now = self._clock()
                self._purge(now)
                wait = self._wait_time(now, min(cost, self._budget))
                if wait == 0.0:
                    self._inflight += cost
                    self._total += cost
                    record = _Sent(now, cost, self._total)
                    self._sent.append(record)  # the clock never goes back: still sorted
                    self._open.append(record)
                    return now
                if wait is None:
                    # Only in-flight requests fill the window: one of them must finish first.
                    self._count_wait(waited)
                    waited = True
                    self._cond.wait(timeout=1.0)
                    interrupt.check()  # a stop request ends this wait too
                    continue
            self._count_wait(waited, wait)
            waited = True
            self._sleep(wait)

    def _count_wait(self, waited: bool, seconds: float = 0.0) -> None:
        if not waited:
            self.stats.waits += 1
        self.stats.wait_seconds += seconds

    def release(self, cost: int = 1, sent: float | None = None) -> None:
        """Mark ``cost`` in-flight requests (sent at ``sent``; else the oldest) as answered
        (or failed) now."""
        with self._cond:
            now = self._clock()
            self._inflight -= cost
            left = cost  # the one sent at ``sent`` (one record, whatever its cost), or the oldest
            while left > 0:
                at = next((i for i, r in enumerate(self._open) if sent in (None, r.sent)), None)
                if at is None:
                    break
                record = self._open.pop(at)
                record.done = now
                self._answered.append(record)
                left = 0 if sent is not None else left - record.cost
            self._done.extend([now] * cost)
            self._cond.notify_all()

    @contextmanager
    def slot(self, cost: int = 1) -> Iterator[float]:
        """``with limiter.slot() as sent: send()`` — acquire before, release after, always."""
        sent = self.acquire(cost)
        try:
            yield sent
        finally:
            self.release(cost, sent)

    def observe(
        self,
        limit: int | None,
        remaining: int | None,
        sent: float | None = None,
        hold: float | None = None,
    ) -> None:
        """Adapt to ``X-RateLimit-Limit-Minute`` and ``X-RateLimit-Remaining-Minute`` of the
        answer to the request sent at ``sent``. The other apps' estimate holds for a window,
        or ``hold`` seconds: a 429's ``Retry-After`` says when its "0 remaining" stops being
        true, and holding it for a whole minute would stall the run for nothing."""
        with self._cond:
            if limit is not None and limit > 0:
                self._budget = max(1, min(self.ceiling, math.floor(limit * self.share)))
                self._account = limit
                self.stats.limit = limit
            if remaining is None:
                return
            now = self._clock()
            self._purge(now)
            ours = self._ours_before(now, sent, remaining)
            others = max(0, self._account - max(0, remaining) - ours)
            self._others = others
            self._others_until = now + (self.window if hold is None else hold)
            self.stats.others = others

    def _ours_before(self, now: float, sent: float | None, remaining: int) -> int:
        """Our requests the server surely counted when the one sent at ``sent`` (None: an
        answer read ``now``) arrived: its "remaining" is what that window left.

        The answer is conservative: a request we count that the server did not would make
        the other apps' use look smaller than it is, and the gap would come back as 429s.
        The request arrived somewhere between ``sent`` and ``now``. Another one of ours
        surely came before it, inside the window the server drew then, when it was sent less
        than a window before ``now`` and answered before ``sent``. One still in flight at
        ``sent`` may have arrived either side: its own answer's higher "remaining" shows it
        came first (unless the window lost requests between the two arrivals); one not
        answered yet, or answered without a header, is left out.
        """
        this = None
        if sent is None:
            sent = now
        else:
            for record in reversed(self._answered):  # answered just now, so near the end
                if _done(record) <= sent:
                    break
                if record.sent == sent and record.remaining is None:
                    this = record
                    this.remaining = remaining
                    break
        ours = self._cost_sent(now - self.window, sent)
        for record in self._open:
            if now - self.window < record.sent <= sent:
                ours -= record.cost
        for record in reversed(self._answered):
            if _done(record) <= sent:
                break
            unsure = record.remaining is None or record.remaining <= remaining
            if record is not this and now - self.window < record.sent <= sent and unsure:
                ours -= record.cost
        return ours

    def _cost_sent(self, after: float, until: float) -> int:
        """The cost of our requests sent in ``(after, until]``."""

        def upto(t: float) -> int:  # sent at or before t
            at = bisect.bisect_right(self._sent, t, key=lambda r: r.sent)
            if at == 0:
                return self._sent[0].upto - self._sent[0].cost if self._sent else self._total
            return self._sent[at - 1].upto

        return upto(until) - upto(after)

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (after a 429's ``X-RateLimit-Retry-After``)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
