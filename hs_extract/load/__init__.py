"""Destinations: Parquet datasets and SQL tables, each replacing whole units idempotently."""

from .parquet import JsonState, ParquetDestination
from .sql import SqlDestination

__all__ = ["JsonState", "ParquetDestination", "SqlDestination"]
