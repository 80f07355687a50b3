"""Units from the API: the source of ``run`` (and of the notebook's ``frames(window=…)``, whose
client answers from its cache what can't change any more).

Before anything is written, a changed config is refused, the credentials and host are checked
(a token) and the list endpoints are read, the configured ids checked against them. Then the
planned requests run on a pool of ``max_workers`` threads sharing the client's rate limiter,
window by window for all reports (a denied report is learned of after one request, the oldest
windows complete first). A failed unit does not stop the others and is tried again next run; a
403 names the report, skips the rest of it, and the run goes on.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import TYPE_CHECKING

from .. import interrupt
from ..api.catalog import REPORTS
from ..errors import AccessDeniedError, HSExtractError
from .commit import Budget, Loader
from .config import workers_for
from .fingerprint import content
from .lists import DIMENSION_NAMES, check_slice_ids, fetch_lists, slice_ids
from .pace import Pace
from .planner import Plan, Request
from .result import RunResult
from .work import RequestWork

if TYPE_CHECKING:
    from .job import Job, Scope

__all__ = ["ApiSource"]

log = logging.getLogger("hs_extract.run")


class ApiSource:
    """The API as a job's source, within a budget of minutes and requests."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._full_refresh = False
        self._skip: set[str] = set()

    def start(self, job: Job, scope: Scope, full_refresh: bool) -> dict[str, list]:
        """A changed config refused, the token, the lists and the configured ids: before any
        report request and any write."""
        self._full_refresh = full_refresh
        job.dest.check_config(scope.reports, full_refresh)
        job.client.connect()
        listings = fetch_lists(job.client, DIMENSION_NAMES)
        check_slice_ids(job.config, listings)
        if job.dest.archive:
            job.dest.warn_legacy_archive()
        return listings

    def plan(self, job: Job, scope: Scope, listings, result: RunResult) -> Plan:
        if job.dest.archive:
            job.dest.archive.write_lists(result.run_id, listings)
        return job.plan(
            scope.start,
            scope.end,
            list(scope.reports),
            self._full_refresh,
            slice_ids(listings),
            windows=scope.windows,
        )

    def units(self, job: Job, result: RunResult, loader: Loader, progress) -> None:
        """Fetch every planned request, pool by pool; a stop ends the waits in seconds."""
        config = job.config
        settings = {rc.name: content(config, rc) for rc in config.reports}
        work = RequestWork(
            job.client,
            job.sink,
            job.rows,
            job.parquet,
            job.dest.archive,
            result.plan.targets,
            lambda dropped: result.repeated(dropped, job.count_lock),
            settings,
        )
        workers = workers_for(config.source)
        requests = result.plan.requests
        paginated = sum(1 for r in requests if REPORTS[r.report].paginated)
        result.pace = Pace(len(requests), paginated)
        budget = self.budget.start(job.client.stats)
        pool = interrupt.Pool(workers, thread_name_prefix="hs-unit")
        pages = interrupt.Pool(workers, thread_name_prefix="hs-page")
        pending: dict[Future, Request] = {}
        # window by window, all reports: the oldest windows complete first
        queue = iter(sorted(result.plan.requests, key=lambda r: r.windows[0].start))
        try:
            while True:
                while len(pending) < workers * 2 and not budget.spent() and not loader.down:
                    job.stop.check()
                    req = next(queue, None)  # a short queue keeps memory flat
                    if req is None:
                        break
                    if req.report in self._skip:
                        continue
                    fut = pool.submit(self._do, job, work, req, result, loader, pages)
                    pending[fut] = req
                if not pending:
                    # the budget ran out with units left (a destination that stopped
                    # answering stops the run too: those units fail, they are not "partial")
                    result.partial = budget.spent() and next(queue, None) is not None
                    break
                done, _ = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                job.stop.check()  # asked from another thread: end now
                for fut in done:
                    req = pending.pop(fut)
                    self._settle(job, fut, req, result)
                    if progress:
                        progress(result, req)
        except KeyboardInterrupt:
            job.stop.set(job.stop.exit_code if job.stop.is_set() else 130)  # every wait ends
            for fut in pending:
                fut.cancel()
            raise
        finally:
            # requests still in flight are dropped when stopped (their units load next run)
            stopped = job.stop.is_set()
            pool.shutdown(wait=not stopped, cancel_futures=True)
            pages.shutdown(wait=not stopped, cancel_futures=True)

    def _do(self, job: Job, work: RequestWork, req: Request, result, loader, pages) -> None:
        if req.report in self._skip:  # denied while this request waited in the queue
            return
        try:
            n = work.do(req, result, loader, pages)
        finally:
            if result.pace:
                result.pace.request_done()
        with job.count_lock:
            result.pages += n

    def _settle(self, job: Job, fut: Future, req: Request, result: RunResult) -> None:
        exc = fut.exception()
        if exc is None:
            return
        if isinstance(exc, KeyboardInterrupt):  # its wait was ended by a stop request
            result.interrupted = result.interrupted or getattr(exc, "exit_code", 130)
            return
        if isinstance(exc, AccessDeniedError):
            self._skip.add(req.report)
            result.denied[req.report] = str(exc)
            log.warning("%s: access denied; the rest of this report is skipped", req.report)
            return
        text = str(exc) if isinstance(exc, HSExtractError) else f"{type(exc).__name__}: {exc}"
        for unit in req.units:
            result.fail(str(unit), text, job.count_lock)
        log.debug("request failed", exc_info=exc)
