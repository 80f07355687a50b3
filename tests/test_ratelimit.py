"""The shared rate limiter: never more than the budget in any rolling window, across threads."""

from __future__ import annotations

import random
import threading
import time

import pytest

from hs_extract.api.ratelimit import RateLimiter
from tests.conftest import FakeClock


def max_in_any_window(intervals: list[tuple[float, float]], window: float) -> int:
    """Most requests the server could count in one window, wherever it received each one.

    A request sent at s and answered at c reached the server somewhere in [s, c]; a window
    (t - window, t] can hold it whenever s <= t and c > t - window.
    """
    worst = 0
    for t in sorted({s for s, _ in intervals} | {c + window - 1e-9 for _, c in intervals}):
        worst = max(worst, sum(1 for s, c in intervals if s <= t and c > t - window))
    return worst


def hammer(limiter: RateLimiter, now, pause, threads: int, per_thread: int, seed: int):
    intervals: list[tuple[float, float]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        rnd = random.Random(seed + i)
        for _ in range(per_thread):
            limiter.acquire()
            sent = now()
            pause(rnd.uniform(0.0, 0.02) * limiter.window)  # latency
            done = now()
            limiter.release()
            with lock:
                intervals.append((sent, done))

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=60)
    assert len(intervals) == threads * per_thread
    return intervals


def test_budget_holds_under_8_threads_fake_clock():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=40, share=0.5, clock=clock, sleep=clock.sleep)
    assert limiter.budget == 20
    intervals = hammer(limiter, clock, clock.sleep, threads=8, per_thread=25, seed=1)
    assert max_in_any_window(intervals, 60.0) <= 20
    span = max(c for _, c in intervals) - min(s for s, _ in intervals)
    assert span >= (200 / 20 - 1) * 60  # it did have to wait: 200 requests at 20 per minute


def test_budget_holds_under_8_threads_real_clock():
    limiter = RateLimiter(per_minute=6, window=0.25)
    intervals = hammer(limiter, time.monotonic, time.sleep, threads=8, per_thread=4, seed=7)
    assert max_in_any_window(intervals, 0.25) <= 6
    assert limiter.stats.waits > 0


def test_full_budget_goes_without_waiting_then_waits_a_window():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        with limiter.slot():
            pass
    assert clock.sleeps == []
    start = clock()
    with limiter.slot():
        pass
    assert clock() - start == 60.0


def test_remaining_header_leaves_room_for_other_apps():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=10, clock=clock, sleep=clock.sleep)
    with limiter.slot():
        pass
    limiter.observe(limit=10, remaining=3)  # someone else used 6 of the account's 10
    assert limiter.stats.others == 6
    for _ in range(3):
        with limiter.slot():
            pass
    assert clock.sleeps == []
    with limiter.slot():  # 4 ours + 6 theirs: wait for the window to roll
        pass
    assert clock.sleeps == [60.0]


def test_a_429s_full_window_holds_only_until_its_retry_after():
    # a 429 burst answered "0 remaining" of a limit far above our use: once its Retry-After
    # has passed, requests go on at once (each answer then renews the estimate)
    clock = FakeClock()
    limiter = RateLimiter(per_minute=100_000, clock=clock, sleep=clock.sleep)
    for _ in range(50):
        with limiter.slot() as sent:
            pass
    limiter.observe(limit=100_000, remaining=0, sent=sent, hold=1)
    assert limiter.stats.others == 100_000 - 50
    limiter.pause(1)
    start = clock()
    with limiter.slot() as sent:
        pass
    assert clock() - start == pytest.approx(1)
    limiter.observe(limit=100_000, remaining=99_000, sent=sent)  # a normal answer
    for _ in range(500):
        with limiter.slot():
            pass
    assert clock() - start == pytest.approx(1)


def test_the_other_apps_estimate_follows_the_headers_and_goes_stale():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=10, clock=clock, sleep=clock.sleep)
    limiter.observe(limit=10, remaining=2)
    assert limiter.stats.others == 8
    limiter.observe(limit=10, remaining=10)  # the other app stopped
    assert limiter.stats.others == 0
    for _ in range(10):
        with limiter.slot():
            pass
    assert clock.sleeps == []
    limiter.observe(limit=10, remaining=0)  # exactly our 10: nobody else
    assert limiter.stats.others == 0


