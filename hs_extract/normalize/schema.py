"""Declared table schemas for every report, built from the catalog and the field declarations.

Table names: a report's main table is the report's name (``user`` reads badly and is a
reserved word, so its tables are ``user_overall…``); a list (or one-row object) inside the
payload is the child table ``<main>__<section>``; a summary's ``deltas`` is ``<main>__deltas``.
Columns are API keys in snake_case (or the explicit name a field declares), nested objects
joined with ``__``. Every report table starts with the lineage and slice columns and ends with
``_extra``; dimension tables (users, teams, mailboxes, tags) carry ``loaded_at`` and
``run_id`` instead of a window.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa

from ..api.catalog import REPORTS, Kind, ReportSpec
from .fields import (
    BUSY_TIMES,
    RESULT_KEYS,
    RESULT_SETS,
    RESULTS,
    SERIES_VALUES,
    F,
    Many,
    One,
    Spec,
    T,
    rollup_text,
)
from .names import EXTRA_COLUMN, main_table
from .summaries import SUMMARIES

__all__ = [
    "EXTRA",
    "LINEAGE",
    "SLICES",
    "Column",
    "TableSpec",
    "main_table",
    "snake",
    "table_specs",
    "tables_of",
]

UTC_TS = T.TS.arrow
#: lineage columns, on every row: which window, which run, when
LINEAGE = (
    ("window_start", UTC_TS, "start of the window (UTC, inclusive)"),
    ("window_end", UTC_TS, "end of the window (UTC, exclusive)"),
    ("grain", pa.string(), "the window's size: day, week or month (windows.size; part of the key)"),
    ("extracted_at", UTC_TS, "when the rows were fetched"),
    ("run_id", pa.string(), "the run that loaded them"),
)
#: slice columns, on every row: the parameters that split a window into slices
SLICES = (
    ("user_id", pa.int64(), "user or team id (user reports; join users.id or teams.id)"),
    ("field", pa.string(), "drilldown field: tagid, replyid, workflowid, customerid"),
    ("field_id", pa.int64(), "id of that tag, saved reply, workflow or customer"),
    ("range", pa.string(), "company drilldown range"),
    ("range_id", pa.int64(), "company drilldown range id"),
    ("rating", pa.string(), "ratings filter: great, ok, not-good, all"),
    ("status", pa.string(), "conversation history status filter"),
    ("filters", pa.string(), "canonical text of the filters (empty: none)"),
)
#: lineage of dimension tables: a snapshot, not a window
SNAPSHOT = (
    ("loaded_at", UTC_TS, "when this snapshot of the list was fetched"),
    ("run_id", pa.string(), "the run that loaded it"),
)
EXTRA = (EXTRA_COLUMN, pa.string(), "JSON of keys the schema does not know (jsonb in PostgreSQL)")
SLICE_NAMES = tuple(name for name, _, _ in SLICES)


def snake(key: str) -> str:
    """``customerEmail`` → ``customer_email``; ``mailboxid`` stays ``mailboxid`` (fields
    declare an explicit name for run-together keys)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


#: payload keys that would collide with a lineage or slice column, and their column names
RENAMES = {"status": "conversation_status"}
RESERVED = {name for name, _, _ in (*LINEAGE, *SLICES, *SNAPSHOT, EXTRA)}


def column_name(prefix: str, key: str, explicit: str | None = None) -> str:
    """Column of ``key`` under ``prefix``: the declared name or snake_case, renamed if it
    collides with a lineage column."""
    name = prefix + (explicit or snake(key))
    if name in RESERVED:
        return RENAMES.get(name, name + "_value")
    return name


@dataclass(frozen=True)
class Column:
    """A data column: where it comes from in the row object, its declared type and meaning."""

    name: str
    type: pa.DataType
    source: tuple[str, ...] = ()
    doc: str = ""
    unit: str = ""
    #: other keys of the same value (read when ``source``'s last key is absent)
    aliases: tuple[str, ...] = ()
    #: the API sends the value as text (an id in quotes): its conversion is expected
    as_text: bool = False
    #: how the metric combines over windows (fields.SUM, NONE, weighted(…)); "": no metric
    rollup: str = ""

    @property
    def described(self) -> str:
        """Meaning, unit and roll-up rule in one phrase (column comments, Parquet metadata)."""
        notes = "; ".join(
            n for n in (self.unit, rollup_text(self.rollup) if self.rollup else "") if n
        )
        return f"{self.doc} [{notes}]" if notes else self.doc

    def metadata(self) -> dict[str, str]:
        """The Parquet field metadata: doc, unit and roll-up rule."""
        meta = {"doc": self.doc, "unit": self.unit, "rollup": self.rollup}
        return {k: v for k, v in meta.items() if v}


