"""Shared fixtures: a fake clock, and a client whose HTTP is mocked with `responses`."""

from __future__ import annotations

import threading

import pendulum
import pytest
import responses

from hs_extract import ReportsClient

BASE = "https://api.helpscout.test"
TOKEN_URL = BASE + "/v2/oauth2/token"
SECRET = "s3cr3t-MARKER-7f1c"
NOW = pendulum.datetime(2026, 11, 27, 15, 30, tz="UTC")


class FakeClock:
    """Monotonic clock whose ``sleep`` advances time instantly; safe across threads."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def add_token(rsps, token: str = "tok-1", expires_in: int = 7200, status: int = 200):
    body = {"token_type": "bearer", "access_token": token, "expires_in": expires_in}
    return rsps.add(responses.POST, TOKEN_URL, json=body, status=status)


@pytest.fixture
def make_client(clock):
    def make(**kw) -> ReportsClient:
        kw.setdefault("clock", clock)
        kw.setdefault("sleep", clock.sleep)
        kw.setdefault("jitter", lambda: 0.5)
        kw.setdefault("now", lambda: NOW)
        return ReportsClient("app-id", SECRET, BASE, **kw)

    return make
