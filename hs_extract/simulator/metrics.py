"""Metrics of one window of the synthetic account, under one set of filters.

A :class:`View` answers "what happened in [start, end)": conversations created, active,
resolved and closed in it, replies and ratings given in it. Every report is computed from these
sets, so numbers agree across reports (daily buckets of a count sum to the window's count,
a drilldown's ``count`` is the size of the set its summary counts).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from .account import DAY, MAX_LAG_DAYS, UNTAGGED, Account, Conversation, Reply

#: histogram bucket upper bounds (seconds or counts); id = 1 + number of bounds passed.
#: reference §5.4 (legacy v1 tables) for response, handle and replies; the chat ones and email
#: resolutionTime are undocumented and chosen here.
RESPONSE_BOUNDS = (900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800)  # ids 1-10
HANDLE_BOUNDS = (60, 120, 300, 600)  # ids 1-5
REPLIES_BOUNDS = (1, 2, 3, 4)  # ids 1-5, 5 = five or more
CHAT_WAIT_BOUNDS = (30, 60, 120, 300)
CHAT_MESSAGES_BOUNDS = (5, 10, 15, 20)
CHAT_DURATION_BOUNDS = (300, 600, 1200, 1800)
OFFICE_START, OFFICE_END = 9 * 3600, 17 * 3600  # Monday-Friday, company time zone (UTC)


def bucket_id(value: float, bounds: tuple[int, ...], inclusive: bool = False) -> int:
    """Histogram range id (1-based) of ``value``."""
    if inclusive:  # counts: bucket k holds exactly k (last one: k or more)
        return bisect.bisect_left(bounds, value) + 1
    return bisect.bisect_right(bounds, value) + 1


def office_seconds(a: int, b: int) -> int:
    """Seconds of [a, b) inside office hours (Mon-Fri 09:00-17:00 UTC)."""
    total = 0
    day = a // DAY
    while day * DAY < b:
        if (day + 3) % 7 < 5:  # Monday..Friday
            lo = max(a, day * DAY + OFFICE_START)
            hi = min(b, day * DAY + OFFICE_END)
            total += max(0, hi - lo)
        day += 1
    return total


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class Filters:
    """The report filters of one request (empty tuple = no filter)."""

    mailboxes: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    folders: tuple[int, ...] = ()

    def accepts(self, c: Conversation) -> bool:
        if self.mailboxes and c.mailbox_id not in self.mailboxes:
            return False
        if self.types and c.channel not in self.types:
            return False
        if self.folders and c.folder_id not in self.folders:
            return False
        return not self.tags or any(t in self.tags for t in (c.tags or (UNTAGGED,)))


class View:
    """The account seen through one window, filter set and (optionally) a set of users."""

    def __init__(
        self,
        account: Account,
        start: int,
        end: int,
        filters: Filters = Filters(),
        *,
        users: tuple[int, ...] | None = None,
        office_hours: bool = False,
    ) -> None:
        self.account, self.start, self.end = account, start, end
        self.filters, self.users, self.office_hours = filters, users, office_hours

    def sub(self, start: int, end: int) -> View:
        """The same view over another window (a time-series bucket, the previous range)."""
        return View(
            self.account, start, end, self.filters, users=self.users, office_hours=self.office_hours
        )

    @property
    def days(self) -> float:
        return max(1.0, (self.end - self.start) / DAY)

    def within(self, t: int | None) -> bool:
        return t is not None and self.start <= t < self.end

    def span(self, a: int, b: int) -> int:
        """Duration from a to b, counted in office hours when the request asked for it."""
        return office_seconds(a, b) if self.office_hours else b - a

    # --- base sets -----------------------------------------------------------------------------

    @cached_property
    def candidates(self) -> list[Conversation]:
        """Conversations that may have events in the window (created up to lag days before)."""
        lo = self.start - MAX_LAG_DAYS * DAY
        return [
            c for c in self.account.conversations_between(lo, self.end) if self.filters.accepts(c)
        ]

    def mine(self, r: Reply) -> bool:
        return self.users is None or r.user_id in self.users

    @cached_property
    def replies(self) -> list[tuple[Conversation, Reply]]:
        return [
            (c, r) for c in self.candidates for r in c.replies if self.within(r.at) and self.mine(r)
        ]

    @cached_property
    def replied(self) -> list[Conversation]:
        """Conversations that got a reply (from the view's users) in the window."""
        seen: dict[int, Conversation] = {}
        for c, _ in self.replies:
            seen.setdefault(c.id, c)
        return list(seen.values())

    def _owned(self, c: Conversation) -> bool:
        if self.users is None:
            return True
        return c.assignee_id in self.users or any(r.user_id in self.users for r in c.replies)

    @cached_property
    def created(self) -> list[Conversation]:
        return [c for c in self.candidates if self.within(c.created) and self._owned(c)]

    @cached_property
    def new(self) -> list[Conversation]:
        """Created by customers (agents' outbound conversations are created, not new)."""
        return [c for c in self.created if not c.by_user]

    @cached_property
    def active(self) -> list[Conversation]:
        """Conversations with any event in the window."""
        out = []
        for c in self.candidates:
            i = bisect.bisect_left(c.events, self.start)
            if i < len(c.events) and c.events[i] < self.end and self._owned(c):
                out.append(c)
        return out

    @cached_property
    def closed(self) -> list[Conversation]:
        return [c for c in self.candidates if self.within(c.closed_at) and self._credited(c)]

    @cached_property
    def resolved(self) -> list[Conversation]:
        return [c for c in self.closed if c.resolved]

    def _credited(self, c: Conversation) -> bool:
        """A resolution or rating belongs to the user who sent the last reply."""
        return self.users is None or bool(c.replies and c.replies[-1].user_id in self.users)

    @cached_property
    def rated(self) -> list[Conversation]:
        return [
            c
            for c in self.candidates
            if c.rating and self.within(c.rating[1]) and self._credited(c)
        ]

    @cached_property
    def first_responses(self) -> list[Conversation]:
        return [
            c
            for c in self.candidates
            if c.replies and self.within(c.replies[0].at) and self.mine(c.replies[0])
        ]

    @cached_property
    def customer_messages(self) -> int:
        return sum(1 for c in self.candidates for m in c.customer_msgs if self.within(m))

    # --- per-conversation measures ---------------------------------------------------------

    def first_response_time(self, c: Conversation) -> int:
        return self.span(c.created, c.replies[0].at)

    def response_time(self, c: Conversation, r: Reply) -> int:
        return self.span(r.at - r.response_secs, r.at)

    def resolution_time(self, c: Conversation) -> int:
        return self.span(c.created, c.closed_at or c.created)

    @staticmethod
    def handle_time(c: Conversation) -> float:
        return mean(r.handle_secs for r in c.replies)

    def avg_response(self, c: Conversation) -> float:
        return mean(self.response_time(c, r) for r in c.replies)

    # --- aggregates -----------------------------------------------------------------------

    @cached_property
    def customers_helped(self) -> int:
        return len({c.customer_id for c in self.replied})

    def mean_response_time(self) -> float:
        return mean(self.response_time(c, r) for c, r in self.replies)

    def mean_first_response_time(self) -> float:
        return mean(self.first_response_time(c) for c in self.first_responses)

    def mean_resolution_time(self) -> float:
        return mean(self.resolution_time(c) for c in self.resolved)

    def mean_replies_to_resolve(self) -> float:
        return mean(len(c.replies) for c in self.resolved)

    def mean_handle_time(self) -> float:
        return mean(r.handle_secs for _, r in self.replies)

    def resolved_on_first_reply(self) -> int:
        return sum(1 for c in self.resolved if len(c.replies) == 1)

    def rating_counts(self) -> Counter:
        return Counter(c.rating[0] for c in self.rated)

    def happiness_score(self) -> float:
        counts = self.rating_counts()
        total = sum(counts.values())
        return (counts[1] - counts[3]) / total * 100 if total else 0.0

    def busy_matrix(self, tz: dt.tzinfo = dt.UTC) -> Counter:
        """(day 1=Monday..7, hour) → conversations created, in the company time zone."""
        out: Counter = Counter()
        for c in self.created:
            local = dt.datetime.fromtimestamp(c.created, tz)
            out[(local.isoweekday(), local.hour)] += 1
        return out

    def histogram(
        self,
        conversations: list[Conversation],
        measure: Callable[[Conversation], float],
        bounds: tuple[int, ...],
        inclusive: bool = False,
    ) -> Counter:
        return Counter(bucket_id(measure(c), bounds, inclusive) for c in conversations)