@dataclass(frozen=True)
class TableSpec:
    """One output table of one report (or one dimension)."""

    name: str
    report: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    parent: str | None = None
    #: the columns before the data columns: a window and slice, or a snapshot
    lineage: tuple[tuple[str, pa.DataType, str], ...] = (*LINEAGE, *SLICES)
    notes: tuple[str, ...] = field(default=())

    @property
    def dimension(self) -> bool:
        return self.lineage == SNAPSHOT

    @property
    def schema(self) -> pa.Schema:
        """Lineage, slices, data columns, then ``_extra``: the declared Arrow schema."""
        fields = [pa.field(n, t, metadata={"doc": d}) for n, t, d in self.lineage]
        fields += [pa.field(c.name, c.type, metadata=c.metadata()) for c in self.columns]
        fields.append(pa.field(EXTRA[0], EXTRA[1], metadata={"doc": EXTRA[2]}))
        return pa.schema(fields)

    @property
    def full_key(self) -> tuple[str, ...]:
        """The row key: window and slice, then the table's own key columns."""
        if self.dimension:
            return self.key
        return ("grain", "window_start", *SLICE_NAMES, *self.key)


def _column(prefix: tuple[str, ...], key: str, kind: F) -> Column:
    if not isinstance(kind, F):
        raise TypeError(f"{'.'.join((*prefix, key))}: declare fields as F, not {kind!r}")
    prefix_text = "".join(snake(p) + "__" for p in prefix)
    name = column_name(prefix_text, key, kind.name)
    return Column(
        name,
        kind.type.arrow,
        (*prefix, key),
        kind.doc,
        kind.unit,
        kind.aliases,
        kind.as_text,
        kind.rollup,
    )


def flatten(spec: Spec, prefix: tuple[str, ...] = ()) -> list[Column]:
    """The scalar columns of an object spec (nested objects joined with ``__``)."""
    out: list[Column] = []
    for key, kind in spec.items():
        if isinstance(kind, (Many, One)):
            continue
        if isinstance(kind, Mapping):
            out += flatten(kind, (*prefix, key))
        else:
            out.append(_column(prefix, key, kind))
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


def _child_specs(
    base: str, report: str, parent: str, spec: Spec, period: bool = False, **kw: Any
) -> list[TableSpec]:
    """The child tables below ``spec``; with ``period``, lists inside a period's metrics,
    whose rows carry their parent row's period."""
    out = []
    for path, kind in children(spec):
        name = f"{base}__{kind.table}"
        where = ".".join(path)
        if isinstance(kind, One):
            cols = flatten(kind.item)
            grain = f"one row per window and slice ({where})"
            out.append(TableSpec(name, report, grain, (), tuple(cols), parent, **kw))
            out += _child_specs(base, report, name, kind.item, **kw)
            continue
        lead = (
            [Column(kind.parent_key, pa.int64(), doc="key of the parent row", unit="id")]
            if (kind.parent_key)
            else []
        )
        lead.append(Column("idx", pa.int64(), doc="position in the list, from 0", unit="index"))
        if isinstance(kind.item, F):
            item = kind.item
            cols = [
                Column(kind.value, item.type.arrow, (), item.doc, item.unit, rollup=item.rollup)
            ]
        else:
            cols = flatten(kind.item)
        if kind.label:  # several sections feed this table: name the one a row came from
            lead.insert(0, Column(kind.label, pa.string(), doc="section the row came from"))
        if period:
            lead.insert(0, PERIOD)
        key = tuple(c.name for c in lead)
        grain = f"one row per item of {where}"
        out.append(TableSpec(name, report, grain, key, tuple(lead + cols), parent, **kw))
        if isinstance(kind.item, Mapping):
            out += _child_specs(base, report, name, kind.item, **kw)
    return _merge(out)