def test_an_answer_overtaken_by_earlier_requests_keeps_the_other_apps_estimate():
    # CI, 2026-11: a run started while plan's requests were still in the account's window
    # got a 429. 16 requests went out at once; the last one sent reached the server first, its
    # "remaining" did not count the 15 still on their way, and the estimate of the other
    # apps' use fell to 0, so the limiter let through what the server had no room for.
    clock = FakeClock()
    limiter = RateLimiter(per_minute=40, window=6.0, clock=clock, sleep=clock.sleep)
    with limiter.slot() as sent:
        pass
    limiter.observe(limit=40, remaining=29, sent=sent)  # 10 of another process + ours
    assert limiter.stats.others == 10
    sends = []
    for _ in range(16):
        clock.advance(0.001)
        sends.append(limiter.acquire())
    clock.advance(0.05)
    limiter.release(sent=sends[-1])  # the last one sent, answered first
    limiter.observe(limit=40, remaining=28, sent=sends[-1])  # 10 + the serial one + itself
    assert limiter.stats.others == 10
    assert limiter.used() + 10 <= 40


def test_an_answer_that_overtook_an_earlier_answered_request_keeps_the_estimate():
    # CI, 2026-12 (a loaded machine): a request taken from the limiter later reached the server
    # first; the earlier one was already answered when the later one's answer was read, so it
    # was counted among ours, the other apps' use looked one smaller than it was, and the run
    # got a 429. The earlier one's lower "remaining" shows it arrived second: not counted.
    clock = FakeClock()
    limiter = RateLimiter(per_minute=40, window=6.0, clock=clock, sleep=clock.sleep)
    with limiter.slot() as sent:
        pass
    limiter.observe(limit=40, remaining=35, sent=sent)  # 4 of another process + ours
    assert limiter.stats.others == 4
    clock.advance(0.5)
    first = limiter.acquire()
    clock.advance(0.001)
    second = limiter.acquire()  # reaches the server first: 4 + 2 of ours
    clock.advance(0.05)
    limiter.release(sent=first)
    limiter.observe(limit=40, remaining=33, sent=first)
    assert limiter.stats.others >= 4
    clock.advance(0.01)
    limiter.release(sent=second)
    limiter.observe(limit=40, remaining=34, sent=second)
    assert limiter.stats.others == 4


def test_an_answer_counts_what_was_surely_before_it_at_the_windows_far_edge():
    # a request sent just inside the window before this one's send may have reached the server
    # before the window the server drew at this one's arrival: only what was sent within a
    # window of this answer's arrival counts as ours for sure
    clock = FakeClock()
    limiter = RateLimiter(per_minute=40, window=6.0, clock=clock, sleep=clock.sleep)
    with limiter.slot():  # reached the server at once, out of its window by the next arrival
        pass
    clock.advance(5.9)
    late = limiter.acquire()
    clock.advance(0.5)  # a slow answer: it arrived when the first had left the window
    limiter.release(sent=late)
    limiter.observe(limit=40, remaining=35, sent=late)  # 4 of another app + itself
    assert limiter.stats.others >= 4


def test_remaining_header_consistent_with_own_use_books_nothing():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=10, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        with limiter.slot():
            pass
    limiter.observe(limit=10, remaining=6)
    assert limiter.used() == 4 and limiter.stats.others == 0


def test_limit_header_only_lowers_the_configured_ceiling():
    limiter = RateLimiter(per_minute=400, share=0.5)
    limiter.observe(limit=800, remaining=None)
    assert limiter.budget == 200
    limiter.observe(limit=100, remaining=None)
    assert limiter.budget == 50


def test_pause_holds_every_caller():
    clock = FakeClock()
    limiter = RateLimiter(per_minute=100, clock=clock, sleep=clock.sleep)
    limiter.pause(12)
    with limiter.slot():
        pass
    assert clock.sleeps == [12]
    assert limiter.stats.waits == 1 and limiter.stats.wait_seconds == 12
