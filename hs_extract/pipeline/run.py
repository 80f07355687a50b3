"""The incremental run: plan → fetch (all pages) → normalize → load → state, unit by unit.

Requests run on a pool of ``max_workers`` threads sharing the client's rate limiter. A unit is
durable in every destination before its state moves (in SQL, in the same transaction). A
failed unit does not stop the others and is tried again next run; a 403 names the report,
skips the rest of it, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import pendulum
import sqlalchemy as sa

from .. import interrupt
from ..api.client import ApiClient
from ..api.retry import RetryConfig
from ..errors import AccessDeniedError, HSExtractError
from ..load.parquet import ParquetDestination
from ..load.sql import SqlDestination, UnitData
from ..memory import limit_malloc_arenas, use_lean_arrow_pool
from ..normalize import (
    Sink,
    tables_of,
    tables_of_dimension,
)
from .check import check as check_account
from .commit import Budget, Loader, RowBudget
from .config import Config, workers_for
from .destinations import Destinations
from .fingerprint import content
from .lists import (
    check_slice_ids,
    fetch_lists,
    needed_for_slices,
    slice_ids,
    snapshot_tables,
)
from .planner import Lists, Plan, Request, add_lost, build_plan
from .rebuild import rebuild as rebuild_from_archive
from .result import RunResult
from .windows import Window, range_windows
from .work import RequestWork

__all__ = ["Pipeline", "RunResult"]

#: the list endpoints every run snapshots into the dimension tables
DIMENSION_NAMES = ("users", "teams", "mailboxes", "tags")
ALL_TARGETS = frozenset({"parquet", "sql"})

log = logging.getLogger("hs_extract.run")

#: rows the fetchers may hold at once, all units together (about 60 MB of pages and tables)
ROWS_IN_FLIGHT = 40_000


class Pipeline:
    """One config's destinations, state and client, and the run that ties them together."""

    def __init__(
        self,
        config: Config,
        *,
        client: ApiClient | None = None,
        strict: bool = False,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.config = config
        src = config.source
        self.client = client or ApiClient(
            src.client_id,
            src.client_secret,
            src.base_url,
            rate_limit_per_minute=src.rate_limit_per_minute,
            rate_limit_share=src.rate_limit_share,
            timeout=(10.0, src.timeout),
            retry=RetryConfig(max_wait=src.max_wait),
        )
        self.sink = Sink(strict=strict)
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.dest = Destinations(config)
        self._listings: dict[str, list[dict]] | None = None
        self._load_lock = threading.Lock()
        self._rows = RowBudget(ROWS_IN_FLIGHT)

    @property
    def parquet(self) -> ParquetDestination | None:
        return self.dest.parquet

    @property
    def sql(self) -> SqlDestination | None:
        return self.dest.sql

    @property
    def state(self):
        """The state store: the SQL destination, else ``_state.json``."""
        return self.dest.state

    def rebuild(self, start=None, end=None, reports=None) -> RunResult:
        """The tables remade from the raw archive, with no API request (see rebuild.py)."""
        return rebuild_from_archive(self, start, end, reports)

    def check(self, reports: Sequence[str] | None = None, reconcile: bool = False):
        """The account, the reports' answers and the destinations checked (see check.py):
        a request per report plus the lists, no table written, no state moved."""
        return check_account(self, reports, reconcile)

    def check_config(self, reports: Sequence[str] | None = None, rebuild: bool = False) -> None:
        """ConfigError when the config changed what loaded windows hold (no request made)."""
        names = [r.name for r in self.config.reports if not reports or r.name in reports]
        self.dest.check_config(names, rebuild)

    def locked(self, wait: float = 0.0):
        """``with pipeline.locked(wait): …``: this run alone on its destinations."""
        return self.dest.locked(wait)

    def open(self, rebuild: bool = False) -> Pipeline:
        """Create or upgrade the tables of the configured reports, the dimension and the
        bookkeeping tables (fails fast on an unusable destination). A destination of another
        layout is refused, or cleared first with ``rebuild`` (``--full-refresh``)."""
        specs = [t for r in self.config.reports for t in tables_of(r.name)]
        specs += [t for name in DIMENSION_NAMES for t in tables_of_dimension(name)]
        self.dest.open(specs, rebuild)
        return self

    def close(self) -> None:
        self.dest.close()

    # --- planning ------------------------------------------------------------------------------

    def windows(self, start: dt.date | None = None, end: dt.date | None = None) -> list[Window]:
        """The windows of the range (``--start``/``--end`` over the config's); ConfigError for
        a range that holds no window that is over (checked before anything is created)."""
        return range_windows(self.config.windows, self._now(), start, end)

    def lists(self, reports: Sequence[str] | None = None) -> Lists:
        """Ids the config's slices need, from /v2/users, /v2/teams and /v2/tags (not reports)."""
        wanted = [r for r in self.config.reports if not reports or r.name in reports]
        return slice_ids(fetch_lists(self.client, needed_for_slices(wanted)))

    def prefetch_lists(self) -> dict[str, list[dict]]:
        """Fetch the list endpoints now and check the configured ids against them; the run
        that follows uses them (no second fetch)."""
        self._listings = fetch_lists(self.client, DIMENSION_NAMES)
        check_slice_ids(self.config, self._listings)
        return self._listings

    def plan(self, start=None, end=None, reports=None, full_refresh=False, lists=None) -> Plan:
        """The requests a run would make, without calling any report endpoint: windows not
        loaded yet and the lookback, plus units a Parquet folder lost (for it alone)."""
        windows = self.windows(start, end)
        lists = self.lists(reports) if lists is None else lists
        loaded = self.dest.loaded()
        plan = build_plan(
            self.config, windows, lists, loaded, reports=reports, full_refresh=full_refresh
        )
        if full_refresh:
            return plan
        planned = {u.state_key for u in plan.units}
        starts = {w.start for w in windows}
        held = [(r, s, w) for (r, s), ws in loaded.items() for w in ws if w in starts]
        lost = self.dest.missing(k for k in held if k not in planned)
        if lost:  # plan those units again, to be written to the destination that lacks them
            add_lost(plan, self.config, windows, lists, [*held, *planned], lost, reports)
        return plan

    # --- running -------------------------------------------------------------------------------

    def run(
        self,
        start=None,
        end=None,
        reports=None,
        full_refresh=False,
        progress: Callable[[RunResult, Request | None], None] | None = None,
        *,
        max_minutes: float | None = None,
        max_requests: int | None = None,
    ) -> RunResult:
        """Load every planned unit, alone on the destinations; failures are collected, not
        raised. A config that changed what a loaded report holds raises ConfigError first.
        With a budget (minutes, requests), no unit starts once it is spent: the run is
        ``partial`` and the next one goes on. SIGINT/SIGTERM end it in seconds, logged."""
        budget = Budget(self.client.stats, max_minutes, max_requests)
        with self.dest.locked():
            return self._run(start, end, reports, full_refresh, progress, budget)

    def _run(self, start, end, reports, full_refresh, progress, budget) -> RunResult:
        use_lean_arrow_pool()
        limit_malloc_arenas()  # before the pools start their threads
        run_id = pendulum.now("UTC").format("YYYYMMDDTHHmmss") + "-" + uuid.uuid4().hex[:6]
        names = [r.name for r in self.config.reports if not reports or r.name in reports]
        self.dest.check_config(names, rebuild=full_refresh)  # before any request
        removed = self.dest.adopt_config(names, rebuild=full_refresh)
        listings = self._listings or fetch_lists(self.client, DIMENSION_NAMES)  # slice ids too
        self._listings = None
        check_slice_ids(self.config, listings)
        plan = self.plan(start, end, reports, full_refresh, slice_ids(listings))
        result = RunResult(run_id, plan, removed=removed)
        started = dt.datetime.now(dt.UTC)
        self._log_run(result, started_at=started, status="running")
        if self.dest.archive:
            self.dest.archive.write_lists(run_id, listings)
        self._load_snapshot(listings, result)
        skip: set[str] = set()
        workers = workers_for(self.config.source)
        loader, work = self._workers(
            result,
            self.dest.archive,
            plan.targets,
            {rc.name: content(self.config, rc) for rc in self.config.reports},
        )
        pool = ThreadPoolExecutor(workers, thread_name_prefix="hs-unit")
        pages = ThreadPoolExecutor(workers, thread_name_prefix="hs-page")
        pending: dict[Future, Request] = {}
        # window by window, all reports: a denied report is learned of after one request,
        # and the oldest windows complete first
        queue = iter(sorted(plan.requests, key=lambda r: r.windows[0].start))
        try:
            while True:
                while len(pending) < workers * 2 and not budget.spent() and not loader.down:
                    req = next(queue, None)  # a short queue keeps memory flat
                    if req is None:
                        break
                    if req.report in skip:
                        continue
                    pending[pool.submit(self._do, work, req, result, skip, loader, pages)] = req
                if not pending:
                    # the budget ran out with units left (a destination that stopped
                    # answering stops the run too: those units fail, they are not "partial")
                    result.partial = budget.spent() and next(queue, None) is not None
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    req = pending.pop(fut)
                    self._settle(fut, req, result, skip)
                    if progress:
                        progress(result, req)
        except KeyboardInterrupt as exc:  # SIGINT, SIGTERM (interrupt.py), Ctrl-C
            interrupt.stop()  # every wait of every thread ends now
            result.interrupted = getattr(exc, "exit_code", 130)
            for fut in pending:
                fut.cancel()
        finally:
            # the units already fetched are committed; requests still in flight are dropped
            # (the process exits without waiting for them: their units load next run)
            loader.close()
            pool.shutdown(wait=not result.interrupted, cancel_futures=True)
            pages.shutdown(wait=not result.interrupted, cancel_futures=True)
            result.unknown_keys = set(self.sink.unknown)
            self._log_run(
                result,
                started_at=started,
                status=result.status,
                finished_at=dt.datetime.now(dt.UTC),
            )
            if result.interrupted:
                interrupt.STOP.clear()  # the next run (a notebook's) may wait again
        return result

    def _settle(self, fut: Future, req: Request, result: RunResult, skip: set[str]) -> None:
        exc = fut.exception()
        if exc is None:
            return
        if isinstance(exc, KeyboardInterrupt):  # its wait was ended by a stop request
            result.interrupted = result.interrupted or getattr(exc, "exit_code", 130)
            return
        if isinstance(exc, AccessDeniedError):
            skip.add(req.report)
            result.denied[req.report] = str(exc)
            log.warning("%s: access denied; the rest of this report is skipped", req.report)
            return
        text = str(exc) if isinstance(exc, HSExtractError) else f"{type(exc).__name__}: {exc}"
        for unit in req.units:
            result.failures.append((str(unit), text))
            _log_failure(str(unit), text)
        log.debug("request failed", exc_info=exc)

    def _do(self, work, req: Request, result: RunResult, skip, loader, pool) -> None:
        if req.report in skip:  # denied while this request waited in the queue
            return
        pages = work.do(req, result, loader, pool)
        with self._load_lock:
            result.pages += pages

    def _repeats(self, result: RunResult, dropped: dict) -> None:
        with self._load_lock:
            result.repeats.update(dropped)

    def _load_snapshot(self, listings: dict[str, list[dict]], result: RunResult) -> None:
        """Replace the dimension tables with this run's lists (a failure names the list)."""
        try:
            tables = snapshot_tables(listings, result.run_id, self.sink)
            self.dest.write_snapshot(tables)
        except HSExtractError as exc:
            result.failures.append(("lists " + ", ".join(listings), str(exc)))
            return
        for name, table in tables.items():
            result.rows[name] += table.num_rows

    def _workers(self, result: RunResult, archive, targets, settings) -> tuple:
        """The loader (commits, counts, failures into ``result``) and the request work of a
        run or a rebuild (``archive``: where answers are kept, or None)."""
        loader = Loader(
            lambda batch: self.dest.commit(batch, result.run_id),
            lambda unit: self._loaded(unit, result),
            lambda unit, message: self._failed(unit, message, result),
        )
        work = RequestWork(
            self.client,
            self.sink,
            self._rows,
            self.parquet,
            archive,
            targets,
            lambda dropped: self._repeats(result, dropped),
            settings,
        )
        return loader, work

    def _loaded(self, unit: UnitData, result: RunResult) -> None:
        with self._load_lock:
            result.units_loaded += 1
            for name, t in unit.tables.items():
                result.rows[name] += t.num_rows

    def _failed(self, unit: UnitData, message: str, result: RunResult) -> None:
        with self._load_lock:
            result.failures.append((unit.label, message))
        _log_failure(unit.label, message)

    def _log_run(self, result: RunResult, **values) -> None:
        stats = self.client.stats
        values.update(
            units_planned=len(result.plan.units),
            units_loaded=result.units_loaded,
            units_failed=len(result.failures),
            requests=stats.requests,
            retries=stats.retries,
            rate_limited=stats.rate_limited,
            rows=sum(result.rows.values()),
            repeats_dropped=sum(result.repeats.values()),
            mismatches=len(result.mismatches),
            message=result.message,
        )
        try:
            self.dest.log_run(result.run_id, values)
        except (sa.exc.SQLAlchemyError, OSError, HSExtractError) as exc:  # a dead database, a
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()  # full disk: say so
            result.log_error = reason[0] if reason else type(exc).__name__
            log.warning("the run could not be logged: %s", result.log_error)


def _log_failure(unit: str, text: str) -> None:
    """One log line per failure, as it happens (the summary lists them again at the end)."""
    line = text.splitlines()[0] if text else "failed"
    log.info("failed: %s: %s", unit, line, extra={"event": "unit_failed", "fields": {"unit": unit}})
