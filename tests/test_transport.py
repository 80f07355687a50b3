"""Auth, retries and error reporting of the transport (mocked HTTP, fake clock, no sleeping)."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from hs_extract import (
    AccessDeniedError,
    AuthError,
    BadRequestError,
    ConfigError,
    RateLimitedError,
    TransientError,
)
from hs_extract.api.retry import RetryConfig
from hs_extract.api.transport import check_base_url
from tests.conftest import BASE, SECRET, TOKEN_URL, add_token

COMPANY = BASE + "/v2/reports/company"
W = {"start_date": "2026-01-01", "end_date": "2026-01-08"}


def calls_to(rsps, url):
    return [c for c in rsps.calls if c.request.url.split("?")[0] == url]


def test_token_request_is_form_encoded_client_credentials(mocked, make_client):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, json={"current": {}})
    make_client().get_company(**W)
    token_call = calls_to(mocked, TOKEN_URL)[0].request
    assert token_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (
        token_call.body == f"grant_type=client_credentials&client_id=app-id&client_secret={SECRET}"
    )


def test_token_is_cached_then_renewed_early_from_expires_in(mocked, make_client, clock):
    mocked.add(responses.POST, TOKEN_URL, json={"access_token": "A", "expires_in": 1000})
    mocked.add(responses.POST, TOKEN_URL, json={"access_token": "B", "expires_in": 1000})
    mocked.add(responses.GET, COMPANY, json={})
    client = make_client()
    client.get_company(**W)
    clock.advance(850)  # before expiry minus margin (10% of 1000 s = 100 s): same token
    client.get_company(**W)
    clock.advance(60)  # 910 s: inside the margin, renewed before it expires
    client.get_company(**W)
    auths = [c.request.headers["Authorization"] for c in calls_to(mocked, COMPANY)]
    assert auths == ["Bearer A", "Bearer A", "Bearer B"]
    assert len(calls_to(mocked, TOKEN_URL)) == 2


def test_401_renews_token_and_retries_exactly_once(mocked, make_client):
    mocked.add(responses.POST, TOKEN_URL, json={"access_token": "old", "expires_in": 7200})
    mocked.add(responses.POST, TOKEN_URL, json={"access_token": "new", "expires_in": 7200})
    mocked.add(responses.GET, COMPANY, status=401)
    mocked.add(responses.GET, COMPANY, json={"current": {"closed": 3}})
    assert make_client().get_company(**W) == {"current": {"closed": 3}}
    auths = [c.request.headers["Authorization"] for c in calls_to(mocked, COMPANY)]
    assert auths == ["Bearer old", "Bearer new"]


def test_second_401_raises_auth_error_without_a_third_try(mocked, make_client):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, status=401)
    with pytest.raises(AuthError, match=r"company: HTTP 401.*refused twice"):
        make_client().get_company(**W)
    assert len(calls_to(mocked, COMPANY)) == 2
    assert len(calls_to(mocked, TOKEN_URL)) == 2


def test_rejected_credentials_are_a_clear_auth_error(mocked, make_client):
    mocked.add(
        responses.POST,
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": f"bad secret {SECRET}"},
    )
    with pytest.raises(AuthError) as info:
        make_client().get_company(**W)
    text = str(info.value)
    assert "rejected the client credentials (HTTP 401" in text
    assert "check client_id and client_secret" in text
    assert SECRET not in text
    assert calls_to(mocked, COMPANY) == []


def test_429_waits_retry_after_header(mocked, make_client, clock):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, status=429, headers={"X-RateLimit-Retry-After": "17"})
    mocked.add(responses.GET, COMPANY, json={"ok": 1})
    client = make_client()
    assert client.get_company(**W) == {"ok": 1}
    assert clock.sleeps == [17]
    assert client.stats.rate_limited == 1
    assert client.stats.retries == 1


def test_429_without_header_waits_a_minute(mocked, make_client, clock):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, status=429)
    mocked.add(responses.GET, COMPANY, json={})
    make_client().get_company(**W)
    assert clock.sleeps == [60]


def test_429_is_bounded(mocked, make_client):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, status=429, headers={"X-RateLimit-Retry-After": "1"})
    client = make_client(retry=RetryConfig(max_rate_limited=3))
    with pytest.raises(RateLimitedError, match="company: HTTP 429"):
        client.get_company(**W)
    assert len(calls_to(mocked, COMPANY)) == 4


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500},
        {"status": 502},
        {"status": 503},
        {"status": 504},
        {"body": requests.ConnectionError("Connection reset by peer")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": requests.exceptions.ChunkedEncodingError("IncompleteRead")},
        {"body": '{"current": {"closed": 3'},  # truncated JSON
        {"body": ""},  # empty 200
    ],
    ids=["500", "502", "503", "504", "reset", "timeout", "chunked", "truncated", "empty"],
)
def test_transient_failures_are_retried_with_backoff(failure, mocked, make_client, clock):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, **failure)
    mocked.add(responses.GET, COMPANY, **failure)
    mocked.add(responses.GET, COMPANY, json={"current": {"closed": 3}})
    client = make_client()
    assert client.get_company(**W) == {"current": {"closed": 3}}
    # equal jitter with jitter()=0.5: 0.75 × 1 s, then 0.75 × 2 s
    assert clock.sleeps == [0.75, 1.5]
    assert client.stats.transient_failures == 2


def test_transient_retries_are_bounded_and_the_error_is_clear(mocked, make_client, clock):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, status=503, json={"logRef": "abc-123", "message": "Down"})
    client = make_client(retry=RetryConfig(max_attempts=4))
    with pytest.raises(TransientError) as info:
        client.get_company(**W)
    assert str(info.value) == "company: HTTP 503 Down after 4 attempts [logRef abc-123]"
    assert len(calls_to(mocked, COMPANY)) == 4
    assert len(clock.sleeps) == 3


def test_backoff_is_exponential_and_capped(mocked, make_client, clock):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, body=requests.ConnectionError("reset"))
    client = make_client(
        retry=RetryConfig(max_attempts=8, backoff_base=1, backoff_cap=10), jitter=lambda: 0.999
    )
    with pytest.raises(TransientError, match="connection failed or was reset after 8 attempts"):
        client.get_company(**W)
    assert [round(s, 1) for s in clock.sleeps] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
    assert max(clock.sleeps) <= 10


def test_400_raises_at_once_with_log_ref_and_field_errors(mocked, make_client):
    add_token(mocked)
    body = {
        "logRef": "64bb72b4",
        "message": "Bad request",
        "_embedded": {
            "errors": [
                {"path": "status", "message": "Expected one of these: x", "rejectedValue": "Wrong"}
            ]
        },
    }
    mocked.add(
        responses.GET, COMPANY, status=400, json=body, content_type="application/vnd.error+json"
    )
    with pytest.raises(BadRequestError) as info:
        make_client().get_company(**W)
    err = info.value
    assert str(err) == (
        "company: HTTP 400 Bad request [logRef 64bb72b4] — status: Expected one of these: x "
        "(rejected 'Wrong')"
    )
    assert err.status == 400 and err.log_ref == "64bb72b4" and err.errors[0].path == "status"
    assert len(calls_to(mocked, COMPANY)) == 1


def test_403_names_the_plan(mocked, make_client):
    add_token(mocked)
    mocked.add(responses.GET, COMPANY, status=403, json={"message": "Access denied"})
    with pytest.raises(
        AccessDeniedError, match=r"company: HTTP 403 Access denied \(Reports need a Plus or Pro"
    ):
        make_client().get_company(**W)


def test_rate_limit_headers_lower_the_budget(mocked, make_client):
    add_token(mocked)
    mocked.add(
        responses.GET,
        COMPANY,
        json={},
        headers={"X-RateLimit-Limit-Minute": "200", "X-RateLimit-Remaining-Minute": "199"},
    )
    client = make_client(rate_limit_per_minute=400)
    client.get_company(**W)
    assert client.limiter.budget == 200


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.helpscout.net", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:9000/", True),
        ("http://[::1]:9000", True),
        ("http://api.helpscout.net", False),
        ("http://10.0.0.5", False),
        ("ftp://api.helpscout.net", False),
        ("api.helpscout.net", False),
    ],
)
def test_base_url_must_be_https_unless_loopback(url, ok):
    if ok:
        assert check_base_url(url) == url.rstrip("/")
    else:
        with pytest.raises(ConfigError, match="base_url="):
            check_base_url(url)


def test_secret_and_token_never_leak(mocked, make_client, caplog):
    token = "TOKEN-MARKER-99"
    add_token(mocked, token=token)
    mocked.add(responses.GET, COMPANY, status=500, body=f"oops {token} {SECRET}")
    mocked.add(responses.GET, COMPANY, status=400, json={"message": f"echo {token} {SECRET}"})
    client = make_client()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BadRequestError) as info:
        client.get_company(**W)
    texts = [
        str(info.value),
        repr(info.value),
        repr(client),
        repr(client.transport),
        repr(client.transport.auth),
        str(vars(client.transport.auth)),
        caplog.text,
    ]
    for text in texts:
        assert SECRET not in text
        assert token not in text
    assert "***" in str(info.value)
    assert "GET /v2/reports/company" in caplog.text
