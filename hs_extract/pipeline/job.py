"""One job, every door: the phases ``run``, ``rebuild``, ``check``, ``frames(window=…)`` and the
Dagster assets all go through.

::

    preflight ─► lock ─► open ─► lists ─► units from a SOURCE ─► commit ─► close the run log
    (dates,                                (the API, the raw      (state     (ok, partial,
     names)                                 archive; a notebook's  with the   failed,
                                            cache answers for the  data)      interrupted)
                                            API behind its client)

A door picks a source and the phases it needs (``check`` commits nothing: check.py); a
guarantee added to a phase holds for every door. Nothing is written before the checks that
can refuse a job (dates, names, the lock, a changed config, credentials, configured ids). The
run log row is closed however the job ends. A job has its own stop request (``job.stop``):
setting it ends that job's waits, and no other job's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pendulum

from .. import interrupt
from ..api.auth import account_id
from ..api.client import ApiClient
from ..api.retry import RetryConfig
from ..errors import ConfigError, HSExtractError
from ..memory import prepare_process
from .commit import Budget, Loader, RowBudget
from .config import Config, client_options
from .destinations import Destinations
from .lists import DIMENSION_NAMES, fetch_lists, needed_for_slices, slice_ids, snapshot_tables
from .planner import Lists, Plan, add_lost, build_plan
from .result import RunResult
from .windows import Window, range_windows

if TYPE_CHECKING:
    from ..load.sql import UnitData
    from ..normalize import Sink
    from .check import CheckResult

__all__ = ["Job", "Scope", "Source"]

log = logging.getLogger("hs_extract.run")

#: rows the fetchers may hold at once, all units together (about 60 MB of pages and tables)
ROWS_IN_FLIGHT = 40_000

Progress = Callable[[RunResult, object], None]


@dataclass(frozen=True)
class Scope:
    """What a job was asked for, checked in preflight: its reports and its windows."""

    reports: tuple[str, ...]
    windows: tuple[Window, ...]
    start: dt.date | None = None
    end: dt.date | None = None


class Source(Protocol):
    """Where a job's lists and units come from (the API, the raw archive)."""

    def start(self, job: Job, scope: Scope, full_refresh: bool) -> dict[str, list] | None:
        """Checks that may refuse the job before anything is written; the lists, if known."""

    def plan(self, job: Job, scope: Scope, listings, result: RunResult) -> Plan:
        """The units to load (unloadable ones recorded in ``result``)."""

    def units(self, job: Job, result: RunResult, loader: Loader, progress) -> None:
        """Hand every planned unit to ``loader`` (failures recorded in ``result``)."""


