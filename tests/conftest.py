"""Shared fixtures: simulators, a destination, the CLI, a fake clock, a mocked client, and the
markers that sort the suite into layers (``make test-fast``, ``make test``)."""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys
import threading

import pendulum
import pytest
import responses
from hypothesis import settings

from hs_extract import ReportsClient
from hs_extract.simulator import Simulator
from tests.pipeline_support import CUTOFF, destination

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


# --- Hypothesis: a few examples while developing, more in CI (HYPOTHESIS_PROFILE overrides) ---

settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("ci", max_examples=150, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


def examples(ci: int) -> int:
    """How many examples a costly property takes: ``ci`` in CI, a tenth (at least 1) else."""
    return ci if settings.default.max_examples >= 150 else max(1, ci // 10)


# --- simulators, destinations --------------------------------------------------------------

#: what every test simulator is unless a module says otherwise: "now" is 2026-11-01, unthrottled
SIMULATOR_DEFAULTS = {"cutoff": CUTOFF, "rate_limit": 100_000}


@contextlib.contextmanager
def _simulators():
    with contextlib.ExitStack() as stack:
        yield lambda **kw: stack.enter_context(Simulator(**{**SIMULATOR_DEFAULTS, **kw}))


@pytest.fixture(scope="module")
def simulators():
    """``simulators(seed=…, …)``: a started simulator, stopped at the module's end."""
    with _simulators() as start:
        yield start


@pytest.fixture
def simulator():
    """``simulator(seed=…, …)``: a started simulator, stopped at the test's end."""
    with _simulators() as start:
        yield start


@pytest.fixture(scope="module")
def sim(simulators, request):
    """The module's simulator, as its ``SIMULATOR = {"seed": …, …}`` describes it."""
    return simulators(**getattr(request.module, "SIMULATOR", {}))


@pytest.fixture(params=["sqlite", "postgres", "duckdb"])
def dest(request, tmp_path):
    """A fresh SQL destination of each kind (a PostgreSQL schema dropped afterwards)."""
    with destination(request.param, tmp_path) as d:
        yield d


@pytest.fixture
def no_pauses(monkeypatch):
    """The paging rule refetches a repeated page after a pause: none in tests (the refetch
    and its bound are what they check, not the clock)."""
    from hs_extract.api import paging

    monkeypatch.setattr(paging, "REFETCH_DELAYS", (0.0,))


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


# --- test layers: markers the suite applies itself -------------------------------------------
#
# ``make test-fast`` runs the unit, client-against-simulator and SQLite pipeline tests; the
# others get a marker from what they use, read off their code (the test, the fixtures it
# takes, and the module's functions it calls), so no one has to remember to mark them:
#
# - ``postgres``: the PostgreSQL server (a ``postgres`` parameter, Dest("postgres"), PG_URL);
# - ``duckdb``: a DuckDB destination;
# - ``subprocess``: a process of its own (the CLI, a notebook kernel, a private cluster);
# - ``slow``: Dagster, dbt, an S3 or other bucket emulator, the crash and fault campaigns.

LAYER_WORDS = {
    "postgres": re.compile(r"\bpostgres(_or_skip)?\b|PG_URL|pg_cluster"),
    "duckdb": re.compile(r"duckdb"),
    "subprocess": re.compile(
        r"\bsubprocess\.|\bPopen\b|sys\.executable|nbclient|NotebookClient|run_cli\b"
    ),
    "slow": re.compile(
        r"\bdagster\b|dbt_build|build_dists|moto|s3_support|Faults\(|faults=|HS_CRASH_CASES|failpoint",
        re.IGNORECASE,
    ),
}


def _code_names(code) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _code_names(const)
    return names


def _reach(fn, module, depth: int = 2) -> str:
    """The source of ``fn`` and of the module's functions it calls (``depth`` levels)."""
    try:
        text = inspect.getsource(fn)
    except (OSError, TypeError):
        return ""
    if depth and hasattr(fn, "__code__"):
        for name in _code_names(fn.__code__):
            other = getattr(module, name, None)
            if (
                inspect.isfunction(other)
                and other is not fn
                and other.__module__ == module.__name__
            ):
                text += _reach(other, module, depth - 1)
    return text


def _fixture_sources(item) -> str:
    text = ""
    for name in item.fixturenames:
        for fixture in item._fixtureinfo.name2fixturedefs.get(name, ()):
            func = fixture.func
            text += _reach(func, sys.modules.get(func.__module__, item.module), 1)
    return text


def pytest_collection_modifyitems(config, items):
    kinds = ("sqlite", "parquet", "postgres", "duckdb")
    for item in items:
        text = _reach(item.function, item.module) + _fixture_sources(item)
        ids = item.callspec.id if hasattr(item, "callspec") else ""
        for marker, words in LAYER_WORDS.items():
            if marker in ("postgres", "duckdb") and any(k in ids for k in kinds):
                found = marker in ids  # parametrized over destinations: its own parameter
            else:
                found = bool(words.search(text))
            if found:
                item.add_marker(getattr(pytest.mark, marker))
