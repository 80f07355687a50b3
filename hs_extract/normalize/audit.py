"""A payload against its declarations: new keys, declared keys it lacks, values of the wrong type.

``hs-extract check`` shows these for one answer of each report, each with its JSON path, so a
difference between the real API and what hs_extract declares is seen before a backfill (the
run itself keeps new keys in ``_extra`` and fails a unit on a wrong type). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from ..api.catalog import REPORTS, Kind
from .fields import BUSY_TIMES, RESULTS, SERIES_VALUES, F, Many, One, Spec
from .summaries import SUMMARIES
from .values import JSON_TYPES, to_arrow

__all__ = ["Finding", "audit"]

#: how many items of each list are looked at (the first ones say enough)
SAMPLE = 20
#: keys a list endpoint or a page carries besides what the tables hold
PAGE_KEYS = {"page", "pages", "count", "facets"}


@dataclass(frozen=True)
class Finding:
    """One difference: ``kind`` is ``new key``, ``absent``, ``wrong type`` or ``null object``
    (an object the report always has is null or missing: a run fails the unit); ``path``
    the first place it was seen, ``count`` how many sampled places show it."""

    kind: str
    path: str
    detail: str = ""
    count: int = 1

    #: differences that make ``check`` fail (an absent key is a note: Help Scout leaves
    #: optional fields out, e.g. the user drilldown has no customerEmail)
    @property
    def serious(self) -> bool:
        return self.kind != "absent"

    def __str__(self) -> str:
        times = f" ({self.count} places)" if self.count > 1 else ""
        return f"{self.kind} at {self.path}{times}" + (f": {self.detail}" if self.detail else "")


def audit(report: str, payload: Any) -> list[Finding]:
    """The differences between one answer of ``report`` and its declared fields, one per
    kind and place (list items sampled, the same difference in many items counted once)."""
    found = _differences(report, payload)
    grouped: dict[tuple[str, str], Finding] = {}
    for x in found:
        key = (x.kind, _INDEX.sub("[]", x.path))
        first = grouped.get(key)
        grouped[key] = x if first is None else replace(first, count=first.count + 1)
    return list(grouped.values())


_INDEX = re.compile(r"\[\d+\]")


def _differences(report: str, payload: Any) -> list[Finding]:
    spec = REPORTS[report]
    out: list[Finding] = []
    if spec.kind is Kind.SUMMARY:
        f = SUMMARIES[report]
        if not isinstance(payload, dict):
            return [Finding("wrong type", "$", f"expected an object, got {type(payload).__name__}")]
        for period in ("current", "previous"):
            if period in payload or period == "current":
                _walk(f.metrics, payload.get(period), f"$.{period}", out, required=True)
        if "deltas" in payload:
            _walk(f.deltas, payload["deltas"], "$.deltas", out, absent=False)
        skip = {"current", "previous", "deltas", *f.per_period}
        _walk(f.sections, {k: v for k, v in payload.items() if k not in skip}, "$", out)
        for section, (item, _table) in f.per_period.items():
            for i, it in enumerate(_sample(payload.get(section))):
                if not isinstance(it, dict):
                    out.append(Finding("wrong type", f"$.{section}[{i}]", "expected an object"))
                    continue
                head = {k: v for k, v in it.items() if k not in ("current", "previous")}
                for period in ("current", "previous"):
                    if isinstance(it.get(period), dict):
                        _walk(item, {**head, **it[period]}, f"$.{section}[{i}].{period}", out)
        return out
    if spec.kind is Kind.TIMESERIES:
        labels = {layout.label for layout in spec.series}
        for period in ("current", "previous"):
            points = payload.get(period, []) if isinstance(payload, dict) else None
            if period == "current" and points is None:
                out.append(_null("$.current"))
                continue
            if not isinstance(points, list):
                out.append(Finding("wrong type", f"$.{period}", "expected a list of points"))
                continue
            for i, point in enumerate(_sample(points)):
                if not isinstance(point, dict):
                    continue
                layout = next((lo for lo in spec.series if lo.label in point), spec.series[0])
                declared = {v: SERIES_VALUES[v] for v in layout.values}
                _walk(
                    declared,
                    {k: v for k, v in point.items() if k not in labels},
                    f"$.{period}[{i}]",
                    out,
                )
        return out
    if spec.kind is Kind.PAGINATED:
        box = payload.get(spec.page_container) if spec.page_container else payload
        if box is None:
            return [_null(f"$.{spec.page_container}" if spec.page_container else "$")]
        if not isinstance(box, dict):
            return [Finding("wrong type", "$", "expected an object with the page's results")]
        where = f"$.{spec.page_container}" if spec.page_container else "$"
        for key in set(box) - PAGE_KEYS - {spec.results_key}:
            out.append(Finding("new key", f"{where}.{key}", _preview(box[key])))
        for i, item in enumerate(_sample(box.get(spec.results_key))):
            _walk(RESULTS[report], item, f"{where}.{spec.results_key}[{i}]", out)
        return out
    for i, item in enumerate(_sample(payload)):
        _walk(BUSY_TIMES, item, f"$[{i}]", out)
    return out


def _sample(items: Any) -> list[Any]:
    return items[:SAMPLE] if isinstance(items, list) else []


def _null(path: str) -> Finding:
    return Finding("null object", path, "null or missing; the report always has it")


def _walk(
    spec: Spec,
    value: Any,
    path: str,
    out: list[Finding],
    absent: bool = True,
    required: bool = False,
) -> None:
    """Differences of ``value`` from ``spec`` (``required``: the object, and the objects
    nested in it, are always there)."""
    if value is None:
        if required:
            out.append(_null(path))
        return
    if not isinstance(value, dict):
        out.append(Finding("wrong type", path, f"expected an object, got {type(value).__name__}"))
        return
    aliases = {a for kind in spec.values() if isinstance(kind, F) for a in kind.aliases}
    for key, kind in spec.items():
        here = f"{path}.{key}"
        if key not in value and isinstance(kind, F) and kind.aliases:
            key = next((a for a in kind.aliases if a in value), key)  # its other name
        if key not in value:
            if absent and isinstance(kind, F):
                out.append(Finding("absent", here, "declared, not in the answer"))
            elif required and _nested(kind):
                out.append(_null(here))
            continue
        v = value[key]
        if isinstance(kind, F):
            _scalar(kind, v, here, out)
        elif isinstance(kind, Many):
            if v is not None and not isinstance(v, list):
                out.append(Finding("wrong type", here, f"expected a list, got {type(v).__name__}"))
                continue
            for i, item in enumerate((v or [])[:SAMPLE]):
                if isinstance(kind.item, F):
                    _scalar(kind.item, item, f"{here}[{i}]", out)
                else:
                    _walk(kind.item, item, f"{here}[{i}]", out, absent)
        elif isinstance(kind, One):
            _walk(kind.item, v, here, out, absent)
        elif isinstance(kind, Mapping):
            _walk(kind, v, here, out, absent, required)
    for key in sorted(value.keys() - spec.keys() - aliases):
        out.append(Finding("new key", f"{path}.{key}", _preview(value[key])))


def _nested(kind: Any) -> bool:
    """A nested object flattened into its parent's row (not a list, not a child table)."""
    return isinstance(kind, Mapping)


def _scalar(kind: F, v: Any, path: str, out: list[Finding]) -> None:
    """A value of another JSON type than declared is a difference, even one a run converts
    without loss ("36" for a count: the run says so once and loads 36)."""
    if v is None:
        return
    typ = kind.type.arrow
    if type(v) in JSON_TYPES.get(typ, ()) or (kind.as_text and isinstance(v, str)):
        try:
            to_arrow([v], typ)
            return
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            pass
    out.append(Finding("wrong type", path, f"expected {typ}, got {_preview(v)}"))


def _preview(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."
