"""From a request's tables to the units they load: split by window, repeats dropped. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ..normalize import TableSpec
from .windows import Window

__all__ = ["dedupe", "split_windows"]


def split_windows(table: pa.Table, windows: Sequence[Window]) -> dict[Window, pa.Table]:
    """A time series' buckets, split back into the windows they fall in (others dropped)."""
    out = {}
    dates = table.column("date")
    ws = table.schema.get_field_index("window_start")
    we = table.schema.get_field_index("window_end")
    for w in windows:
        mask = pc.and_(
            pc.greater_equal(dates, pa.scalar(w.start, dates.type)),
            pc.less(dates, pa.scalar(w.end, dates.type)),
        )
        part = table.filter(mask)
        n = part.num_rows
        part = part.set_column(ws, "window_start", pa.repeat(pa.scalar(w.start, dates.type), n))
        part = part.set_column(we, "window_end", pa.repeat(pa.scalar(w.end, dates.type), n))
        out[w] = part
    return out


def dedupe(table: pa.Table, key: Sequence[str]) -> tuple[pa.Table, int]:
    """Drop rows whose key repeats an earlier row's (live data can shift between pages, and
    a result then comes twice); the table and how many rows were dropped."""
    if table.num_rows < 2 or not key:
        return table, 0
    cols = [table.column(k).to_pylist() for k in key]
    seen: set = set()
    keep = []
    for i, k in enumerate(zip(*cols, strict=True)):
        if k not in seen:
            seen.add(k)
            keep.append(i)
    dropped = table.num_rows - len(keep)
    return (table.take(pa.array(keep)) if dropped else table), dropped


def dedupe_all(
    tables: Mapping[str, pa.Table], specs: Mapping[str, TableSpec]
) -> tuple[dict[str, pa.Table], dict[str, int]]:
    """Every table of a unit without repeated keys, and the rows dropped per table."""
    out, dropped = {}, {}
    for name, table in tables.items():
        out[name], n = dedupe(table, specs[name].full_key)
        if n:
            dropped[name] = n
    return out, dropped
