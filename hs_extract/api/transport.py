"""HTTP transport: one ``requests.Session``, the token, the rate limiter and the retry loop."""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

import orjson
import requests

from .. import __version__, interrupt
from ..errors import (
    AccessDeniedError,
    APIError,
    AuthError,
    BadRequestError,
    ConfigError,
    FatalAPIError,
    NotFoundError,
    RateLimitedError,
    RedirectError,
    TransientError,
)
from .answers import (
    Answer,
    answer_record,
    body_message,
    describe,
    field_errors,
    json_or_none,
    read_whole,
)
from .auth import ClientCredentials, redact
from .ratelimit import RateLimiter
from .retry import TRANSIENT_EXCEPTIONS, Action, RetryConfig, action_for, backoff_delay

__all__ = ["Transport", "TransportStats", "check_base_url"]

log = logging.getLogger("hs_extract.http")

#: status → exception class for answers that are not retried
ERROR_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthError,
    403: AccessDeniedError,
    404: NotFoundError,
}
HINTS = {
    401: "the token was refused twice; is the app's user active and invited?",
    403: "Reports need a Plus or Pro plan and API access for this account",
    404: "check the user, team or resource id",
}
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def check_base_url(url: str) -> str:
    """``url`` without a trailing slash; ConfigError unless https, or http on loopback."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"base_url={url!r} is invalid; allowed: https://host[:port]")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(
            f"base_url={url!r} is plain http to a non-loopback host; allowed: https://…, "
            "or http:// only for localhost/127.0.0.1/::1 (credentials must not travel in clear)"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def pooled_session(connections: int = 64) -> requests.Session:
    """A session that keeps a connection per worker thread (requests keeps 10 by default,
    and a busy pool would open and drop a connection for every request)."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=connections)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@dataclass
