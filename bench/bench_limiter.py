"""The limiter's own cost per request as its window fills: it must not grow with the window.

Every answer is read against the requests of the last window (``RateLimiter.observe``). A run
into a fast server with a high limit holds tens of thousands of them; a scan per answer makes
the run quadratic (CI, 2026-12: a suite 30 % slower). The figure is the time of one slot and
one observed answer with 20,000 requests in the window, against the same with 2,000, both
through the same limiter code in this run. Target: ≤ 2× (flat, up to noise).
"""

from __future__ import annotations

from bench.common import best_of, record
from hs_extract.api.ratelimit import RateLimiter


def per_request(n: int) -> float:
    """Seconds per slot + observed answer, ``n`` requests in one window (and in flight, 8)."""
    limiter = RateLimiter(1_000_000)
    concurrent: list[float] = []

    def go() -> None:
        for i in range(n):
            concurrent.append(limiter.acquire())
            if len(concurrent) == 8:  # answers come back while others are in flight
                sent = concurrent.pop(0)
                limiter.release(sent=sent)
                limiter.observe(1_000_000, 1_000_000 - i, sent)

    return best_of(go, repeat=3) / n


def main() -> dict:
    small, large = per_request(2_000), per_request(20_000)
    ratio = large / small
    print(
        f"limiter bookkeeping per request: {small * 1e6:.1f} µs with 2,000 in the window, "
        f"{large * 1e6:.1f} µs with 20,000: {ratio:.2f}x (target <= 2)"
    )
    figures = {"us_2000": small * 1e6, "us_20000": large * 1e6, "ratio": ratio}
    figures["targets_met"] = ratio <= 2
    record("limiter", figures)
    return figures


if __name__ == "__main__":
    main()