class Job:
    """One config's job: its destinations, its API client, its stop request, its phases."""

    def __init__(
        self,
        config: Config,
        *,
        client: ApiClient | None = None,
        strict: bool = False,
        now: Callable[[], dt.datetime] | None = None,
        stop: interrupt.Stop | None = None,
    ) -> None:
        self.config = config
        self._client = client
        self._strict = strict
        self._sink: Sink | None = None
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self.dest = Destinations(config, self.account)
        #: set it (from any thread) to end this job's waits and stop it; other jobs go on
        self.stop = stop or interrupt.Stop()
        self.rows = RowBudget(ROWS_IN_FLIGHT)
        self.count_lock = threading.Lock()  # result counts shared by the job's threads

    def __repr__(self) -> str:
        return f"Job({self.config.path or 'config'}, {self.account})"

    @property
    def client(self) -> ApiClient:
        """The API client, made on first use: commands that never call the API (``state``,
        ``runs``, ``rebuild``) need no secret."""
        if self._client is None:
            self._client = self.api_client()
        return self._client

    def api_client(self, *, timeout: float | None = None, retry: RetryConfig | None = None):
        """A client for this config's account (``timeout``, ``retry``: another policy)."""
        src = self.config.source
        if not src.client_secret:
            raise ConfigError(
                "source.client_secret: (missing) is invalid; required to call the API: set "
                "it, e.g. ${HELPSCOUT_CLIENT_SECRET}"
            )
        options = client_options(src, timeout)
        if retry is not None:
            options["retry"] = retry
        return ApiClient(**options)

    @property
    def sink(self) -> Sink:
        """Where normalizers report new keys and converted values, for this job's summary
        (made on first use: reading state loads no normalizer)."""
        if self._sink is None:
            from ..normalize import Sink

            self._sink = Sink(strict=self._strict)
        return self._sink

    @property
    def account(self) -> str:
        """This account's name in the archive and the cache (base URL and client id, hashed)."""
        src = self.config.source
        return account_id(src.base_url, src.client_id)

    @property
    def parquet(self):
        return self.dest.parquet

    @property
    def sql(self):
        return self.dest.sql

    @property
    def state(self):
        """The state store: the SQL destination, else ``_state.json``."""
        return self.dest.state

    # --- phases --------------------------------------------------------------------------------

    def preflight(
        self,
        start=None,
        end=None,
        reports: Sequence[str] | None = None,
        grains: Sequence[str] | None = None,
    ) -> Scope:
        """The job's reports and windows (of ``grains``, default all the config's);
        ConfigError before anything is created."""
        known = [r.name for r in self.config.reports]
        for name in reports or ():
            if name not in known:
                raise ConfigError(
                    f"reports: {name!r} is not in the config's reports; allowed: "
                    f"{', '.join(sorted(known))}"
                )
        names = tuple(n for n in known if not reports or n in reports)
        configured = self.config.windows.grains
        for g in grains or ():
            if g not in configured:
                raise ConfigError(
                    f"grains: {g!r} is not a window size of the config; allowed: "
                    f"{', '.join(configured)}"
                )
        windows = [w for w in self.windows(start, end) if not grains or w.grain in grains]
        return Scope(names, tuple(windows), start, end)

    def locked(self, wait: float = 0.0):
        """``with job.locked(wait): …``: this job alone on its destinations."""
        return self.dest.locked(wait)

    def open(self, rebuild: bool = False) -> Job:
        """Create or upgrade the tables of the configured reports, the dimension and the
        bookkeeping tables (fails fast on an unusable destination). A destination of another
        layout is refused, or cleared first with ``rebuild`` (``--full-refresh``)."""
        from ..normalize import tables_of, tables_of_dimension

        specs = [t for r in self.config.reports for t in tables_of(r.name)]
        specs += [t for name in DIMENSION_NAMES for t in tables_of_dimension(name)]
        self.dest.open(specs, rebuild)
        return self

    def close(self) -> None:
        self.dest.close()

    # --- planning (reads only) -----------------------------------------------------------------

    def windows(self, start: dt.date | None = None, end: dt.date | None = None) -> list[Window]:
        """The windows of the range (``--start``/``--end`` over the config's); ConfigError for
        a range that holds no window that is over (checked before anything is created)."""
        return range_windows(self.config.windows, self.now(), start, end)

    def lists(self, reports: Sequence[str] | None = None) -> Lists:
        """Ids the config's slices need, from /v2/users, /v2/teams and /v2/tags (not reports)."""
        wanted = [r for r in self.config.reports if not reports or r.name in reports]
        return slice_ids(fetch_lists(self.client, needed_for_slices(wanted)))

    def plan(
        self, start=None, end=None, reports=None, full_refresh=False, lists=None, windows=None
    ) -> Plan:
        """The requests a run would make, without calling any report endpoint: windows not
        loaded yet and the lookback, plus units a Parquet folder lost (for it alone).
        ``windows``: these (of some grains) instead of the range's."""
        windows = self.windows(start, end) if windows is None else list(windows)
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

    # --- doors ---------------------------------------------------------------------------------

    def run(
        self,
        start=None,
        end=None,
        reports=None,
        full_refresh=False,
        *,
        wait: float = 0.0,
        progress: Progress | None = None,
        max_minutes: float | None = None,
        max_requests: int | None = None,
        grains: Sequence[str] | None = None,
    ) -> RunResult:
        """Load every planned unit from the API (of ``grains``, default every size); failures
        are collected, not raised. With a budget (minutes, requests), no unit starts once it
        is spent: the run is ``partial`` and the next one goes on. A stop request ends it in
        seconds, logged."""
        from .source_api import ApiSource

        scope = self.preflight(start, end, reports, grains)
        source = ApiSource(Budget(max_minutes, max_requests))
        return self._load(scope, source, wait=wait, full_refresh=full_refresh, progress=progress)

    def rebuild(self, start=None, end=None, reports=None, *, wait=0.0, progress=None):
        """The tables remade from the raw archive, with no API request (source_archive.py)."""
        from .source_archive import ArchiveSource

        scope = self.preflight(start, end, reports)
        return self._load(scope, ArchiveSource(), wait=wait, full_refresh=False, progress=progress)

    def check(self, reports=None, reconcile: bool = False, deadline: float | None = None):
        """The account, the reports' answers and the destinations checked (check.py): a
        request per report plus the lists, no table written, no state moved."""
        from .check import DEADLINE, check

        scope = self.preflight(reports=reports)
        with interrupt.scope(self.stop):
            result: CheckResult = check(self, scope, reconcile, deadline or DEADLINE)
        return result

    # --- the shared phases of a job that loads -------------------------------------------------

    def _load(self, scope: Scope, source: Source, *, wait, full_refresh, progress) -> RunResult:
        with interrupt.scope(self.stop), self.locked(wait):
            listings = source.start(self, scope, full_refresh)  # nothing written yet
            self.open(rebuild=full_refresh)
            removed = self.dest.adopt_config(scope.reports, rebuild=full_refresh)
            prepare_process()  # allocator settings, before the job's threads start
            result = RunResult(_run_id(), Plan([], list(scope.windows)), removed=removed)
            with self._run_log(result):
                if listings is not None:
                    self._load_snapshot(listings, result)
                result.plan = source.plan(self, scope, listings, result)
                loader = self._loader(result)
                try:
                    source.units(self, result, loader, progress)
                except KeyboardInterrupt as exc:  # Ctrl-C, SIGINT/SIGTERM, or job.stop
                    self.stop.set(getattr(exc, "exit_code", 130))
                    result.interrupted = result.interrupted or self.stop.exit_code
                finally:
                    # the units already handed over are committed; the rest load next run
                    loader.close()
                    result.unknown_keys = set(self.sink.unknown)
                    result.converted = dict(self.sink.converted)
        return result

    @contextlib.contextmanager
    def _run_log(self, result: RunResult) -> Iterator[None]:
        """The run log row: "running" from now, closed however the job ends."""
        started = dt.datetime.now(dt.UTC)
        self.log_run(result, started_at=started, status="running")
        try:
            yield
        except KeyboardInterrupt as exc:
            result.interrupted = result.interrupted or getattr(exc, "exit_code", 130)
            raise
        except BaseException as exc:
            text = str(exc) if isinstance(exc, HSExtractError) else f"{type(exc).__name__}: {exc}"
            result.error = text.splitlines()[0] if text else type(exc).__name__
            raise
        finally:
            finished = dt.datetime.now(dt.UTC)
            self.log_run(result, started_at=started, status=result.status, finished_at=finished)

    def _load_snapshot(self, listings: dict[str, list[dict]], result: RunResult) -> None:
        """Replace the dimension tables with these lists (a failure names the lists)."""
        try:
            tables = snapshot_tables(listings, result.run_id, self.sink)
            self.dest.write_snapshot(tables)
        except HSExtractError as exc:
            result.failures.append(("lists " + ", ".join(listings), str(exc)))
            return
        for name, table in tables.items():
            result.rows[name] += table.num_rows

    def _loader(self, result: RunResult) -> Loader:
        """The commit thread of this job: units, rows and failures counted into ``result``."""

        def loaded(unit: UnitData) -> None:
            with self.count_lock:
                result.units_loaded += 1
                for name, t in unit.tables.items():
                    result.rows[name] += t.num_rows

        def failed(unit: UnitData, message: str) -> None:
            result.fail(unit.label, message, self.count_lock)

        return Loader(lambda batch: self.dest.commit(batch, result.run_id), loaded, failed)

    def log_run(self, result: RunResult, **values) -> None:
        """Write the run log row of ``result`` (a failure to write it is said, not raised)."""
        stats = self._client.stats if self._client is not None else None
        values.update(
            units_planned=len(result.plan.units),
            units_loaded=result.units_loaded,
            units_failed=len(result.failures),
            requests=stats.requests if stats else 0,
            retries=stats.retries if stats else 0,
            rate_limited=stats.rate_limited if stats else 0,
            rows=sum(result.rows.values()),
            repeats_dropped=sum(result.repeats.values()),
            mismatches=len(result.mismatches),
            message=result.message,
        )
        try:
            self.dest.log_run(result.run_id, values)
        except Exception as exc:  # a dead database, a full disk: the job's outcome stands
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()
            result.log_error = reason[0] if reason else type(exc).__name__
            log.warning("the run could not be logged: %s", result.log_error)


def _run_id() -> str:
    return pendulum.now("UTC").format("YYYYMMDDTHHmmss") + "-" + uuid.uuid4().hex[:6]
