"""A long run's ETA converges (issue 24): counted in requests at the measured rate, with the
pages paginated reports will announce estimated from those seen, on a fake clock.

0.1 counted units: on a 163,098-unit backfill at a steady 200 requests/min its ETA rose every
minute, 57 → 106 → 149 → … → 343 min, while the planned requests alone took about 580."""

from __future__ import annotations

import itertools
import random

import pytest

from hs_extract.pipeline.pace import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def backfill(seed: int = 7, planned: int = 116_208, share: float = 0.43):
    """The plan's requests in run order: a time series or summary (0 more pages) or a
    drilldown window announcing a few more pages; drilldowns come in runs, as planned."""
    rng = random.Random(seed)
    out = []
    for i in range(planned):
        paginated = (i // 500) % 7 < 3 and rng.random() < share * 7 / 3
        out.append(rng.choice((0, 1, 1, 2, 3, 5)) if paginated else None)
    return out


def test_the_eta_of_a_steady_backfill_converges_and_never_drifts_up():
    requests = backfill()
    clock = Clock()
    pace = Pace(len(requests), sum(r is not None for r in requests), clock=clock)
    per_minute, step = 200, 60 / 200  # a steady rate, one request at a time
    total = len(requests) + sum(r or 0 for r in requests)
    etas, made = [], 0
    for more in requests:
        if more is not None:
            pace.first_page(1 + more)
        for _ in range(more or 0):
            clock.now += step
            pace.more_page()
            made += 1
        clock.now += step
        pace.request_done()
        made += 1
        if made % per_minute == 0 and len(etas) < made // per_minute:
            etas.append((clock.now, pace.eta(), total - made))
    assert made == total and pace.left() == 0
    truth_minutes = total / per_minute
    assert truth_minutes > 800  # the pages matter: far more than the planned requests alone
    for minute, (_, eta, left) in enumerate(etas[10:], start=10):
        true_eta = left / per_minute * 60
        assert eta == pytest.approx(true_eta, rel=0.08, abs=120), minute
    # minute to minute it only falls (by about a minute), never climbs at a steady rate
    rises = [
        (i, b[1] - a[1])
        for i, (a, b) in enumerate(itertools.pairwise(etas[10:]))
        if b[1] - a[1] > 0.05 * a[1] + 60
    ]
    assert rises == []


def test_too_soon_to_say_then_a_rate():
    clock = Clock()
    pace = Pace(100, 0, clock=clock)
    assert pace.eta() is None  # nothing done yet
    for _ in range(10):
        clock.now += 1
        pace.request_done()
    assert pace.rate() == pytest.approx(1.0) and pace.eta() == pytest.approx(90)


def test_the_rate_is_the_last_minutes_not_the_whole_run():
    clock = Clock()
    pace = Pace(10_000, 0, clock=clock)
    for _ in range(600):  # ten minutes at 60/min
        clock.now += 1
        pace.request_done()
    for _ in range(600):  # then a 429 storm: 10/min for an hour
        clock.now += 6
        pace.request_done()
    assert pace.rate() == pytest.approx(1 / 6, rel=0.02)


def test_announced_pages_count_until_fetched():
    pace = Pace(10, 4, clock=Clock())
    pace.first_page(6)  # 5 more pages announced
    assert pace.left() == 10 + 5 + 3 * 5  # and 3 drilldowns not started, at 5 more each
    for _ in range(5):
        pace.more_page()
    pace.request_done()
    assert pace.left() == 9 + 0 + 15
