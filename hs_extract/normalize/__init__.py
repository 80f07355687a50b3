"""Normalizers: every Help Scout report payload to tidy, typed tables that lose nothing.

- :func:`normalize` — payload (or the pages of a paginated report) + :class:`RequestMeta` →
  ``{table: pyarrow.Table}``, with the declared schemas of :func:`table_specs`.
- Unknown keys land in each row's ``_extra`` (JSON text) and are noted once in a :class:`Sink`;
  ``Sink(strict=True)`` turns them into errors. A payload of the wrong shape raises
  :class:`~hs_extract.errors.NormalizeError` naming the JSON path.
"""

from .core import RequestMeta, filters_text, normalize, normalize_json
from .engine import Sink
from .schema import Column, TableSpec, table_specs, tables_of

__all__ = [
    "Column",
    "RequestMeta",
    "Sink",
    "TableSpec",
    "filters_text",
    "normalize",
    "normalize_json",
    "table_specs",
    "tables_of",
]
