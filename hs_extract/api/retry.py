"""Retry policy: what to do with each answer, and how long to wait before trying again.

The table is the policy; :mod:`hs_extract.transport` runs it in one small loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

import requests

__all__ = ["POLICY", "Action", "RetryConfig", "action_for", "backoff_delay"]


class Action(Enum):
    """What the transport does next."""

    OK = "use the response"
    WAIT_RETRY_AFTER = "wait X-RateLimit-Retry-After seconds, then retry"
    BACKOFF = "wait with jittered exponential backoff, then retry"
    REAUTH = "renew the token once, then retry"
    REDIRECT = "refuse: never follow a redirect (credentials stay with base_url)"
    FAIL = "raise at once"


#: status → action. Anything 2xx is OK; anything not listed here fails at once.
POLICY: dict[int, Action] = {
    401: Action.REAUTH,
    408: Action.BACKOFF,
    429: Action.WAIT_RETRY_AFTER,
    500: Action.BACKOFF,
    502: Action.BACKOFF,
    503: Action.BACKOFF,
    504: Action.BACKOFF,
}

#: Exceptions that mean "the answer never arrived whole": retried like a 503.
TRANSIENT_EXCEPTIONS: tuple[type[BaseException], ...] = (
    requests.Timeout,
    requests.ConnectionError,  # refused, reset, DNS
    requests.exceptions.ChunkedEncodingError,  # body cut off mid-stream
    requests.exceptions.ContentDecodingError,
    json.JSONDecodeError,  # a 200 whose JSON ends too early
)


def action_for(status: int) -> Action:
    """The policy's action for an HTTP status."""
    if 200 <= status < 300:
        return Action.OK
    if 300 <= status < 400:
        return Action.REDIRECT
    return POLICY.get(status, Action.FAIL)


@dataclass(frozen=True)
class RetryConfig:
    """Bounds of the retry loop."""

    #: attempts for one request after 5xx, timeouts, resets and cut-off bodies (first included)
    max_attempts: int = 6
    #: 429 answers waited out for one request before giving up
    max_rate_limited: int = 8
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    #: wait when a 429 comes without X-RateLimit-Retry-After (reference §2: about a minute)
    default_retry_after: float = 60.0
    #: the longest single rate-limit wait: a 429 asking more fails the request (source.max_wait)
    max_wait: float = 300.0


def backoff_delay(attempt: int, config: RetryConfig, jitter: float) -> float:
    """Delay before retry number ``attempt`` (1-based): equal jitter on a capped exponential.

    ``jitter`` is a number in [0, 1) from an injectable source, so tests are deterministic.
    """
    ceiling = min(config.backoff_cap, config.backoff_base * 2.0 ** (attempt - 1))
    return float(ceiling / 2 + ceiling / 2 * jitter)
