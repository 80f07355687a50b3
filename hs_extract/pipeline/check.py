"""``check``: a quick, cheap look at an account and the destinations before the first backfill,
and a doctor when something breaks. A door into the job (job.py) that commits nothing.

It asks for a token, reads the lists (users, teams, mailboxes, tags), then makes one request per
configured report for the last day that is over, and holds each answer against the declared
tables (keys not declared, declared keys absent or null, values of another JSON type, by JSON
path). It reads the rate limit the account reports and what other apps use of it, checks every
destination takes files or tables (a probe, created and removed), and shows the units whose
rows differ from what the API said they hold. It writes no table and moves no state. With
``reconcile``, it compares the numbers Help Scout means to agree over the loaded data.

Cheap whatever the server does: one attempt per request with a short timeout, the reports side
by side within the rate limit, and a deadline for the whole command (two minutes by default):
every request ends by it, and a report still unanswered then is named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Sequence
from concurrent.futures import wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import interrupt
from ..api.catalog import REPORTS
from ..api.retry import RetryConfig
from ..errors import AccessDeniedError, BadRequestError, HSExtractError
from ..normalize.audit import Finding, audit
from .lists import check_slice_ids, fetch_lists, slice_ids
from .planner import Request, build_plan, unit_label
from .reconcile import reconcile
from .windows import default_end, iter_windows

if TYPE_CHECKING:
    from .job import Job, Scope

__all__ = ["DEADLINE", "CheckResult", "Line", "check"]

#: seconds the whole command may take, whatever the server does (``--deadline``)
DEADLINE = 120.0
#: the longest one request may wait for its answer (or source.timeout, when shorter)
ATTEMPT = 20.0
#: one attempt per request; a 429 waited out once, briefly
ONE_ATTEMPT = RetryConfig(max_attempts=1, max_rate_limited=1, max_wait=10.0)

#: list endpoints counted (and snapshotted by a run)
LISTS = ("users", "teams", "mailboxes", "tags")
#: the plans Help Scout sells by their per-minute limit (reference §2)
PLANS = {200: "Standard: no access to reports", 400: "Plus", 800: "Pro"}
#: statuses that leave ``check`` at exit 0
FINE = frozenset({"ok", "note"})


@dataclass
class Line:
    """One thing checked: ``status`` is ok, note, differs, denied, failed or skipped."""

    check: str
    status: str
    detail: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in FINE

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check, "status": self.status, "detail": self.detail}
        if self.findings:
            out["findings"] = [dataclasses.asdict(f) for f in self.findings]
        return out


@dataclass
class CheckResult:
    """Every line, and the requests ``check`` made (token and retries included)."""

    lines: list[Line]
    requests: int = 0

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    def as_dict(self) -> dict:
        lines = [line.as_dict() for line in self.lines]
        return {"ok": self.ok, "requests": self.requests, "checks": lines}


def check(job: Job, scope: Scope, reconciled: bool, deadline: float = DEADLINE) -> CheckResult:
    """Check the account, the reports of ``scope`` and the destinations of ``job``."""
    config = job.config
    names = scope.reports
    until = time.monotonic() + deadline
    lines: list[Line] = []
    client = None
    try:
        client = job.api_client(timeout=min(config.source.timeout, ATTEMPT), retry=ONE_ATTEMPT)
        client.transport.until = until  # no request lasts past the command's deadline
        client.connect()
        lines.append(Line("token", "ok", f"issued by {client.base_url}"))
    except HSExtractError as exc:
        lines.append(Line("token", "failed", _late(exc, until, deadline)))
    listings = None
    if client is not None and lines[-1].ok:
        try:
            listings = fetch_lists(client, LISTS)
            counts = ", ".join(f"{len(v)} {k}" for k, v in listings.items())
            lines.append(Line("lists", "ok", counts))
            lines.append(_rate_limit(client, config.source.rate_limit_per_minute))
            check_slice_ids(config, listings)
        except HSExtractError as exc:
            lines.append(Line("lists", "failed", _late(exc, until, deadline)))
    if client is None or listings is None:
        lines += [Line(f"report {n}", "skipped", "no token or lists: not asked") for n in names]
    else:
        lines += _reports(job, client, names, listings, until, deadline)
    for name, probe in job.dest.probes():
        try:
            lines.append(Line(f"destination {name}", "ok", probe()))
        except HSExtractError as exc:
            lines.append(Line(f"destination {name}", "failed", str(exc)))
    lines.append(_state(job, names))
    if reconciled:
        lines += _reconcile(job, names)
    return CheckResult(lines, client.stats.requests if client else 0)


def _late(exc: HSExtractError, until: float, deadline: float) -> str:
    """An error's line, saying so when the command's deadline cut it short."""
    if time.monotonic() < until - 0.1:
        return str(exc)
    return f"no answer within check's deadline ({deadline:g} s): {exc}"


def _rate_limit(client, configured: int) -> Line:
    """The account's limit (as its answers said it) and what other apps use of it."""
    stats = client.limiter.stats
    if stats.limit is None:
        return Line("rate limit", "note", "the API sent no X-RateLimit-* headers")
    limit = stats.limit
    plan = PLANS.get(limit, "a plan with an add-on, or a custom limit")
    detail = (
        f"{limit} requests/minute ({plan}); other apps used about {stats.others} of it in the "
        f"last minute; hs_extract may use {client.limiter.budget}"
    )
    if configured > limit:
        detail += f"; source.rate_limit_per_minute is {configured}: set it to {limit}"
        return Line("rate limit", "note", detail)
    return Line("rate limit", "failed" if limit < 400 else "ok", detail)


