"""Declared table schemas for every report, built from the catalog and the field declarations.

Table names: a report's main table is the report's name; a list (or one-row object) inside the
payload is the child table ``<report>__<section>``. Columns are API keys in snake_case, nested
objects joined with ``__``. Every table starts with the lineage and slice columns and ends with
``_extra``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa

from ..api.catalog import REPORTS, Kind, ReportSpec
from .fields import (
    BUSY_TIMES,
    RESULT_KEYS,
    RESULTS,
    SERIES_VALUES,
    Many,
    One,
    Spec,
    T,
)
from .summaries import SUMMARIES

__all__ = [
    "EXTRA",
    "LINEAGE",
    "SLICES",
    "Column",
    "TableSpec",
    "snake",
    "table_specs",
    "tables_of",
]

UTC_TS = T.TS.arrow
#: lineage columns, on every row: which window, which run, when
LINEAGE = (
    ("window_start", UTC_TS, "start of the window (UTC, inclusive)"),
    ("window_end", UTC_TS, "end of the window (UTC, exclusive)"),
    ("extracted_at", UTC_TS, "when the rows were fetched"),
    ("run_id", pa.string(), "the run that loaded them"),
)
#: slice columns, on every row: the parameters that split a window into slices
SLICES = (
    ("user_id", pa.int64(), "user or team id (user reports)"),
    ("field", pa.string(), "drilldown field: tagid, replyid, workflowid, customerid"),
    ("field_id", pa.int64(), "id of that tag, saved reply, workflow or customer"),
    ("range", pa.string(), "company drilldown range"),
    ("range_id", pa.int64(), "company drilldown range id"),
    ("rating", pa.string(), "ratings filter: great, ok, not-good, all"),
    ("status", pa.string(), "conversation history status filter"),
    ("filters", pa.string(), "canonical text of the filters (empty: none)"),
)
EXTRA = ("_extra", pa.string(), "JSON text of keys the schema does not know")
SLICE_NAMES = tuple(name for name, _, _ in SLICES)


def snake(key: str) -> str:
    """``customerEmail`` → ``customer_email``; ``mailboxid`` stays ``mailboxid``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


#: payload keys that would collide with a lineage or slice column, and their column names
RENAMES = {"status": "conversation_status"}
RESERVED = {name for name, _, _ in (*LINEAGE, *SLICES, EXTRA)}


def column_name(prefix: str, key: str) -> str:
    """Column of ``key`` under ``prefix``: snake_case, renamed if it collides with lineage."""
    name = prefix + snake(key)
    if name in RESERVED:
        return RENAMES.get(name, name + "_value")
    return name


@dataclass(frozen=True)
class Column:
    """A data column: where it comes from in the row object, and its declared type."""

    name: str
    type: pa.DataType
    source: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One output table of one report."""

    name: str
    report: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    parent: str | None = None
    extra_columns: tuple[tuple[str, pa.DataType, str], ...] = field(default=())

    @property
    def schema(self) -> pa.Schema:
        """Lineage, slices, data columns, then ``_extra``: the declared Arrow schema."""
        fields = [pa.field(n, t, metadata={"doc": d}) for n, t, d in LINEAGE + SLICES]
        fields += [pa.field(c.name, c.type, metadata={"doc": c.doc}) for c in self.columns]
        fields.append(pa.field(EXTRA[0], EXTRA[1], metadata={"doc": EXTRA[2]}))
        return pa.schema(fields)

    @property
    def full_key(self) -> tuple[str, ...]:
        """The row key: window and slice, then the table's own key columns."""
        return ("window_start", *SLICE_NAMES, *self.key)


