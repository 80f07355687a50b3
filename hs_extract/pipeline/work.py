"""The work of one request: fetch (every page), archive, normalize, split into units, queue.

Takes a planned :class:`~.planner.Request`; hands the commit thread one
:class:`~hs_extract.load.sql.UnitData` per window, after the unit's archive record and Parquet
files are durable. It also records what the API said a unit holds (a drilldown's ``count``, the
pages announced) beside what landed, so a mismatch is reported, never silent.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..api.catalog import REPORTS, Kind
from ..api.client import ApiClient
from ..api.paging import Page, PageWalk
from ..load.archive import Archive
from ..load.parquet import ParquetDestination, unit_id
from ..load.sql import UnitData
from ..normalize import RequestMeta, Sink, main_table, normalize_json, table_specs
from .commit import Loader, RowBudget
from .pace import Pace
from .planner import Request, Unit
from .result import RunResult
from .units import dedupe_all, split_windows

__all__ = ["ALL_TARGETS", "Answers", "RequestWork", "archive_record"]

log = logging.getLogger("hs_extract.run")
ALL_TARGETS = frozenset({"parquet", "sql"})


@dataclass
class Answers:
    """What one request brought back: its bodies as received, each answer's record, and what
    the API said the listing holds."""

    bodies: list[bytes] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    count: int | None = None  # the listing's ``count``, as page 1 said
    pages: int | None = None  # the most pages any page announced


def archive_record(
    req: Request, w, meta: RequestMeta, answers: Answers, run_id: str, settings: dict
) -> dict:
    """The archive's record of unit ``w`` of ``req``: enough to normalize it again, and the
    settings it was fetched with (fingerprint.content)."""
    return {
        "report": req.report,
        "settings": settings,
        "slice": req.slice.key,
        "grain": w.grain,
        "window_start": w.start.isoformat(),
        "window_end": w.end.isoformat(),
        "window_date": w.label,
        "run_id": run_id,
        "extracted_at": meta.extracted_at.isoformat(),
        "request": {
            "params": dict(req.params),
            "window_start": meta.window_start.isoformat(),
            "window_end": meta.window_end.isoformat(),
        },
        "answers": [
            {**rec, "body": body.decode("utf-8", "surrogateescape")}
            for rec, body in zip(answers.records, answers.bodies, strict=True)
        ],
    }


class RequestWork:
    """Fetch, normalize and queue the units of requests (one instance per job; ``client``
    None: the answers come from elsewhere, and only :meth:`queue` is used)."""

    def __init__(
        self,
        client: ApiClient | None,
        sink: Sink,
        rows: RowBudget,
        parquet: ParquetDestination | None,
        archive: Archive | None,
        targets: Mapping[tuple, frozenset[str]],
        on_repeats: Callable[[dict], None],
        settings: Mapping[str, dict] | None = None,
    ) -> None:
        self.client, self.sink, self.rows = client, sink, rows
        self.parquet, self.archive, self.targets = parquet, archive, targets
        self.on_repeats = on_repeats
        self.settings = settings or {}  # report → what its units hold (fingerprint.content)
        self._lock = threading.Lock()

    def do(self, req: Request, result: RunResult, loader: Loader, pool: ThreadPoolExecutor) -> int:
        """Load one request's units; the pages it took."""
        spec = REPORTS[req.report]
        series = spec.kind is Kind.TIMESERIES
        meta = RequestMeta(
            window_start=req.params["start_date"] if series else req.windows[0].start,
            window_end=req.windows[-1].end,
            extracted_at=dt.datetime.now(dt.UTC),
            run_id=result.run_id,
            params=req.params,
            grain=req.slice.grain,
        )
        held = 0
        try:
            if spec.paginated:
                answers, held = self.fetch_pages(spec, req.params, pool, result.pace)
            else:
                answer = self._client().fetch(spec, raw=True, **req.params)
                answers = Answers([answer.body], [dict(answer.record)])
            tables = normalize_json(spec.name, answers.bodies, meta, self.sink)
            self.queue(req, tables, meta, loader, result, answers, archive=True)
        finally:
            self.rows.release(held)
        return len(answers.bodies)

    def _client(self) -> ApiClient:
        if self.client is None:
            raise RuntimeError("this RequestWork only queues answers it is given")
        return self.client

    def fetch_pages(
        self, spec, params, pool: ThreadPoolExecutor, pace: Pace | None = None
    ) -> tuple[Answers, int]:
        """Every page of one window, complete (the paging rule of api/paging.py): the first,
        then the rest side by side on ``pool`` once the first has told how many rows the unit
        holds and the row budget has room for them. The answers and the rows held."""

        def fetch(n: int) -> Page:
            # keep the bytes, drop the parsed page at once: Python objects cost ten times more
            answer = client.fetch_page(spec, n, raw=True, **params)
            page = Page.of(spec, n, answer.parsed, raw=answer.body, keep=False)
            records[n] = dict(answer.record)  # the page's own record, with its bytes
            return page

        client = self._client()
        records: dict[int, dict[str, Any]] = {}
        answers, held = Answers(), 0
        walk = PageWalk(spec, fetch, map_pages=pool.map, sleep=client.transport.sleep)
        try:
            for page in walk:
                if pace is not None and page.number == 1:  # the ETA counts the pages it
                    pace.first_page(page.pages or 1)  # announces, then each one fetched
                elif pace is not None:
                    pace.more_page()
                if page.number == 1:
                    answers.count = page.count
                    if page.results and (page.pages or 0) > 1:
                        held = self.rows.acquire(page.count or page.results * (page.pages or 1))
                answers.pages = max(answers.pages or 0, page.pages or 0) or None
                answers.bodies.append(page.raw or b"")
                answers.records.append(records.get(page.number, {}))
        except BaseException:
            self.rows.release(held)
            raise
        return answers, held

    def queue(
        self, req: Request, tables, meta, loader: Loader, result, answers: Answers, archive: bool
    ) -> None:
        """Split a request's tables into units; archive them, write their Parquet files, queue
        them for the commit (state moves only after all of that is durable)."""
        spec = REPORTS[req.report]
        main = main_table(spec.name)
        by_window = {w: tables for w in req.windows}
        if spec.kind is Kind.TIMESERIES:
            parts = split_windows(tables[main], req.windows)
            by_window = {w: {main: parts[w]} for w in req.windows}
        specs = table_specs()
        consts = meta.constants()
        for w, unit_tables in by_window.items():
            unit = Unit(req.report, req.slice, w)
            unit_tables, dropped = dedupe_all(unit_tables, specs)
            if dropped:
                self.on_repeats(dropped)
                log.warning("%s: repeated results dropped: %s", unit, dropped)
            if self.archive and archive:  # (a rebuild reads the archive: it keeps it as is)
                settings = self.settings.get(req.report, {})
                record = archive_record(req, w, meta, answers, result.run_id, settings)
                self.archive.write_unit(record)
            targets = self.targets.get(unit.state_key, ALL_TARGETS)
            if self.parquet and "parquet" in targets:  # atomic files; state waits for commit
                uid = unit_id(unit.report, unit.slice.key, w.start)
                self.parquet.write_unit(uid, w.label, unit_tables, main)
            landed = unit_tables[main].num_rows
            expected = answers.count if spec.paginated else None
            if expected is not None and expected != landed:
                with self._lock:
                    result.mismatches.append((str(unit), expected, landed))
                log.warning(
                    "%s: the API said %s results, %s landed",
                    unit,
                    expected,
                    landed,
                    extra={"event": "reconcile", "fields": {"unit": str(unit)}},
                )
            loader.put(
                UnitData(
                    unit.report,
                    unit.slice.key,
                    (w.start, w.end),
                    consts,
                    unit_tables,
                    landed,
                    dt.date.fromisoformat(w.label),
                    str(unit),
                    targets,
                    expected,
                    answers.pages if spec.paginated else None,
                    meta.extracted_at,
                )
            )


def decode_answers(record: dict) -> tuple[RequestMeta, Answers, dict[str, Any]]:
    """An archived record back to the meta, the bodies and the request parameters."""
    request = record["request"]
    params = dict(request["params"])
    meta = RequestMeta(
        window_start=dt.datetime.fromisoformat(request["window_start"]),
        window_end=dt.datetime.fromisoformat(request["window_end"]),
        extracted_at=dt.datetime.fromisoformat(record["extracted_at"]),
        run_id=record["run_id"],
        params=params,
        grain=record.get("grain", "day"),
    )
    bodies = [a["body"].encode("utf-8", "surrogateescape") for a in record["answers"]]
    return meta, Answers(bodies, [dict(a) for a in record["answers"]]), params