def _reports(job: Job, client, names, listings, until: float, deadline: float) -> list[Line]:
    """One request per report, for the last day that is over, side by side, each answer
    audited; a report not answered by the deadline is named."""
    config = job.config
    tz = config.windows.timezone
    today = default_end(job.now(), tz)
    day = iter_windows(today.subtract(days=1).date(), today.date(), "day", tz)
    daily = config.model_copy(
        update={"windows": config.windows.model_copy(update={"size": ("day",)})}
    )
    plan = build_plan(daily, day, slice_ids(listings), {}, reports=list(names), full_refresh=True)
    first: dict[str, Request] = {}
    for req in plan.requests:
        first.setdefault(req.report, req)
    pool = interrupt.Pool(min(len(first) or 1, client.workers), thread_name_prefix="hs-check")
    asked = {name: pool.submit(_report, client, req, day[0].label) for name, req in first.items()}
    wait(asked.values(), timeout=max(0.0, until - time.monotonic()))
    pool.shutdown(wait=False, cancel_futures=True)  # each request ends by the deadline itself
    out = []
    for name in names:
        if name not in asked:
            why = plan.skipped.get(name, "nothing to ask")
            out.append(Line(f"report {name}", "skipped", why))
        elif asked[name].done() and not asked[name].cancelled():
            out.append(asked[name].result())
        else:
            late = f"no answer within check's deadline ({deadline:g} s)"
            out.append(Line(f"report {name}", "failed", late))
    return out


def _report(client, req, label: str) -> Line:
    spec = REPORTS[req.report]
    what = f"report {req.report}"
    where = f"{label}" + (f" [{req.slice.key}]" if req.slice.key else "")
    try:
        if spec.paginated:
            body = client.fetch_page(spec, 1, **req.params)
        else:
            body = client.fetch(spec, **req.params)
    except AccessDeniedError as exc:
        return Line(what, "denied", f"403 {where}: {exc} (the plan lacks it: a run skips it)")
    except BadRequestError as exc:
        return Line(what, "failed", f"400 {where}: {exc}")
    except HSExtractError as exc:
        return Line(what, "failed", f"{where}: {exc}")
    findings = audit(req.report, body)
    detail = f"200 {where}"
    if spec.paginated:
        box = body.get(spec.page_container) if spec.page_container else body
        box = box if isinstance(box, dict) else {}
        detail += f": count {box.get('count')}, pages {box.get('pages')} (page 1 read)"
    serious = sum(f.serious for f in findings)
    if serious:
        return Line(what, "differs", f"{detail}; {serious} differences", findings)
    notes = len(findings)
    return Line(
        what, "note" if notes else "ok", detail + (f"; {notes} notes" if notes else ""), findings
    )


def _state(job: Job, names: Sequence[str]) -> Line:
    """Units whose rows differ from what the API said they hold (reconciliation)."""
    try:
        rows = [r for name in names for r in job.state.state_rows(name)]
    except HSExtractError as exc:
        return Line("state", "failed", str(exc))
    off = [
        r for r in rows if r.get("expected_rows") is not None and r["expected_rows"] != r["rows"]
    ]
    if not rows:
        return Line("state", "ok", "no unit loaded yet")
    if not off:
        return Line("state", "ok", f"{len(rows)} units loaded; each holds what the API said")
    shown = "; ".join(
        f"{unit_label(r['report'], r['slice'], _day(r['window_start']))}: the API said "
        f"{r['expected_rows']} results, {r['rows']} landed"
        for r in off[:10]
    )
    more = f"; … and {len(off) - 10} more" if len(off) > 10 else ""
    return Line("state", "note", f"{len(off)} of {len(rows)} units differ: {shown}{more}")


def _day(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d}"


def _reconcile(job: Job, names: Sequence[str]) -> list[Line]:
    """Help Scout's numbers that should agree, over the loaded data: notes, never failures."""
    try:
        found = reconcile(job.dest.frame, names)
    except HSExtractError as exc:
        return [Line("reconcile", "failed", str(exc))]
    if not found:
        return [Line("reconcile", "note", "no two configured reports are meant to agree")]
    return [Line("reconcile", "note" if r.differences else "ok", str(r)) for r in found]
