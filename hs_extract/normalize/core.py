"""Normalizers: report payloads to tidy, typed tables. Pure: no I/O, no clock.

``normalize(report, pages, meta)`` → ``{table name: pyarrow.Table}`` for every table of the
report (empty tables included, so a re-load of a window that became empty replaces its rows).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa

from ..api.catalog import REPORTS, Kind, ReportSpec, get_report
from ..dates import to_utc
from ..errors import NormalizeError
from .engine import Sink, TableBuilder, compile_plan
from .fast import read_pages, tables_from_pages
from .fields import BUSY_TIMES, RESULTS, Spec
from .names import filters_text
from .schema import main_table, tables_of
from .summaries import SUMMARIES

__all__ = ["RequestMeta", "Sink", "filters_text", "normalize", "normalize_json"]

PERIODS = ("current", "previous")


@dataclass(frozen=True)
class RequestMeta:
    """What the rows are about: the window, the slice, the run."""

    window_start: dt.datetime
    window_end: dt.datetime
    extracted_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    params: Mapping[str, Any] = field(default_factory=dict)
    #: the window's size (day, week, month): a column of every row
    grain: str = "day"

    @classmethod
    def for_params(cls, params: Mapping[str, Any], **kw: Any) -> RequestMeta:
        """Meta of one request: its window is its ``start_date``–``end_date``."""
        return cls(to_utc(params["start_date"]), to_utc(params["end_date"]), params=params, **kw)

    def constants(self) -> dict[str, Any]:
        p = self.params
        return {
            "window_start": self.window_start,
            "window_end": self.window_end,
            "grain": self.grain,
            "extracted_at": self.extracted_at,
            "run_id": self.run_id,
            "user_id": p.get("user"),
            "field": p.get("field"),
            "field_id": p.get("field_id"),
            "range": p.get("range"),
            "range_id": p.get("range_id"),
            "rating": p.get("rating"),
            "status": p.get("status"),
            "filters": filters_text(p),
        }


def _at(path: str) -> Callable[[int], str]:
    return lambda i: path


def _indexed(fmt: str) -> Callable[[int], str]:
    return lambda i: fmt.format(i)


def _obj(value: Any, report: str, path: str) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    raise NormalizeError(
        f"{report}: {path}: expected an object, got {type(value).__name__}",
        report=report,
        json_path=path,
    )


def _required(value: dict[str, Any] | None, report: str, path: str, what: str) -> dict[str, Any]:
    """``value``; NormalizeError when a declared object the report always has is null or
    missing."""
    if value is None:
        raise NormalizeError(
            f"{report}: {path}: null or missing; {report}'s answer always has {what}: its "
            "values can't be read",
            report=report,
            json_path=path,
        )
    return value


def _list(value: Any, report: str, path: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise NormalizeError(
        f"{report}: {path}: expected a list, got {type(value).__name__}",
        report=report,
        json_path=path,
    )


def _leftovers(
    b: TableBuilder, row: int | None, payload: dict[str, Any], known: Iterable[str], where: str
) -> None:
    """Keys outside any row: into ``row``'s ``_extra``. A window without any row has nowhere
    to keep them (a row needs a key): they are still reported as new keys."""
    extra = {k: v for k, v in payload.items() if k not in known}
    for k, v in extra.items():
        if row is not None:
            b.add_extra(row, k, v)
        b.sink.note(b.report, f"{where}.{k}")


def _summary(
    spec: ReportSpec, b: dict[str, TableBuilder], payload: Any, where: str, compared: bool
) -> None:
    main = b[main_table(spec.name)]
    payload = _obj(payload, spec.name, where) or {}
    f = SUMMARIES[spec.name]
    metrics = compile_plan(f.metrics)
    sections = compile_plan(f.sections)
    deltas = _obj(payload.get("deltas"), spec.name, f"{where}.deltas")
    if deltas is not None:  # percent changes: a table of their own, one row per window
        table = b[f"{main.base}__deltas"]
        row = table.new_rows(1, _at(f"{where}.deltas"))
        table.fill(compile_plan(f.deltas), [deltas], row, f"{where}.deltas")
    for period in PERIODS:
        obj = _obj(payload.get(period), spec.name, f"{where}.{period}")
        if period == "current" or (compared and spec.has_previous):
            _required(obj, spec.name, f"{where}.{period}", f"the {period} period's metrics")
        if obj is None:
            continue
        row = main.new_rows(1, _at(f"{where}.{period}"))
        main.set("period", row, [period])
        main.fill(metrics, [obj], row, f"{where}.{period}", required=True)
        if period == "current":  # window-level scalars, lists and unknown keys
            skip = {*PERIODS, "deltas", *f.per_period}
            window = {k: v for k, v in payload.items() if k not in skip}
            main.origins.append((row, _at(where)))
            main.fill(sections, [window], row, where)
            main.origins.pop()
    for section, (item, child_table) in f.per_period.items():
        _per_period(
            spec, b[f"{main.base}__{child_table}"], payload.get(section), item, f"{where}.{section}"
        )


def _per_period(spec: ReportSpec, child: TableBuilder, items: Any, item: Spec, where: str) -> None:
    """Lists whose items carry their own current/previous (phone users)."""
    plan = compile_plan(item)
    for i, it in enumerate(_list(items, spec.name, where)):
        it = _obj(it, spec.name, f"{where}[{i}]")
        if it is None:
            continue
        head = {k: v for k, v in it.items() if k not in ("current", "previous")}
        first = None
        for period in ("current", "previous"):
            obj = _obj(it.get(period), spec.name, f"{where}[{i}].{period}")
            if obj is None:
                continue
            row = child.new_rows(1, _at(f"{where}[{i}].{period}"))
            first = row if first is None else first
            child.set("period", row, [period])
            child.fill(plan, [{**head, **obj}], row, f"{where}[].{period}")
        if first is None:
            row = child.new_rows(1, _at(f"{where}[{i}]"))
            child.fill(plan, [head], row, f"{where}[]")


def _series(spec: ReportSpec, b: dict[str, TableBuilder], payload: Any, where: str) -> None:
    main = b[main_table(spec.name)]
    payload = _obj(payload, spec.name, where) or {}
    columns = [c.name for c in main.spec.columns if c.name not in ("period", "date")]
    first_row = None
    _required(payload.get("current"), spec.name, f"{where}.current", "the current period's points")
    for period in ("current", "previous"):
        points = _list(payload.get(period), spec.name, f"{where}.{period}")
        points = [p for p in points if p is not None]
        if not points:
            continue
        row = main.new_rows(len(points), _indexed(f"{where}.{period}[{{}}]"))
        main.check_items(points, dict, row, "", "an object")
        first_row = row if first_row is None else first_row
        main.set("period", row, [period] * len(points))
        for layout in spec.series:  # each point in the layout whose label it carries
            idx = [i for i, p in enumerate(points) if layout.label in p]
            if not idx:
                continue
            known = {layout.label, *layout.values}
            sub = [points[i] for i in idx]
            for i, p in zip(idx, sub, strict=True):
                main.cols["date"][row + i] = p.get(layout.label)
                for col, key in zip(columns, layout.values, strict=True):
                    main.cols[col][row + i] = p.get(key)
                if not known.issuperset(p):
                    for k in p.keys() - known:
                        main.add_extra(row + i, k, p[k])
                        main.sink.note(spec.name, f"{where}.{period}[].{k}")
        for i, p in enumerate(points):  # no known label: keep the whole point
            if not any(layout.label in p for layout in spec.series):
                for k, v in p.items():
                    main.add_extra(row + i, k, v)
                    main.sink.note(spec.name, f"{where}.{period}[].{k}")
    _leftovers(main, first_row, payload, {"current", "previous"}, where)


def _paginated(spec: ReportSpec, b: dict[str, TableBuilder], pages: Sequence[Any]) -> None:
    main = b[main_table(spec.name)]
    plan = compile_plan(RESULTS[spec.name])
    container = spec.page_container
    position = 0
    for n, answer in enumerate(pages):
        where = f"$[{n}]"
        page = _required(_obj(answer, spec.name, where), spec.name, where, "a page")
        box_where = f"{where}.{container}" if container else where
        inner = _obj(page.get(container), spec.name, box_where) if container else page
        box = _required(inner, spec.name, box_where, "the page's results")
        results = [
            r
            for r in _list(box.get(spec.results_key), spec.name, f"{box_where}.{spec.results_key}")
            if r is not None
        ]
        first = None
        if results:
            first = main.new_rows(len(results), _indexed(f"{box_where}.{spec.results_key}[{{}}]"))
            main.check_items(results, dict, first, "", "an object")
            main.set("position", first, list(range(position, position + len(results))))
            position += len(results)
            main.fill(plan, results, first, f"$.{container + '.' if container else ''}results[]")
        known = {"page", "pages", "count", spec.results_key}
        if not box.get("facets"):
            known.add("facets")
        _leftovers(main, first, box, known, box_where)
        if container:
            _leftovers(main, first, page, {container}, where)


def _busy(spec: ReportSpec, b: dict[str, TableBuilder], payload: Any, where: str) -> None:
    main = b[main_table(spec.name)]
    items = [r for r in _list(payload, spec.name, where) if r is not None]
    if items:
        row = main.new_rows(len(items), _indexed(f"{where}[{{}}]"))
        main.check_items(items, dict, row, "", "an object")
        main.fill(compile_plan(BUSY_TIMES), items, row, f"{where}[]")


def normalize(
    report: str | ReportSpec,
    pages: Any,
    meta: RequestMeta,
    sink: Sink | None = None,
) -> dict[str, pa.Table]:
    """Every table of ``report`` from its payload (a paginated report: the list of its pages)."""
    spec = report if isinstance(report, ReportSpec) else get_report(report)
    sink = sink or Sink()
    builders: dict[str, TableBuilder] = {}
    for t in tables_of(spec.name):
        builders[t.name] = TableBuilder(t, builders, sink)
    if spec.kind is Kind.PAGINATED:
        _paginated(spec, builders, pages if isinstance(pages, list) else [pages])
    elif spec.kind is Kind.SUMMARY:
        _summary(spec, builders, pages, "$", "previous_start_date" in meta.params)
    elif spec.kind is Kind.TIMESERIES:
        _series(spec, builders, pages, "$")
    else:
        _busy(spec, builders, pages, "$")
    constants = meta.constants()
    return {name: b.to_table(constants) for name, b in builders.items()}


def _keys_present(table: pa.Table, key: Sequence[str]) -> bool:
    return not any(table.column(k).null_count for k in key)


def normalize_json(
    report: str, raw_pages: Sequence[bytes], meta: RequestMeta, sink: Sink | None = None
) -> dict[str, pa.Table]:
    """``normalize`` from raw response bodies: paginated reports through Arrow's JSON reader
    when every page fits the schema, anything else through orjson and the Python path."""
    spec = REPORTS[report]
    if spec.paginated:
        parsed = read_pages(report, raw_pages)
        if parsed is not None:
            tables = tables_from_pages(report, parsed, meta.constants())
            if all(_keys_present(tables[t.name], t.key) for t in tables_of(report)):
                return tables
            # a result without its id: the Python path names its JSON path
    pages = [orjson.loads(p) for p in raw_pages]
    return normalize(spec, pages if spec.paginated else pages[0], meta, sink)