class TransportStats:
    """Counters for progress bars and run summaries."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    transient_failures: int = 0
    token_fetches: int = 0
    backoff_seconds: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _retry_after(resp: requests.Response, retry: RetryConfig) -> float:
    """Seconds a 429 asks to wait (``X-RateLimit-Retry-After``, else the configured default)."""
    wait = _int_header(resp, "X-RateLimit-Retry-After")
    return retry.default_retry_after if wait is None else wait


def _int_header(resp: requests.Response, name: str) -> int | None:
    try:
        return int(float(resp.headers[name]))
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class _Attempt:
    """What one try of a request came to."""

    resp: requests.Response | None
    action: Action
    body: Any
    failure: BaseException | None


class Transport:
    """Sends requests to Help Scout under the rate limit and the retry policy."""

    def __init__(
        self,
        base_url: str,
        auth: ClientCredentials,
        *,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryConfig | None = None,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        sleep: Callable[[float], None] = interrupt.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.auth = auth
        self.session = session or pooled_session()
        self.limiter = limiter or RateLimiter()
        self.retry = retry or RetryConfig()
        self.timeout = timeout
        #: the whole answer must have arrived this long after the request was sent (a read
        #: timeout alone lets a server that drips a byte a second hold a request for ever)
        self.deadline = float(timeout[1] if isinstance(timeout, tuple) else timeout)
        #: no request may last past this ``time.monotonic()`` instant (None: no such bound):
        #: a command with a deadline of its own (``check``) ends by it whatever the server does
        self.until: float | None = None
        self.sleep = sleep  # the retry loop's pauses (a seam for tests)
        self._jitter = jitter
        self._lock = threading.Lock()
        self.stats = TransportStats()
        self.headers = {"Accept": "application/json", "User-Agent": f"hs-extract/{__version__}"}

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, auth={self.auth!r})"

    def _count(self, name: str, amount: float = 1) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + amount)

    def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        what: str = "",
        raw: bool = False,
    ) -> Any:
        """GET ``path`` with ``params``: the parsed JSON body, or with ``raw`` the
        :class:`~.answers.Answer` (bytes, parsed JSON and its record). ``what`` names the
        request in errors."""
        return self._send("GET", self.base_url + path, params=params, what=what or path, raw=raw)

    def ensure_token(self, retry: RetryConfig | None = None) -> None:
        """Fetch a token unless a valid one is cached (``retry``: the policy for this fetch)."""
        auth = self.auth
        if not auth.needs_token():
            return
        with auth.lock:
            if not auth.needs_token():
                return
            try:
                # Writes count as two requests against the account's limit (reference §2).
                payload = self._send(
                    "POST",
                    auth.token_url,
                    data=auth.token_form(),
                    authenticate=False,
                    what="token",
                    cost=2,
                    retry=retry,
                )
            except RedirectError:
                raise
            except (FatalAPIError, AuthError) as exc:
                detail = f": {exc.detail}" if exc.detail else ""
                raise AuthError(
                    f"token: Help Scout rejected the client credentials (HTTP {exc.status}"
                    f"{detail}); check client_id and client_secret",
                    status=exc.status,
                    report="token",
                    log_ref=exc.log_ref,
                    detail=exc.detail,
                ) from None
            auth.accept(payload)
            self._count("token_fetches")

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        authenticate: bool = True,
        what: str,
        cost: int = 1,
        raw: bool = False,
        retry: RetryConfig | None = None,
    ) -> Any:
        retry = retry or self.retry
        transient = rate_limited = 0
        renewed = False
        while True:
            if authenticate:
                self.ensure_token()
            token = self.auth.current() if authenticate else None
            timeout, deadline = self._bounds(what)
            with self.limiter.slot(cost) as sent:
                self._count("requests")
                started = time.perf_counter()
                got = self._attempt(method, url, params, data, authenticate, timeout, deadline)
            resp, action, failure = got.resp, got.action, got.failure
            self._log(method, url, params, resp, failure, started)
            wait: float | None = None
            if resp is not None:
                if action is Action.WAIT_RETRY_AFTER:
                    wait = _retry_after(resp, retry)
                self.limiter.observe(
                    _int_header(resp, "X-RateLimit-Limit-Minute"),
                    _int_header(resp, "X-RateLimit-Remaining-Minute"),
                    sent,
                    hold=wait,
                )
                if action is Action.OK:
                    if raw:  # what the archive keeps beside the body (never a token)
                        return Answer(resp.content, got.body, answer_record(resp, url, params))
                    return got.body
                if action is Action.REDIRECT:
                    raise self._redirect(resp, what)
            if wait is not None:  # a 429
                rate_limited += 1
                self._count("rate_limited")
                if wait > retry.max_wait:
                    raise self._error(
                        resp,
                        what,
                        RateLimitedError,
                        reason=f"asked to wait {wait:g} s (X-RateLimit-Retry-After), more than "
                        f"source.max_wait {retry.max_wait:g} s; the next run tries again",
                    )
                if rate_limited > retry.max_rate_limited:
                    raise self._error(resp, what, RateLimitedError, "still rate limited")
                if wait >= 10:
                    log.warning("%s: HTTP 429: waiting %g s (X-RateLimit-Retry-After)", what, wait)
                self.limiter.pause(wait)
            elif action is Action.BACKOFF:
                transient += 1
                self._count("transient_failures")
                if transient >= retry.max_attempts:
                    raise self._error(
                        resp,
                        what,
                        TransientError,
                        self._why(failure, resp, deadline),
                        transient,
                    )
                delay = backoff_delay(transient, retry, self._jitter())
                self._count("backoff_seconds", delay)
                self.sleep(delay)
            elif action is Action.REAUTH and authenticate and not renewed:
                renewed = True
                self.auth.invalidate(token)
            else:
                raise self._error(resp, what)
            self._count("retries")

    def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        authenticate: bool,
        timeout: float | tuple[float, float],
        deadline: float,
    ) -> _Attempt:
        """One request, its whole answer read by ``deadline`` seconds and parsed when it is OK;
        a failure the retry policy handles (timeout, reset, cut body) is in ``failure``."""
        started = time.perf_counter()
        resp = None
        try:
            # never follow a redirect: the token request carries the client secret, every
            # other one the bearer token, and both belong to base_url alone
            resp = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=self.headers,
                auth=self.auth if authenticate else None,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            read_whole(resp, started + deadline)
            action = action_for(resp.status_code)
            # parsing is also the check that the body arrived whole
            body = orjson.loads(resp.content) if action is Action.OK else None
        except TRANSIENT_EXCEPTIONS as exc:
            return _Attempt(resp, Action.BACKOFF, None, exc)
        return _Attempt(resp, action, body, None)

    def _bounds(self, what: str) -> tuple[float | tuple[float, float], float]:
        """This attempt's timeouts: the configured ones, cut to what is left before ``until``
        (TransientError when nothing is)."""
        if self.until is None:
            return self.timeout, self.deadline
        left = self.until - time.monotonic()
        if left <= 0.05:
            raise TransientError(f"{what}: no answer within the deadline", report=what)
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout,) * 2
        return (min(connect, left), min(read, left)), min(self.deadline, left)

    @staticmethod
    def _why(failure: BaseException | None, resp: requests.Response | None, deadline: float) -> str:
        if isinstance(failure, requests.Timeout):
            return f"timed out: no answer within {deadline:g} s"
        return describe(failure, resp) if failure else ""

    def _log(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        resp: requests.Response | None,
        failure: BaseException | None,
        started: float,
    ) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        ms = (time.perf_counter() - started) * 1000
        outcome = resp.status_code if resp is not None else describe(failure)
        # Never the body or headers: the token request carries the secret in its body.
        log.debug("%s %s %s -> %s (%.0f ms)", method, urlsplit(url).path, params or "", outcome, ms)

    def _redirect(self, resp: requests.Response, what: str) -> RedirectError:
        target = urlsplit(resp.headers.get("Location") or "")
        where = f"{target.scheme}://{target.hostname}" if target.hostname else "another place"
        return RedirectError(
            redact(
                f"{what}: HTTP {resp.status_code} redirect to {where} refused: hs_extract never "
                f"follows redirects, so credentials go to {urlsplit(self.base_url).hostname} "
                "alone; set source.base_url to the API itself",
                *self.auth.secrets(),
            ),
            status=resp.status_code,
            report=what,
        )

    def _error(
        self,
        resp: requests.Response | None,
        what: str,
        cls: type[APIError] | None = None,
        reason: str = "",
        attempts: int = 0,
    ) -> APIError:
        status = resp.status_code if resp is not None else None
        cls = cls or ERROR_CLASSES.get(status or 0, FatalAPIError)
        body = json_or_none(resp)
        log_ref = body.get("logRef") if isinstance(body, dict) else None
        errors = field_errors(body)
        message = body_message(body) or (resp.reason if resp is not None else "") or ""
        parts = [f"{what}: "]
        parts.append(f"HTTP {status} {message}".strip() if status else reason or "no answer")
        if status and reason:  # what was wrong with an answer (a body that is not JSON …)
            parts.append(f": {reason}")
        if attempts:
            parts.append(f" after {attempts} attempts")
        if log_ref:
            parts.append(f" [logRef {log_ref}]")
        if errors:
            parts.append(" — " + "; ".join(str(e) for e in errors))
        if status in HINTS and what != "token" and cls is not RateLimitedError:
            parts.append(f" ({HINTS[status]})")
        secrets = self.auth.secrets()
        text = redact("".join(parts), *secrets)
        detail = redact(message, *secrets) if message else None
        return cls(text, status=status, report=what, log_ref=log_ref, errors=errors, detail=detail)
