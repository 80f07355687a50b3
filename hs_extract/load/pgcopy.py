"""PostgreSQL's bulk path: Arrow tables written as CSV by Arrow, sent through psycopg 3 COPY."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy.engine import Connection

__all__ = ["copy_csv", "to_csv"]


def to_csv(data: pa.Table) -> bytes:
    """CSV for PostgreSQL's COPY: nulls unquoted-empty, strings always quoted ("" is empty).

    UTC timestamps are written without their zone (Arrow formats naive timestamps many times
    faster); the COPY runs with the session time zone set to UTC, so they mean UTC.
    """
    cols = [
        c.cast(pa.timestamp(c.type.unit)) if pa.types.is_timestamp(c.type) and c.type.tz else c
        for c in data.columns
    ]
    buf = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    pacsv.write_csv(pa.Table.from_arrays(cols, names=data.column_names), buf, options)
    return buf.getvalue()


def copy_csv(conn: Connection, qualified: str, data: pa.Table, csv: bytes | None = None) -> None:
    """COPY ``data`` into the table ``qualified`` (already quoted) on this connection;
    ``csv`` is ``to_csv(data)`` when the caller has encoded it already."""
    prep = conn.dialect.identifier_preparer
    cols = ", ".join(prep.quote(c) for c in data.column_names)
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection
    with raw.cursor() as cur:
        cur.execute("SET LOCAL TIME ZONE 'UTC'")  # the naive timestamps of to_csv are UTC
        with cur.copy(f"COPY {qualified} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(to_csv(data) if csv is None else csv)