def _merge(specs: list[TableSpec]) -> list[TableSpec]:
    """Several sections feeding one table (histograms → ranges) become one spec."""
    merged: dict[str, TableSpec] = {}
    for s in specs:
        if s.name in merged:
            old = merged[s.name]
            names = {c.name for c in old.columns}
            cols = old.columns + tuple(c for c in s.columns if c.name not in names)
            s = TableSpec(s.name, s.report, s.grain, old.key, cols, s.parent, s.lineage)
        merged[s.name] = s
    return list(merged.values())


PERIOD = Column(
    "period",
    pa.string(),
    doc="current: the window; previous: the comparison window before it (compare_previous)",
)
WINDOW_LEVEL = "window-level value (current row only)"
PREVIOUS_NOTE = (
    "`previous` rows describe the comparison window just before the row's window (its "
    "`window_start`/`window_end` stay the current window's); they exist with "
    "`windows.compare_previous: true`."
)


def _summary(spec: ReportSpec) -> list[TableSpec]:
    f = SUMMARIES[spec.name]
    base = main_table(spec.name)
    window = [dataclasses.replace(c, doc=f"{c.doc} ({WINDOW_LEVEL})") for c in flatten(f.sections)]
    main = TableSpec(
        base,
        spec.name,
        "one row per period (current, previous) per window and slice",
        ("period",),
        (PERIOD, *flatten(f.metrics), *window),
        notes=(PREVIOUS_NOTE,),
    )
    deltas = TableSpec(
        f"{base}__deltas",
        spec.name,
        "one row per window and slice: each metric's percent change, current against previous",
        (),
        tuple(flatten(f.deltas)),
        base,
        notes=("Rows exist with `windows.compare_previous: true` (Help Scout sends deltas then).",),
    )
    out = [main, deltas, *_child_specs(base, spec.name, base, f.sections)]
    out += _child_specs(base, spec.name, base, f.metrics, period=True)
    for section, (item, table) in f.per_period.items():
        cols = (PERIOD, *flatten(item))
        out.append(
            TableSpec(
                f"{base}__{table}",
                spec.name,
                f"one row per item of {section} and period",
                ("id", "period"),
                cols,
                base,
            )
        )
    return out


def _series(spec: ReportSpec) -> list[TableSpec]:
    values: dict[str, Column] = {}
    for layout in spec.series[:1]:
        for v in layout.values:
            fld = SERIES_VALUES[v]
            doc = fld.doc.format(title=spec.title)
            values[v] = Column(snake(v), fld.type.arrow, (v,), doc, fld.unit, rollup=fld.rollup)
    date = Column("date", UTC_TS, doc="bucket start (UTC)", unit="UTC timestamp")
    grain = "one row per period and bucket"
    cols = (PERIOD, date, *values.values())
    base = main_table(spec.name)
    return [TableSpec(base, spec.name, grain, ("period", "date"), cols, notes=(PREVIOUS_NOTE,))]


def _paginated(spec: ReportSpec) -> list[TableSpec]:
    item = RESULTS[spec.name]
    position = Column(
        "position", pa.int64(), doc="0-based position of the result in the window", unit="index"
    )
    key = RESULT_KEYS.get(spec.name, ("id",))
    base = main_table(spec.name)
    lists = (f"Lists {RESULT_SETS[spec.name]}.",)
    main = TableSpec(
        base,
        spec.name,
        "one row per result (all pages)",
        key,
        (position, *flatten(item)),
        notes=lists,
    )
    return [main, *_child_specs(base, spec.name, base, item)]


def _list(spec: ReportSpec) -> list[TableSpec]:
    return [
        TableSpec(
            main_table(spec.name),
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
    """Every table of every report and every dimension, by name."""
    from .dimensions import dimension_tables  # the dimensions build on this module

    out: dict[str, TableSpec] = {}
    for t in [t for name in REPORTS for t in tables_of(name)] + list(dimension_tables()):
        if t.name in out:
            raise ValueError(f"table name {t.name!r} is declared twice")
        out[t.name] = t
    return out
