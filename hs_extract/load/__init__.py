"""The load stage: destinations that replace whole units, idempotently.

Takes a unit (report, slice, window) with its typed Arrow tables; writes them to a Parquet
dataset (one file per unit and table, atomically renamed into place) and to SQL tables
(delete the unit's rows and insert the new ones in one transaction, together with the
unit's state row). Hands on nothing but durability: once a call returns, the unit is there.

Modules: ``parquet`` (datasets, the layout marker), ``sql`` (SQLAlchemy Core),
``sql_schema`` (the tables, their keys and the layout check), ``pgcopy`` (PostgreSQL's COPY).
"""

from .parquet import ParquetDestination
from .sql import SqlDestination

__all__ = ["ParquetDestination", "SqlDestination"]
