"""The load stage: destinations that replace whole units, idempotently.

Takes a unit (report, slice, window) with its typed Arrow tables; writes them to a Parquet
dataset on disk or in a bucket (one file per unit and table, written whole) and to SQL tables
in SQLite, PostgreSQL or DuckDB (delete the unit's rows and insert the new ones in one
transaction, together with the unit's state row), and keeps every answer in the archive.
Hands on nothing but durability: once a call returns, the unit is there.

Modules: ``storage`` (a folder or a bucket through pyarrow.fs), ``parquet`` (datasets, the
layout marker), ``archive`` (answers as received), ``sql`` and ``sql_books`` (SQLAlchemy
Core: units, state, runs), ``sql_schema`` (the tables, their keys and the layout check),
``sql_engine`` (URLs, drivers, timeouts), ``pgcopy`` (PostgreSQL's COPY), ``duck``
(DuckDB's Arrow insert).
"""

from typing import TYPE_CHECKING

from ..lazy import lazy

if TYPE_CHECKING:
    from .parquet import ParquetDestination
    from .sql import SqlDestination

#: each public name and the module it comes from (imported on first use)
_NAMES = {
    "ParquetDestination": ".parquet",
    "SqlDestination": ".sql",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "ParquetDestination",
    "SqlDestination",
]
