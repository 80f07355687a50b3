"""JSON objects to typed Arrow columns: column-wise, fast, and losing nothing.

A :class:`Plan` is an object spec compiled once. A :class:`TableBuilder` collects the rows of
one table column by column (one list comprehension per column over a whole batch of objects),
books unknown keys into each row's ``_extra``, sends lists to child tables, and converts each
column to its declared Arrow type at the end. A value of the wrong shape raises
:class:`NormalizeError` naming its JSON path.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import NormalizeError
from .fields import F, Many, One, Spec
from .schema import TableSpec, column_name, main_table, snake
from .values import JSON_TYPES, convert, to_arrow

NoneType = type(None)


@dataclass
class Plan:
    """An object spec, compiled: which keys are scalars, nested objects, lists."""

    scalars: list[tuple[str, str]] = field(default_factory=list)  # key, column
    nested: list[tuple[str, Plan]] = field(default_factory=list)
    many: list[tuple[str, Many, Plan | None]] = field(default_factory=list)
    one: list[tuple[str, One, Plan]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # other key, column
    known: frozenset[str] = frozenset()


_PLANS: dict[tuple[int, str], tuple[Spec, Plan]] = {}


def compile_plan(spec: Spec, prefix: str = "") -> Plan:
    """The plan of ``spec`` whose columns are named ``prefix + snake(key)`` (compiled once)."""
    key = (id(spec), prefix)
    hit = _PLANS.get(key)
    if hit is None or hit[0] is not spec:  # specs are dicts: keyed by identity, kept alive here
        hit = _PLANS[key] = (spec, _build_plan(spec, prefix))
    return hit[1]


def _build_plan(spec: Spec, prefix: str) -> Plan:
    aliases = [a for kind in spec.values() if isinstance(kind, F) for a in kind.aliases]
    plan = Plan(known=frozenset([*spec, *aliases]))
    for key, kind in spec.items():
        if isinstance(kind, F):
            col = column_name(prefix, key, kind.name)
            plan.scalars.append((key, col))
            plan.aliases += [(alias, col) for alias in kind.aliases]
        elif isinstance(kind, Many):
            item = compile_plan(kind.item) if isinstance(kind.item, Mapping) else None
            plan.many.append((key, kind, item))
        elif isinstance(kind, One):
            plan.one.append((key, kind, compile_plan(kind.item)))
        else:
            plan.nested.append((key, compile_plan(kind, prefix + snake(key) + "__")))
    return plan


class Sink:
    """Where builders report keys the schema does not know (each once)."""

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.unknown: set[str] = set()
        #: values of another JSON type converted without loss ("36" for a count): where → what
        self.converted: dict[str, str] = {}
        self._lock = threading.Lock()

    def convert(self, report: str, where: str, what: str) -> None:
        """Note a lossless conversion at ``where`` (said once per job, the first place)."""
        key = f"{report}: {where}"
        with self._lock:
            if not any(k.startswith(f"{report}: ") and _same_place(k, key) for k in self.converted):
                self.converted[key] = what

    def note(self, report: str, where: str) -> None:
        if self.strict:
            raise NormalizeError(
                f"{report}: unknown key at {where} (strict mode rejects keys the schema does not "
                "declare)",
                report=report,
                json_path=where,
            )
        self.unknown.add(f"{report}: {where}")


_INDEX = re.compile(r"\[\d+\]")


def _same_place(a: str, b: str) -> bool:
    """Two JSON paths of the same declared field (list positions aside)."""
    return _INDEX.sub("[]", a) == _INDEX.sub("[]", b)


Origins = Sequence[tuple[int, Callable[[int], str]]]


def _path(origins: Origins, row: int) -> str:
    for start, origin in reversed(origins):
        if row >= start:
            return origin(row - start)
    return "$"


class TableBuilder:
    """The rows of one table, column by column."""

    def __init__(self, spec: TableSpec, tables: dict[str, TableBuilder], sink: Sink) -> None:
        self.spec, self.tables, self.sink = spec, tables, sink
        self.report = spec.report
        self.base = main_table(spec.report)  # child tables are <base>__<section>
        self.cols: dict[str, list[Any]] = {c.name: [] for c in spec.columns}
        self.extra: list[dict[str, Any] | None] = []
        self.n = 0
        self.origins: list[tuple[int, Callable[[int], str]]] = []

    # --- rows ------------------------------------------------------------------------------

    def new_rows(self, k: int, origin: Callable[[int], str]) -> int:
        """Allocate ``k`` rows of nulls; the index of the first. ``origin(i)`` is row i's path."""
        start = self.n
        for col in self.cols.values():
            col.extend([None] * k)
        self.extra.extend([None] * k)
        self.origins.append((start, origin))
        self.n += k
        return start

    def set(self, name: str, start: int, values: list[Any]) -> None:
        self.cols[name][start : start + len(values)] = values

    def path(self, row: int) -> str:
        """JSON path of the object row ``row`` came from."""
        return _path(self.origins, row)

    def frozen_path(self) -> Callable[[int], str]:
        """``path`` as the origins stand now: a child's error is raised later, after a
        section's origin was popped, and must still name the key it came from."""
        return functools.partial(_path, tuple(self.origins))

    def add_extra(self, row: int, key: str, value: Any) -> None:
        extra = self.extra[row]
        if extra is None:
            extra = self.extra[row] = {}
        extra[key] = value

    # --- filling ---------------------------------------------------------------------------

    def fill(
        self,
        plan: Plan,
        items: list[Any],
        start: int,
        where: str,
        prefix: str = "",
        section: str | None = None,
        required: bool = False,
    ) -> None:
        """Put ``items`` (objects or None) into rows ``start…`` following ``plan``
        (``required``: its nested objects are always there: null or missing fails)."""
        has_none = any(it is None for it in items)
        for key, col in plan.scalars:
            if has_none:
                self.set(col, start, [None if it is None else it.get(key) for it in items])
            else:
                self.set(col, start, [it.get(key) for it in items])
        for alias, col in plan.aliases:  # the same value under its other name
            values = self.cols[col]
            for i, it in enumerate(items):
                if it is not None and values[start + i] is None and alias in it:
                    values[start + i] = it[alias]
        known = plan.known
        for i, it in enumerate(items):
            if it is not None and not known.issuperset(it):
                for key in it.keys() - known:
                    self.add_extra(start + i, prefix + key, it[key])
                    self.sink.note(self.report, f"{where}.{key}")
        for key, nested in plan.nested:
            subs = [None if it is None else it.get(key) for it in items]
            if required:
                there = [it is not None for it in items]
                need: list[Any] = [s if ok else {} for s, ok in zip(subs, there, strict=True)]
                self.check_items(need, dict, start, prefix + key, "an object", required=True)
            self.check_items(subs, dict, start, prefix + key, "an object")
            self.fill(
                nested, subs, start, f"{where}.{key}", f"{prefix}{key}.", section or key, required
            )
        for key, kind, item_plan in plan.many:
            self._many(items, key, kind, item_plan, start, where, prefix, section)
        for key, one, one_plan in plan.one:
            subs = [None if it is None else it.get(key) for it in items]
            self.check_items(subs, dict, start, prefix + key, "an object")
            child = self.tables[f"{self.base}__{one.table}"]
            for i, sub in enumerate(subs):
                if sub is not None:
                    row = child.new_rows(1, self._child_origin(start + i, prefix + key))
                    child.fill(one_plan, [sub], row, f"{where}.{key}")

    def _child_origin(self, parent_row: int, suffix: str) -> Callable[[int], str]:
        path = self.frozen_path()
        return lambda i: f"{path(parent_row)}.{suffix}"

    def check_items(
        self,
        values: list[Any],
        expected: type,
        start: int,
        key: str,
        what: str,
        required: bool = False,
    ) -> None:
        """NormalizeError naming the JSON path of a value that is not ``expected`` (nor None,
        unless ``required``)."""
        for i, v in enumerate(values):
            if v is None and required:
                path = f"{self.path(start + i)}.{key}" if key else self.path(start + i)
                raise NormalizeError(
                    f"{self.report}: {path}: null or missing; the report always has this "
                    f"object ({what}): its values can't be read",
                    report=self.report,
                    json_path=path,
                )
            if v is not None and type(v) is not expected:
                path = f"{self.path(start + i)}.{key}" if key else self.path(start + i)
                raise NormalizeError(
                    f"{self.report}: {path}: expected {what}, got {type(v).__name__} {_preview(v)}",
                    report=self.report,
                    json_path=path,
                )

    def _many(
        self,
        items: list[Any],
        key: str,
        kind: Many,
        item_plan: Plan | None,
        start: int,
        where: str,
        prefix: str,
        section: str | None,
    ) -> None:
        lists = [None if it is None else it.get(key) for it in items]
        self.check_items(lists, list, start, prefix + key, "a list")
        child = self.tables[f"{self.base}__{kind.table}"]
        parent_ids, idxs, objs, origins = [], [], [], []
        for i, (it, lst) in enumerate(zip(items, lists, strict=True)):
            if not lst:
                continue
            pid = it.get("id") if kind.parent_key else None
            for j, obj in enumerate(lst):
                if obj is None and item_plan is not None:
                    continue
                parent_ids.append(pid)
                idxs.append(j)
                objs.append(obj)
                origins.append((start + i, j))
        if not objs:
            return
        path = self.frozen_path()

        def origin(r: int) -> str:
            parent, j = origins[r]
            return f"{path(parent)}.{prefix}{key}[{j}]"

        row = child.new_rows(len(objs), origin)
        if kind.parent_key:
            child.set(kind.parent_key, row, parent_ids)
        child.set("idx", row, idxs)
        if "period" in child.cols and "period" in self.cols:  # a list in a period's metrics
            periods = self.cols["period"]
            child.set("period", row, [periods[parent] for parent, _ in origins])
        if kind.label:
            child.set(kind.label, row, [section] * len(objs))
        if item_plan is None:
            child.set(kind.value, row, objs)
            return
        child.check_items(objs, dict, row, "", "an object")
        child.fill(item_plan, objs, row, f"{where}.{key}[]")

    # --- output ----------------------------------------------------------------------------

    def to_table(self, constants: Mapping[str, Any]) -> pa.Table:
        """The rows as a table with the declared schema; lineage and slices from ``constants``."""
        schema = self.spec.schema
        arrays = []
        for f in schema:
            if f.name in self.cols:
                column = next(c for c in self.spec.columns if c.name == f.name)
                arrays.append(self._array(column.name, column.source, f.type))
            elif f.name == "_extra":
                arrays.append(
                    pa.array([None if e is None else _json(e) for e in self.extra], pa.string())
                )
            else:
                arrays.append(pa.repeat(pa.scalar(constants.get(f.name), f.type), self.n))
        table = without_nul(pa.Table.from_arrays(arrays, schema=schema))
        self._check_keys(table)
        return table

    def _check_keys(self, table: pa.Table) -> None:
        """A row whose key is missing has no identity: fail, naming the first such value."""
        for name in self.spec.key:
            column = table.column(name)
            if not column.null_count:
                continue
            row = column.is_null().to_pylist().index(True)
            source = next((c.source for c in self.spec.columns if c.name == name), ())
            path = f"{self.path(row)}.{'.'.join(source)}" if source else self.path(row)
            raise NormalizeError(
                f"{self.report}: {path}: missing; {self.spec.name}.{name} is part of the row's "
                "key and can't be null",
                report=self.report,
                json_path=path,
            )

    def _array(self, name: str, source: tuple[str, ...], typ: pa.DataType) -> pa.Array:
        values = self.cols[name]
        try:
            array, converted = convert(values, typ)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            array = None
        if array is not None:
            if converted:
                self._converted(values, source, name, typ)
            return array
        # the slow path: value by value, to name the culprit's path; values of mixed kinds
        # that each convert losslessly ("12" among ints) are converted one by one
        parts = []
        for i, v in enumerate(values):
            try:
                parts.append(to_arrow([v], typ))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
                path = self._value_path(i, source, name)
                raise NormalizeError(
                    f"{self.report}: {path}: expected {typ}, got {type(v).__name__} {_preview(v)}",
                    report=self.report,
                    json_path=path,
                ) from None
        self._converted(values, source, name, typ)
        return pa.concat_arrays(parts) if parts else pa.array([], typ)

    def _value_path(self, row: int, source: tuple[str, ...], name: str) -> str:
        key = ".".join(source) or name
        return f"{self.path(row)}.{key}" if source else self.path(row)

    def _converted(
        self, values: list[Any], source: tuple[str, ...], name: str, typ: pa.DataType
    ) -> None:
        """Say where a value of another JSON type was converted (the first one)."""
        ok = JSON_TYPES.get(typ, ())
        column = next((c for c in self.spec.columns if c.name == name), None)
        if column is not None and column.as_text:
            ok = (*ok, str)  # declared as sent in quotes
        for i, v in enumerate(values):
            if v is not None and type(v) not in ok:
                what = f"{type(v).__name__} {_preview(v)} converted to {typ} without loss"
                self.sink.convert(self.report, self._value_path(i, source, name), what)
                return


JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _json(value: Any) -> str:
    text = orjson.dumps(value, option=JSON_OPTIONS).decode()
    if "\\u0000" in text:  # maybe a NUL: PostgreSQL's jsonb refuses it (see without_nul)
        text = orjson.dumps(_strip_nul(value), option=JSON_OPTIONS).decode()
    return text


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    return value


NUL = "\x00"


def without_nul(table: pa.Table) -> pa.Table:
    """``table`` with NUL characters removed from its strings. PostgreSQL's text and jsonb
    can't hold one, so every destination drops it alike: the same value everywhere."""
    for i, column_field in enumerate(table.schema):
        if not pa.types.is_string(column_field.type):
            continue
        column = table.column(i)
        if column.null_count == len(column) or not pc.any(pc.match_substring(column, NUL)).as_py():
            continue
        table = table.set_column(i, column_field, pc.replace_substring(column, NUL, ""))
    return table


def _preview(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."
