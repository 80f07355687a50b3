"""The simulator answers like the real API: strict 400s, 401s, rate limits, faults."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from hs_extract import REPORTS
from hs_extract.api.catalog import Kind
from hs_extract.api.ratelimit import RateLimiter
from hs_extract.api.retry import RetryConfig
from hs_extract.simulator import Faults, Simulator

CUTOFF = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
W = {"start": "2026-10-01T00:00:00Z", "end": "2026-10-08T00:00:00Z"}
FAST_RETRY = RetryConfig(backoff_base=0.01, backoff_cap=0.05)


#: the module's simulator (the ``sim`` fixture of conftest.py)
SIMULATOR = {"seed": 5}


def token(sim) -> str:
    r = requests.post(
        sim.base_url + "/v2/oauth2/token",
        data={"grant_type": "client_credentials", **sim.credentials},
    )
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    return r.json()["access_token"]


@pytest.fixture(scope="module")
def get(sim):
    headers = {"Authorization": "Bearer " + token(sim)}

    def get(path, **params):
        return requests.get(sim.base_url + "/v2/reports/" + path, params=params, headers=headers)

    return get


def errors_of(resp) -> dict[str, str]:
    assert resp.status_code == 400
    assert resp.headers["Content-Type"] == "application/vnd.error+json"
    body = resp.json()
    assert body["message"] == "Bad request" and len(body["logRef"]) == 32
    return {e["path"]: e["message"] for e in body["_embedded"]["errors"]}


@pytest.mark.parametrize(
    ("path", "params", "field", "message"),
    [
        ("company", {"colour": "red"}, "colour", "Unknown parameter"),
        ("chat", {"types": "chat"}, "types", "Unknown parameter"),  # channels take no types
        ("docs", {"mailboxes": "1"}, "mailboxes", "Unknown parameter"),
        (
            "conversations/drilldown",
            {"previousStart": W["start"], "previousEnd": W["end"]},
            "previousStart",
            "Unknown parameter",
        ),
        ("company", {"types": "email,fax"}, "types", "Expected one of these: email, chat, phone"),
        ("company/customers-helped", {"viewBy": "year"}, "viewBy", "Expected one of these"),
        ("company/drilldown", {"range": "speed"}, "range", "Expected one of these"),
        ("conversations/fields-drilldown", {"field": "x", "fieldid": "1"}, "field", "Expected one"),
        ("happiness/ratings", {"rating": "okay"}, "rating", "Expected one of these: great, ok"),
        ("happiness/ratings", {"sortField": "resolveTime"}, "sortField", "Expected one of these"),
        (
            "user/conversation-history",
            {"user": "100001", "sortField": "rating"},
            "sortField",
            "Expected",
        ),
        ("user/conversation-history", {"user": "100001", "status": "spam"}, "status", "Expected"),
        (
            "happiness/ratings",
            {"sortOrder": "asc"},
            "sortOrder",
            "Expected one of these: ASC, DESC",
        ),
        ("conversations/drilldown", {"rows": "51"}, "rows", "size must be between 1 and 50"),
        ("conversations/drilldown", {"rows": "abc"}, "rows", "Invalid number"),
        ("company", {"mailboxes": "1,x"}, "mailboxes", "Invalid number"),
        ("productivity", {"officeHours": "yes"}, "officeHours", "Expected true or false"),
        ("company/drilldown", {"rangeId": "2"}, "rangeId", "only valid if range is used"),
        ("user", {}, "user", "may not be empty"),
        ("conversations/fields-drilldown", {"field": "tagid"}, "fieldid", "may not be empty"),
        ("company", {"previousStart": "2026-09-01T00:00:00Z"}, "previousEnd", "may not be empty"),
    ],
)
def test_400_for_every_strictness_rule(get, path, params, field, message):
    errors = errors_of(get(path, **W, **params))
    assert field in errors and errors[field].startswith(message)


@pytest.mark.parametrize(
    "bad",
    [
        "2026-10-01",
        "2026-10-01T00:00:00",
        "2026-10-01T00:00:00.000Z",
        "2026-10-01T00:00:00+00:00",
        "2026-13-01T00:00:00Z",
        "yesterday",
    ],
)
def test_malformed_dates(get, bad):
    errors = errors_of(get("company", start=bad, end=W["end"]))
    assert errors["start"].startswith("must be a valid ISO 8601 date with the format")


def test_missing_dates_and_reversed_range(get):
    assert set(errors_of(get("company"))) == {"start", "end"}
    assert errors_of(get("company", start=W["end"], end=W["start"]))["end"] == "must be after start"


@pytest.mark.parametrize(
    ("view_by", "start", "end", "ok"),
    [
        ("day", "2026-01-01", "2026-03-02", True),
        ("day", "2026-01-01", "2026-03-03", False),
        ("week", "2025-01-01", "2026-01-01", True),
        ("week", "2025-01-01", "2026-01-02", False),
        ("month", "2026-01-01", "2026-03-03", True),
        ("month", "2026-01-01", "2026-03-02", False),
    ],
)
def test_view_by_limits(get, view_by, start, end, ok):
    resp = get(
        "productivity/resolved", start=start + "T00:00:00Z", end=end + "T00:00:00Z", viewBy=view_by
    )
    if ok:
        assert resp.status_code == 200
    else:
        assert "not allowed for this date range" in errors_of(resp)["viewBy"]


def test_every_path_of_the_catalog_is_served(get):
    for spec in REPORTS.values():
        params = dict(W)
        if spec.accepts("user"):
            params["user"] = "100001"
        if spec.accepts("field"):
            params.update(field="tagid", fieldid="5001")
        resp = get(spec.path.removeprefix("/v2/reports/"), **params)
        assert resp.status_code == 200, spec.name
        assert isinstance(resp.json(), list if spec.kind is Kind.LIST else dict)


def test_401_when_token_missing_wrong_or_expired(simulator, clock):
    s = simulator(seed=5, token_ttl=1, clock=clock)
    url = s.base_url + "/v2/reports/company"
    assert requests.get(url, params=W).status_code == 401
    assert requests.get(url, params=W, headers={"Authorization": "Bearer nope"}).status_code == 401
    good = {"Authorization": "Bearer " + token(s)}
    assert requests.get(url, params=W, headers=good).status_code == 200
    clock.advance(1.2)  # the token's second is over
    assert requests.get(url, params=W, headers=good).status_code == 401
    bad = requests.post(
        s.base_url + "/v2/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_client_renews_expired_tokens_on_its_own():
    with Simulator(seed=5, cutoff=CUTOFF) as s:
        c = s.client()
        c.get_happiness(start_date="2026-10-01", end_date="2026-10-02")
        s.expire_tokens()
        c.get_happiness(start_date="2026-10-01", end_date="2026-10-02")
        assert c.stats.token_fetches == 2
        assert s.log.count("/v2/reports/happiness", status=401) == 1


def test_rate_limit_headers_and_429():
    with Simulator(seed=5, cutoff=CUTOFF, rate_limit=3, rate_window=60) as s:
        headers = {"Authorization": "Bearer " + token(s)}  # the token POST costs 2
        first = requests.get(s.base_url + "/v2/reports/happiness", params=W, headers=headers)
        assert first.headers["X-RateLimit-Limit-Minute"] == "3"
        assert first.headers["X-RateLimit-Remaining-Minute"] == "0"
        second = requests.get(s.base_url + "/v2/reports/happiness", params=W, headers=headers)
        assert second.status_code == 429
        assert 55 <= int(second.headers["X-RateLimit-Retry-After"]) <= 60
        assert s.log.served_429 == 1


def run_reports(client, names=None) -> dict:
    out = {}
    for name in names or REPORTS:
        spec = REPORTS[name]
        params = {"start_date": "2026-10-01", "end_date": "2026-10-04"}
        if spec.has_previous:
            params.update(previous_start_date="2026-09-28", previous_end_date="2026-10-01")
        if spec.accepts("user"):
            params["user"] = 900002
        if spec.accepts("field"):
            params.update(field="customerid", field_id=2000001)
        out[name] = list(client.iter_pages(spec, **params))
    return out


def test_faults_are_survived_with_identical_results():
    with Simulator(seed=6, cutoff=CUTOFF, rate_limit=100_000) as clean:
        expected = run_reports(clean.client())
    faults = Faults(rate=0.35, kinds=("500", "503", "reset", "truncate", "cutjson"))
    with Simulator(seed=6, cutoff=CUTOFF, rate_limit=100_000, faults=faults) as faulty:
        client = faulty.client(
            retry=RetryConfig(max_attempts=12, backoff_base=0.01, backoff_cap=0.02)
        )
        got = run_reports(client)
        kinds = {e.fault for e in faulty.log.snapshot()} - {None}
    assert got == expected
    assert kinds == {"500", "503", "reset", "truncate", "cutjson"}
    assert client.stats.transient_failures > 10


def test_faults_are_reproducible():
    def faults_seen():
        with Simulator(seed=6, cutoff=CUTOFF, rate_limit=100_000, fault_rate=0.3) as s:
            run_reports(
                s.client(retry=RetryConfig(max_attempts=12, backoff_base=0.001, backoff_cap=0.002)),
                ["happiness", "company"],
            )
            return [(e.path, e.fault) for e in s.log.snapshot()]

    assert faults_seen() == faults_seen()


def test_429_bursts_and_the_servers_limit_are_waited_out():
    names = ["happiness", "conversations_busiest_times", "productivity_resolved"]
    with Simulator(seed=6, cutoff=CUTOFF, rate_limit=100_000) as clean:
        expected = run_reports(clean.client(), names)
    with Simulator(
        seed=6,
        cutoff=CUTOFF,
        rate_limit=6,
        rate_window=2.0,
        faults=Faults(rate=0.3, kinds=("429",), burst=2),
    ) as s:
        # the client's limiter is given the simulator's short window, or the headers' "6 per
        # minute" would (rightly) hold it for a real minute
        client = s.client(limiter=RateLimiter(100_000, window=2.0), retry=FAST_RETRY)
        for _ in range(4):
            assert run_reports(client, names) == expected
        assert {e.fault for e in s.log.snapshot()} == {None, "429"}  # bursts and the limit
        assert s.log.served_429 > 0 and client.stats.rate_limited == s.log.served_429
        assert s.log.max_in_window(2.0) <= 6


def test_the_clients_limiter_keeps_the_simulator_from_ever_answering_429():
    with Simulator(seed=6, cutoff=CUTOFF, rate_limit=8, rate_window=1.0) as s:
        client = s.client(limiter=RateLimiter(8, window=1.0))
        for _ in range(3):
            run_reports(client, ["happiness", "productivity_resolved", "phone"])
        assert s.log.served_429 == 0
        assert s.log.count() >= 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_cli_simulate_answers_curl():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hs_extract.cli", "simulate", "--port", str(port), "--seed", "2"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        tok = subprocess.run(
            [
                "curl",
                "-sf",
                "-d",
                "grant_type=client_credentials",
                "-d",
                "client_id=simulator-app",
                "-d",
                "client_secret=simulator-secret",
                base + "/v2/oauth2/token",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        import json

        access = json.loads(tok)["access_token"]
        out = subprocess.run(
            [
                "curl",
                "-sf",
                "-H",
                f"Authorization: Bearer {access}",
                base + "/v2/reports/happiness?start=2025-01-01T00:00:00Z&end=2025-01-08T00:00:00Z",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert json.loads(out)["current"]["ratingsCount"] > 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
