"""A synthetic Help Scout account, generated from a seed.

People and catalogs (users, teams, mailboxes, folders, tags, saved replies, workflows, Docs
sites, customers) are made once. Conversations are made per UTC day, lazily, from
``(seed, day)`` alone, so any date range can be served without building months up front and
the same day always holds the same conversations. Every event of a conversation happens within
``MAX_LAG_DAYS`` of its creation, so a window only needs the days from ``start - lag`` on.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from .words import COMMENTS, FIRST_NAMES, LAST_NAMES, SEARCH_TERMS, SUBJECTS, TAG_NAMES

MAX_LAG_DAYS = 10
DAY = 86400
UNTAGGED = 1  # Help Scout's tag id for "no tag" (reference §5.4)

WEEKDAY_FACTOR = (1.2, 1.15, 1.1, 1.05, 0.95, 0.45, 0.4)  # Monday first
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 11, 10, 9, 7, 5, 4, 3, 2, 2, 1]


@dataclass(frozen=True)
class Person:
    id: int
    first: str
    last: str
    email: str
    created_at: int

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    members: tuple[int, ...]
    created_at: int


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    mailbox_id: int = 0
    color: str = "none"


@dataclass(frozen=True)
class Article:
    id: str
    name: str
    site_id: str
    collection_id: str
    category_id: str


@dataclass(slots=True)
class Reply:
    at: int
    user_id: int
    response_secs: int  # since the customer message it answers
    handle_secs: int
    saved_reply_id: int


@dataclass(slots=True)
class Conversation:
    id: int
    number: int
    created: int
    channel: str
    mailbox_id: int
    folder_id: int
    assignee_id: int
    customer_id: int
    by_user: bool  # started by an agent (outbound): counts as created, not as new
    tags: tuple[int, ...]
    subject: str
    customer_msgs: list[int]
    replies: list[Reply]
    closed_at: int | None
    resolved: bool
    status: str
    rating: tuple[int, int, str] | None  # (1 great | 2 okay | 3 not good, at, comment)
    rating_thread_id: int
    workflow_ids: tuple[int, ...]
    field_value_id: int | None  # dropdown custom field of mailbox 1
    attachments: bool
    modified_at: int = 0
    events: list[int] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.channel


def _hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


class Account:
    """Everything the simulator serves, derived from ``seed``.

    ``volume`` is the mean number of conversations on a weekday; ``cutoff`` (epoch seconds)
    is "now": nothing is created or happens after it.
    """

    def __init__(self, seed: int = 1, *, volume: float = 40.0, cutoff: int | None = None):
        self.seed = seed
        self.company_id = 50_000 + seed  # the account's id, as conversations reports send it
        self.volume = volume
        self.cutoff = cutoff if cutoff is not None else _today_utc()
        rng = random.Random(seed)
        epoch0 = self.cutoff - 3 * 365 * DAY
        names = [(f, ln) for f in FIRST_NAMES for ln in LAST_NAMES]
        rng.shuffle(names)
        self.users = [
            Person(100001 + i, f, ln, f"{f.lower()}.{ln.lower()}@example.com", epoch0 + i * DAY)
            for i, (f, ln) in enumerate(names[:9])
        ]
        ids = [u.id for u in self.users]
        self.teams = [
            Team(900001, "Tier 1", tuple(ids[0:4]), epoch0),
            Team(900002, "Tier 2", tuple(ids[4:7]), epoch0),
            Team(900003, "Billing", tuple(ids[6:9]), epoch0),
        ]
        self.mailboxes = [Named(3001, "Support"), Named(3002, "Billing"), Named(3003, "Sales")]
        self.folders = [
            Named(40000 + m.id % 100 * 10 + k, f"{m.name} {kind}", m.id)
            for m in self.mailboxes
            for k, kind in enumerate(("Unassigned", "Mine", "Needs attention"))
        ]
        self.tags = [Named(UNTAGGED, "untagged")] + [
            Named(5000 + i, name, color=rng.choice(["none", "red", "blue", "green"]))
            for i, name in enumerate(TAG_NAMES)
        ]
        self.saved_replies = [
            Named(7000 + i, f"Saved reply {i + 1}", self.mailboxes[i % 3].id) for i in range(10)
        ]
        self.workflows = [Named(8000 + i, f"Workflow {i + 1}") for i in range(6)]
        self.custom_field = Named(61, "Account Type", self.mailboxes[0].id)
        self.field_values = [Named(611, "Paying customer"), Named(612, "Trial"), Named(613, "Free")]
        self.customers = [
            Person(
                2_000_000 + i,
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                f"customer{i}@example.org",
                epoch0,
            )
            for i in range(1500)
        ]
        self.sites = [_hex_id(rng) for _ in range(2)]
        self.categories = [
            Named(i, name)
            for i, name in enumerate(
                ["Getting started", "Billing", "Integrations", "Troubleshooting", "Mobile", "API"]
            )
        ]
        self.category_ids = [_hex_id(rng) for _ in self.categories]
        self.articles = [
            Article(
                _hex_id(rng),
                f"How to {term} ({i})",
                self.sites[i % 2],
                _hex_id(rng),
                self.category_ids[i % len(self.categories)],
            )
            for i, term in enumerate(SEARCH_TERMS * 2)
        ]
        # Zipf-like weights: a few customers write a lot
        self._customer_cum = list(_cumulative([1 / (i + 1) ** 0.8 for i in range(1500)]))
        self._user_cum = list(_cumulative([3, 3, 2.5, 2, 2, 1.5, 1.5, 1, 1]))
        self._hour_cum = list(_cumulative(HOUR_WEIGHTS))
        self._memo: OrderedDict = OrderedDict()
        self._memo_lock = threading.Lock()
        self.user_by_id = {u.id: u for u in self.users}
        self.tag_by_id = {t.id: t for t in self.tags}
        self.team_by_id = {t.id: t for t in self.teams}
        self.customer_by_id = {c.id: c for c in self.customers}

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per ``key`` among the last few: the pages of one drilldown share
        the sorted list of its conversations instead of rebuilding it for every page."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = compute()
        with self._memo_lock:
            self._memo[key] = value
            while len(self._memo) > 32:
                self._memo.popitem(last=False)
        return value

    # --- conversations -----------------------------------------------------------------------

    def members(self, user_or_team: int) -> tuple[int, ...] | None:
        """User ids behind a ``user`` parameter (a team means all its members); None if unknown."""
        if user_or_team in self.user_by_id:
            return (user_or_team,)
        team = self.team_by_id.get(user_or_team)
        return team.members if team else None

    def conversations_between(self, start: int, end: int) -> list[Conversation]:
        """Conversations created in [start, end) (epoch seconds), oldest first."""
        out: list[Conversation] = []
        for day in range(start // DAY, (end - 1) // DAY + 1):
            convs = self.day(day)
            lo = bisect.bisect_left(convs, start, key=lambda c: c.created)
            hi = bisect.bisect_left(convs, end, key=lambda c: c.created)
            out.extend(convs[lo:hi])
        return out

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one Account per simulator, bounded cache
    def day(self, day: int) -> list[Conversation]:
        """The conversations created on UTC day number ``day`` (days since 1970-01-01)."""
        day_start = day * DAY
        if day_start >= self.cutoff:
            return []
        rng = random.Random(self.seed * 1_000_003 + day)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        trend = 1 + 0.0005 * ((day_start - (self.cutoff - 365 * DAY)) / DAY)
        mean = max(0.0, self.volume * WEEKDAY_FACTOR[weekday] * trend)
        n = max(0, round(rng.gauss(mean, math.sqrt(mean) if mean else 0)))
        starts = sorted(
            day_start + _pick(self._hour_cum, rng) * 3600 + rng.randrange(3600) for _ in range(n)
        )
        convs = []
        for i, created in enumerate(starts):
            if created >= self.cutoff:  # "now" falls inside this day: the rest is the future
                break
            convs.append(self._conversation(rng, day, i, created))
        return convs

    def _conversation(self, rng: random.Random, day: int, i: int, created: int) -> Conversation:
        cid = day * 100_000 + i  # unique while a day has fewer than 100,000 conversations
        channel = rng.choices(("email", "chat", "phone"), (70, 20, 10))[0]
        mailbox = rng.choices(self.mailboxes, (60, 25, 15))[0]
        folders = [f for f in self.folders if f.mailbox_id == mailbox.id]
        assignee = 0 if rng.random() < 0.1 else self.users[_pick(self._user_cum, rng)].id
        customer = self.customers[_pick(self._customer_cum, rng)].id
        by_user = rng.random() < {"email": 0.08, "chat": 0.0, "phone": 0.5}[channel]
        k = rng.choices((0, 1, 2), (35, 50, 15))[0]
        tags = tuple(sorted({5000 + min(13, int(rng.expovariate(0.35))) for _ in range(k)}))
        limit = created + MAX_LAG_DAYS * DAY - 3600
        scale = {"email": 3 * 3600, "chat": 90, "phone": 30}[channel]
        n_replies = rng.choices((0, 1, 2, 3, 4, 5, 6), (8, 40, 25, 12, 7, 5, 3))[0]
        customer_msgs = [created]
        replies: list[Reply] = []
        t = created
        responder = assignee or self.users[_pick(self._user_cum, rng)].id
        for r in range(n_replies):
            wait = int(min(rng.lognormvariate(math.log(scale), 1.1), 4 * DAY))
            t = min(t + max(5, wait), limit)
            asked = customer_msgs[-1]
            user = responder if rng.random() < 0.85 else rng.choice(self.users).id
            saved = rng.choice(self.saved_replies).id if rng.random() < 0.2 else 0
            handle = int(min(rng.lognormvariate(math.log(150), 0.8), 3600))
            replies.append(Reply(t, user, t - asked, handle, saved))
            if r < n_replies - 1:
                gap = int(min(rng.lognormvariate(math.log(scale * 2), 1.0), 2 * DAY))
                t = min(t + max(5, gap), limit)
                customer_msgs.append(t)
        closed_at, resolved, status = None, False, "active"
        if replies and rng.random() < 0.85:
            closed_at = min(replies[-1].at + rng.randrange(60, 6 * 3600), limit + 1800)
            resolved, status = True, "closed"
        elif not replies and rng.random() < 0.3:
            closed_at = min(created + rng.randrange(600, 2 * DAY), limit)
            status = "closed"
        elif replies:
            status = rng.choice(("active", "pending"))
        rating = None
        if resolved and rng.random() < 0.3:
            score = rng.choices((1, 2, 3), (70, 18, 12))[0]
            rating = (
                score,
                min(closed_at + rng.randrange(60, DAY), limit + 3000),
                rng.choice(COMMENTS),
            )
        workflows = (rng.choice(self.workflows).id,) if rng.random() < 0.3 else ()
        value = None
        if mailbox.id == self.custom_field.mailbox_id and rng.random() < 0.8:
            value = rng.choices(self.field_values, (55, 30, 15))[0].id
        events = [created, *customer_msgs, *(r.at for r in replies)]
        if closed_at:
            events.append(closed_at)
        if rating:
            events.append(rating[1])
        events = sorted(e for e in events if e < self.cutoff)
        c = Conversation(
            id=cid,
            number=(day % 10_000) * 100_000 + i + 1,
            created=created,
            channel=channel,
            mailbox_id=mailbox.id,
            folder_id=rng.choice(folders).id,
            assignee_id=assignee,
            customer_id=customer,
            by_user=by_user,
            tags=tags,
            subject=rng.choice(SUBJECTS),
            customer_msgs=[m for m in customer_msgs if m < self.cutoff],
            replies=[r for r in replies if r.at < self.cutoff],
            closed_at=closed_at if closed_at and closed_at < self.cutoff else None,
            resolved=resolved and bool(closed_at and closed_at < self.cutoff),
            status=status if closed_at is None or closed_at < self.cutoff else "active",
            rating=rating if rating and rating[1] < self.cutoff else None,
            rating_thread_id=cid * 10 + 7,
            workflow_ids=workflows,
            field_value_id=value,
            attachments=rng.random() < 0.15,
            events=events,
        )
        c.modified_at = events[-1]
        return c


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(cum: list[float], rng: random.Random) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


def _today_utc() -> int:
    now = dt.datetime.now(dt.UTC)
    return int(dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC).timestamp())
