"""``ApiClient``: every Help Scout report from Python, one method per report.

The 32 ``get_*`` methods come from the catalog (no class or branch per report): written out,
typed, in methods.py for editors and type checkers, and given here the catalog's signature and
docstring, so ``help(client.get_company)`` tells the truth. The
public :class:`hs_extract.ReportsClient` is this client plus ``frames()`` (tidy tables come
from a later stage: see :mod:`hs_extract.notebook`); the run uses this one.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pendulum
import requests

from .. import interrupt
from ..errors import AuthError, ConfigError, HSExtractError
from .auth import ClientCredentials, Secret
from .catalog import REPORTS, Kind, ReportSpec, get_report
from .methods import ReportMethods
from .paging import Page, PageWalk
from .params import build_query
from .ratelimit import RateLimiter, workers_for_budget
from .retry import RetryConfig
from .signatures import python_type
from .transport import Transport, TransportStats

__all__ = ["DEFAULT_BASE_URL", "LISTS", "ApiClient"]

log = logging.getLogger("hs_extract.client")

DEFAULT_BASE_URL = "https://api.helpscout.net"
#: companion list endpoints (HAL paging): method suffix → (path, _embedded key)
LISTS = {
    "users": ("/v2/users", "users"),
    "teams": ("/v2/teams", "teams"),
    "mailboxes": ("/v2/mailboxes", "mailboxes"),
    "tags": ("/v2/tags", "tags"),
}


class ApiClient(ReportMethods):
    """A client for the Help Scout Mailbox API 2.0 reports.

    >>> client = ApiClient(client_id="…", client_secret="…")  # doctest: +SKIP
    >>> client.get_company(start_date="2025-01-01", end_date="2025-02-01")  # doctest: +SKIP

    Without ``client_id``/``client_secret`` (or ``base_url``) it reads them from
    ``HELPSCOUT_CLIENT_ID``, ``HELPSCOUT_CLIENT_SECRET`` (``HELPSCOUT_BASE_URL``), as the CLI
    does. ``session``, ``clock``, ``sleep``, ``jitter`` and ``now`` are seams for tests.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | Secret | None = None,
        base_url: str | None = None,
        *,
        rate_limit_per_minute: float = 400,
        rate_limit_share: float = 1.0,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        retry: RetryConfig | None = None,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = interrupt.sleep,
        jitter: Callable[[], float] = random.random,
        now: Callable[[], dt.datetime] | None = None,
        max_workers: int | None = None,
    ) -> None:
        client_id = client_id or os.environ.get("HELPSCOUT_CLIENT_ID")
        client_secret = client_secret or os.environ.get("HELPSCOUT_CLIENT_SECRET")
        base_url = base_url or os.environ.get("HELPSCOUT_BASE_URL") or DEFAULT_BASE_URL
        if not client_id or not client_secret:
            missing = "client_id" if not client_id else "client_secret"
            raise ConfigError(
                f"{missing}: (missing) is invalid; required: the app's ID and secret, passed or "
                "in HELPSCOUT_CLIENT_ID and HELPSCOUT_CLIENT_SECRET"
            )
        if limiter is None:
            limiter = RateLimiter(rate_limit_per_minute, rate_limit_share, clock=clock, sleep=sleep)
        base = base_url.rstrip("/")
        auth = ClientCredentials(client_id, client_secret, base + "/v2/oauth2/token", clock=clock)
        self.transport = Transport(
            base,
            auth,
            session=session,
            limiter=limiter,
            retry=retry,
            timeout=timeout,
            sleep=sleep,
            jitter=jitter,
        )
        self._now = now or (lambda: pendulum.now(pendulum.UTC))
        if max_workers is not None and max_workers < 1:
            raise ConfigError(f"max_workers: {max_workers!r} is invalid; allowed: 1 or more")
        #: pages fetched side by side (None: the run's rule for the limiter's budget)
        self.max_workers = max_workers

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.transport.base_url!r})"

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    @property
    def limiter(self) -> RateLimiter:
        return self.transport.limiter

    @property
    def stats(self) -> TransportStats:
        return self.transport.stats

    # --- reports ----------------------------------------------------------------------------

    def query(self, report: str | ReportSpec, **params: Any) -> dict[str, str]:
        """The exact query string ``report`` would be requested with (validated, no request)."""
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        return build_query(spec, params, self._now())

    def fetch(self, report: str | ReportSpec, raw: bool = False, **params: Any) -> Any:
        """One response of ``report``, parsed JSON, unchanged (with ``raw``: the
        :class:`~.answers.Answer`, bytes and record beside the JSON)."""
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        return self._get(spec, build_query(spec, params, self._now()), raw)

    def _get(self, spec: ReportSpec, query: dict[str, str], raw: bool) -> Any:
        """The one place a report request is sent (a cache can answer it instead)."""
        return self.transport.get(spec.path, query, what=spec.name, raw=raw)

    @property
    def workers(self) -> int:
        """Pages in flight at once: ``max_workers``, or the run's rule for this budget."""
        return self.max_workers or workers_for_budget(self.limiter.ceiling)

    def iter_pages(
        self,
        report: str | ReportSpec,
        *,
        on_page: Callable[[int, int | None], None] | None = None,
        **params: Any,
    ) -> Iterator[Any]:
        """Every page of ``report`` from ``page`` (default 1) to the last one, complete or
        :class:`~hs_extract.errors.IncompleteError` (the paging rule: :mod:`.paging`).

        Loops ``page = 1..pages`` as the answers say (never derived from ``count``): a page
        that repeats is fetched again, a growing ``pages`` is followed, a listing without
        ``pages`` is read to its first empty page. Drilldowns default to ``rows=50`` (the most
        the API allows, so the fewest requests). A report without pages yields one response.
        Once page 1 has said how many there are, the rest are fetched side by side
        (:attr:`workers` at once, within the rate limiter) and still yielded in order.
        ``on_page(number, pages)`` is called after each page (a progress bar).
        """
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        if not spec.paginated:
            yield self.fetch(spec, **params)
            return
        params = dict(params)
        first = int(params.pop("page", None) or 1)

        def fetch(n: int) -> Page:
            return Page.of(spec, n, self.fetch_page(spec, n, **params))

        pool = interrupt.Pool(self.workers, thread_name_prefix="hs-page")
        try:
            walk = PageWalk(
                spec, fetch, first=first, map_pages=pool.map, sleep=self.transport.sleep
            )
            for page in walk:
                if on_page is not None:
                    on_page(page.number, page.pages)
                yield page.payload
        finally:  # a caller that stops early leaves no page to be fetched for nothing
            pool.shutdown(wait=False, cancel_futures=True)

    def connect(self) -> None:
        """Fetch a token now, failing fast: wrong credentials (``AuthError``) or a host that
        cannot be reached (``ConfigError``) are found before a run writes anything."""
        transport = self.transport
        attempts = min(2, transport.retry.max_attempts)
        quick = replace(transport.retry, max_attempts=attempts, backoff_base=0.2, backoff_cap=0.5)
        try:
            transport.ensure_token(quick)
        except AuthError:
            raise
        except HSExtractError as exc:
            raise ConfigError(
                f"source.base_url: cannot reach {transport.base_url} ({exc}); check the URL, "
                "the network and any proxy"
            ) from None

    def fetch_page(
        self, report: str | ReportSpec, page: int, raw: bool = False, **params: Any
    ) -> Any:
        """Page ``page`` of a paginated report (``rows`` defaults to 50); the
        :class:`~.answers.Answer` with ``raw``."""
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        if spec.accepts("rows") and params.get("rows") is None:
            params["rows"] = 50
        return self._get(spec, build_query(spec, {**params, "page": page}, self._now()), raw)

    # --- companion lists (HAL) ---------------------------------------------------------------

    def list_items(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """All items of a HAL-paged list endpoint, following ``page`` to ``totalPages``."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            query = {k: str(v) for k, v in params.items() if v is not None}
            body = self.transport.get(path, {**query, "page": str(page)}, what=path)
            embedded = body.get("_embedded") or {} if isinstance(body, dict) else {}
            batch = embedded.get(key) or []
            items.extend(batch)
            info = body.get("page") or {}
            total = info.get("totalPages") or 1
            has_next = "next" in (body.get("_links") or {})
            if not batch or page >= total or (not has_next and "_links" in body):
                return items
            page += 1

    def list_users(self, **params: Any) -> list[dict[str, Any]]:
        """Every user of the account (``/v2/users``; ``email``, ``mailbox`` filters)."""
        return self.list_items(*LISTS["users"], **params)

    def list_teams(self) -> list[dict[str, Any]]:
        """Every team (``/v2/teams``); team ids work as ``user`` in the user reports."""
        return self.list_items(*LISTS["teams"])

    def list_mailboxes(self) -> list[dict[str, Any]]:
        """Every mailbox (``/v2/mailboxes``)."""
        return self.list_items(*LISTS["mailboxes"])

    def list_tags(self) -> list[dict[str, Any]]:
        """Every tag (``/v2/tags``)."""
        return self.list_items(*LISTS["tags"])


def _document(spec: ReportSpec) -> None:
    """What ``help()`` and ``inspect.signature`` say of a report's method: its keywords (the
    catalog's, with their Python types) and each parameter's meaning."""
    method = getattr(ReportMethods, spec.method)
    method.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=python_type(p) + " | None",
            )
            for p in spec.params
        ],
        return_annotation=list if spec.kind is Kind.LIST else dict,
    )
    lines = [f"{spec.title}: GET {spec.path} ({spec.kind.value}).", "", "Parameters:"]
    for p in spec.params:
        extra = f" one of {', '.join(p.choices)}" if p.choices else ""
        need = " (required)" if p.required else ""
        lines.append(f"    {p.name} → {p.api}: {p.doc}{extra}{need}")
    lines += ["", "Returns the parsed JSON of one response, unchanged."]
    method.__doc__ = "\n".join(lines)


for _spec in REPORTS.values():
    _document(_spec)
del _spec
