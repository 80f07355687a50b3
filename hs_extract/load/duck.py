"""DuckDB's bulk path: an Arrow table inserted as a whole, by DuckDB reading it in place."""

from __future__ import annotations

import uuid

import pyarrow as pa
from sqlalchemy.engine import Connection

__all__ = ["insert_arrow"]


def insert_arrow(conn: Connection, qualified: str, data: pa.Table) -> None:
    """``INSERT … SELECT`` from ``data`` into the table ``qualified`` (already quoted), in the
    connection's transaction: DuckDB scans the Arrow columns without a row in Python."""
    prep = conn.dialect.identifier_preparer
    cols = ", ".join(prep.quote(c) for c in data.column_names)
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection
    view = f"_hs_rows_{uuid.uuid4().hex[:12]}"
    raw.register(view, data)
    try:
        conn.exec_driver_sql(f"INSERT INTO {qualified} ({cols}) SELECT {cols} FROM {view}")
    finally:
        raw.unregister(view)
