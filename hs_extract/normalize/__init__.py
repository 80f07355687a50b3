"""The normalize stage: report payloads to tidy, typed tables that lose nothing.

Takes the JSON of one answer (or the raw pages of a paginated report) and what the request
was about (:class:`RequestMeta`: window, slice, run); hands on ``{table: pyarrow.Table}``
with the declared schemas of :func:`table_specs`. Pure: no I/O, no clock.

- :func:`normalize` — payload (or the pages of a paginated report) + :class:`RequestMeta` →
  ``{table: pyarrow.Table}``; :func:`normalize_json` does the same from response bytes.
- Unknown keys land in each row's ``_extra`` (JSON text) and are noted once in a :class:`Sink`;
  ``Sink(strict=True)`` turns them into errors. A payload of the wrong shape raises
  :class:`~hs_extract.errors.NormalizeError` naming the JSON path.

Modules: ``fields`` and ``summaries`` (what each payload holds, as data), ``dimensions``
(users, teams, mailboxes, tags from the list endpoints), ``schema`` (the
declared tables), ``engine`` (JSON objects to typed columns), ``fast`` (Arrow's JSON reader
for drilldown pages), ``core`` (the normalizers), ``docs`` (the table reference).
"""

from typing import TYPE_CHECKING

from ..lazy import lazy

if TYPE_CHECKING:
    from .core import RequestMeta, normalize, normalize_json
    from .dimensions import DIMENSIONS, normalize_dimension, tables_of_dimension
    from .engine import Sink
    from .names import filters_text, main_table
    from .schema import Column, TableSpec, table_specs, tables_of
    from .sections import BUCKETS, bucket_label

#: each public name and the module it comes from (imported on first use)
_NAMES = {
    "RequestMeta": ".core",
    "BUCKETS": ".sections",
    "bucket_label": ".sections",
    "filters_text": ".names",
    "normalize": ".core",
    "normalize_json": ".core",
    "DIMENSIONS": ".dimensions",
    "normalize_dimension": ".dimensions",
    "tables_of_dimension": ".dimensions",
    "Sink": ".engine",
    "Column": ".schema",
    "TableSpec": ".schema",
    "main_table": ".names",
    "table_specs": ".schema",
    "tables_of": ".schema",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "BUCKETS",
    "DIMENSIONS",
    "Column",
    "RequestMeta",
    "Sink",
    "TableSpec",
    "bucket_label",
    "filters_text",
    "main_table",
    "normalize",
    "normalize_dimension",
    "normalize_json",
    "table_specs",
    "tables_of",
    "tables_of_dimension",
]