def flatten(spec: Spec, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The scalar columns of an object spec (nested objects joined with ``__``)."""
    out: list[Column] = []
    for key, kind in spec.items():
        path = (*prefix, key)
        if isinstance(kind, T):
            prefix_text = "".join(snake(p) + "__" for p in prefix)
            out.append(Column(column_name(prefix_text, key), kind.arrow, path))
        elif isinstance(kind, Mapping):
            out += flatten(kind, path)
    return out


def children(spec: Spec, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Many | One]]:
    """Every list or one-row object below ``spec``, with its path."""
    out = []
    for key, kind in spec.items():
        path = (*prefix, key)
        if isinstance(kind, (Many, One)):
            out.append((path, kind))
        elif isinstance(kind, Mapping):
            out += children(kind, path)
    return out


def _child_specs(report: str, parent: str, spec: Spec) -> list[TableSpec]:
    out = []
    for path, kind in children(spec):
        name = f"{report}__{kind.table}"
        if isinstance(kind, One):
            cols = flatten(kind.item)
            out.append(
                TableSpec(
                    name, report, f"one row per window ({'.'.join(path)})", (), tuple(cols), parent
                )
            )
            out += _child_specs(report, name, kind.item)
            continue
        lead = (
            [Column(kind.parent_key, pa.int64(), doc="key of the parent row")]
            if (kind.parent_key)
            else []
        )
        lead.append(Column("idx", pa.int64(), doc="position in the list"))
        if isinstance(kind.item, T):
            cols = [Column(kind.value, kind.item.arrow, ())]
        else:
            cols = flatten(kind.item)
        if kind.label:  # several sections feed this table: name the one a row came from
            lead.insert(0, Column(kind.label, pa.string(), doc="section the row came from"))
        key = tuple(c.name for c in lead)
        grain = f"one row per item of {'.'.join(path)}"
        out.append(TableSpec(name, report, grain, key, tuple(lead + cols), parent))
        if isinstance(kind.item, Mapping):
            out += _child_specs(report, name, kind.item)
    return _merge(out)


def _merge(specs: list[TableSpec]) -> list[TableSpec]:
    """Several sections feeding one table (histograms → ranges) become one spec."""
    merged: dict[str, TableSpec] = {}
    for s in specs:
        if s.name in merged:
            old = merged[s.name]
            names = {c.name for c in old.columns}
            cols = old.columns + tuple(c for c in s.columns if c.name not in names)
            s = TableSpec(s.name, s.report, s.grain, old.key, cols, s.parent)
        merged[s.name] = s
    return list(merged.values())


PERIOD = Column("period", pa.string(), doc="current, previous or deltas")


def _summary(spec: ReportSpec) -> list[TableSpec]:
    f = SUMMARIES[spec.name]
    window = [
        Column(c.name, c.type, c.source, "window-level value (current row only)")
        for c in flatten(f.sections)
    ]
    main = TableSpec(
        spec.name,
        spec.name,
        "one row per period (current, previous, deltas)",
        ("period",),
        (PERIOD, *flatten(f.metrics), *window),
    )
    out = [main, *_child_specs(spec.name, spec.name, f.sections)]
    for section, (item, table) in (f.per_period or {}).items():
        cols = (PERIOD, *flatten(item))
        out.append(
            TableSpec(
                f"{spec.name}__{table}",
                spec.name,
                f"one row per item of {section} and period",
                ("id", "period"),
                cols,
                spec.name,
            )
        )
    return out


def _series(spec: ReportSpec) -> list[TableSpec]:
    values: dict[str, Column] = {}
    for layout in spec.series[:1]:
        for v in layout.values:
            values[v] = Column(snake(v), SERIES_VALUES.get(v, T.INT).arrow, (v,))
    date = Column("date", UTC_TS, doc="bucket start (UTC)")
    grain = "one row per period and bucket"
    return [
        TableSpec(spec.name, spec.name, grain, ("period", "date"), (PERIOD, date, *values.values()))
    ]


def _paginated(spec: ReportSpec) -> list[TableSpec]:
    item = RESULTS[spec.name]
    position = Column("position", pa.int64(), doc="0-based position of the result in the window")
    key = RESULT_KEYS.get(spec.name, ("id",))
    main = TableSpec(
        spec.name, spec.name, "one row per result (all pages)", key, (position, *flatten(item))
    )
    return [main, *_child_specs(spec.name, spec.name, item)]


def _list(spec: ReportSpec) -> list[TableSpec]:
    return [
        TableSpec(
            spec.name,
            spec.name,
            "one row per day and hour (company time zone)",
            ("day", "hour"),
            tuple(flatten(BUSY_TIMES)),
        )
    ]


BUILDERS = {
    Kind.SUMMARY: _summary,
    Kind.TIMESERIES: _series,
    Kind.PAGINATED: _paginated,
    Kind.LIST: _list,
}


@cache
def tables_of(report: str) -> tuple[TableSpec, ...]:
    """The tables one report produces, main table first."""
    spec = REPORTS[report]
    return tuple(BUILDERS[spec.kind](spec))


@cache
def table_specs() -> dict[str, TableSpec]:
    """Every table of every report, by name."""
    out: dict[str, TableSpec] = {}
    for name in REPORTS:
        for t in tables_of(name):
            if t.name in out:
                raise ValueError(f"table name {t.name!r} is declared twice")
            out[t.name] = t
    return out
