"""Python values to declared Arrow types, without losing anything, and whether a value of
another JSON type had to be converted ("36" for a count): the run says so once, ``check``
shows it as a difference. Pure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from .fields import T

__all__ = ["JSON_TYPES", "TS_TYPE", "convert", "to_arrow"]

TS_TYPE = T.TS.arrow
_SCALARS = (int, float, bool)


#: the JSON (Python) types a declared type takes as they are; any other is converted
JSON_TYPES = {
    pa.int64(): (int,),
    pa.float64(): (int, float),
    pa.string(): (str,),
    pa.bool_(): (bool,),
    TS_TYPE: (str,),
}


def to_arrow(values: list[Any], typ: pa.DataType) -> pa.Array:
    """Convert Python values to ``typ`` without losing anything (else raise)."""
    return convert(values, typ)[0]


def convert(values: list[Any], typ: pa.DataType) -> tuple[pa.Array, bool]:
    """``values`` as ``typ`` without losing anything (else raise), and whether a value of
    another JSON type had to be converted ("36" for a count, 1 for true)."""
    if typ == pa.int64():
        arr = pa.array(values)
        if arr.type == typ or pa.types.is_null(arr.type):
            return arr.cast(typ), False
        if pa.types.is_list(arr.type) or pa.types.is_struct(arr.type):
            raise TypeError("nested value where a number is expected")
        return arr.cast(typ), True  # safe: fails on 2.5, parses "5"
    if typ == pa.float64():
        if any(type(v) is bool for v in values):
            raise TypeError("true/false where a number is expected")
        try:
            return pa.array(values, typ), False
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array(values, pa.string()).cast(typ), True
    if typ == pa.string():
        try:
            return pa.array(values, typ), False
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            if any(v is not None and not isinstance(v, (str, *_SCALARS)) for v in values):
                raise
            text = [v if v is None or isinstance(v, str) else str(v) for v in values]
            return pa.array(text, typ), True
    if typ == pa.bool_():
        try:
            return pa.array(values, typ), False
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            if all(v in (None, 0, 1) and not isinstance(v, float) for v in values):
                return pa.array([None if v is None else bool(v) for v in values], typ), True
            raise
    if typ == TS_TYPE:
        strings = pa.array(values, pa.string())
        try:
            return strings.cast(typ), False
        except pa.ArrowInvalid:
            return pa.array([_parse_ts(v) for v in values], typ), False
    return pa.array(values, typ), False


def _parse_ts(value: str | None) -> dt.datetime | None:
    """A timestamp Arrow's fast cast refused (no offset: taken as UTC, as Help Scout means)."""
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
