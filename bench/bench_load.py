"""Load ≥ 200,000 drilldown rows into PostgreSQL: hs_extract vs DataFrame.to_sql and bare COPY.

All three load the same rows (the main drilldown table) in the same run:
- hs_extract: units of one day each, every unit delete-then-COPY in one transaction with its
  state row, into the declared table with its primary key (_unit, id) — loaded twice, and the
  replacing passes are the figure (idempotent replace included; best of 3);
- ``DataFrame.to_sql`` with its defaults into a new table;
- a bare COPY of all rows, with the same CSV as hs_extract, into an empty table without keys
  or indexes (best of 3).
Targets: ≥ 5× to_sql and ≥ 0.7× the bare COPY.
"""

from __future__ import annotations

import os
import sys
import time
import uuid

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from bench.bench_normalize import make_pages
from bench.common import record
from hs_extract.load.pgcopy import copy_csv
from hs_extract.load.sql import SqlDestination, UnitData
from hs_extract.load.sql_schema import sql_type
from hs_extract.normalize import RequestMeta, normalize_json, table_specs
from hs_extract.pipeline.commit import batches

URL = os.environ.get("HS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPORT = "conversations_drilldown"


def units(rows: int) -> list[tuple[pa.Table, tuple]]:
    """The rows as day units: (table, (window_start, window_end)), window columns set per day."""
    raw = make_pages(rows)
    meta = RequestMeta.for_params({"start_date": "2025-01-01", "end_date": "2025-01-02"})
    table = normalize_json(REPORT, raw, meta)[REPORT]
    days = pc.floor_temporal(table.column("modified_at"), unit="day")
    out = []
    for day in pc.unique(days).to_pylist():
        part = table.filter(pc.equal(days, pa.scalar(day, days.type)))
        start = day
        end = day + (
            table.column("window_end")[0].as_py() - table.column("window_start")[0].as_py()
        )
        for name, value in (("window_start", start), ("window_end", end)):
            i = part.schema.get_field_index(name)
            part = part.set_column(
                i, name, pa.repeat(pa.scalar(value, part.schema.field(name).type), part.num_rows)
            )
        out.append((part, (start, end)))
    return out


def load_twice(dest: SqlDestination, parts: list[tuple[pa.Table, tuple]]) -> tuple[float, float]:
    """Seconds for hs_extract to load the day units into ``dest`` once (a first load), and the
    best of 3 replacing passes. As the pipeline's loader does: ready units committed in batches
    (≤ BATCH_ROWS), each unit delete-then-insert with its state row."""
    data = [
        UnitData(
            REPORT, "", window, {"filters": ""}, {REPORT: part}, part.num_rows, window[0].date()
        )
        for part, window in parts
    ]

    def ours() -> float:
        start = time.perf_counter()
        for batch in batches(data):
            dest.load_units(batch, "bench")
        return time.perf_counter() - start

    first = ours()
    return first, min(ours() for _ in range(3))  # best of 3: the machine is shared and noisy


def main(rows: int = 200_000) -> dict:
    engine = sa.create_engine(URL)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    parts = units(rows)
    whole = pa.concat_tables([p for p, _ in parts])
    try:
        dest = SqlDestination(URL, schema)
        dest.prepare([table_specs()[REPORT]])

        first, replace = load_twice(dest, parts)
        with engine.connect() as c:
            n = c.execute(sa.text(f'select count(*) from "{schema}"."{REPORT}"')).scalar_one()
        assert n == whole.num_rows, (n, whole.num_rows)

        frame = whole.to_pandas()
        start = time.perf_counter()
        frame.to_sql("to_sql_copy", engine, schema=schema, index=False)
        to_sql = time.perf_counter() - start

        bare = sa.Table(
            "bare_copy",
            sa.MetaData(schema=schema),
            *[sa.Column(f.name, sql_type(f.type)) for f in whole.schema],
        )
        bare.create(engine)

        def bare_load() -> float:
            with engine.begin() as conn:
                conn.execute(sa.text(f'TRUNCATE "{schema}"."bare_copy"'))
            start = time.perf_counter()
            with engine.begin() as conn:  # the same CSV and COPY as hs_extract, minus keys/state
                copy_csv(conn, f'"{schema}"."bare_copy"', whole)
            return time.perf_counter() - start

        bare_copy = min(bare_load() for _ in range(3))
    finally:
        with engine.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
    n = whole.num_rows
    rate = {
        "hs_extract first load": n / first,
        "hs_extract replace (reported)": n / replace,
        "DataFrame.to_sql": n / to_sql,
        "bare COPY, no keys": n / bare_copy,
    }
    print(f"load {n:,} drilldown rows into PostgreSQL in {len(parts)} day units:")
    for k, r in rate.items():
        print(f"  {k:32} {r:>12,.0f} rows/s")
    vs_to_sql = rate["hs_extract replace (reported)"] / rate["DataFrame.to_sql"]
    vs_copy = rate["hs_extract replace (reported)"] / rate["bare COPY, no keys"]
    print(f"  ratio vs to_sql:    {vs_to_sql:.2f}x (target >= 5.0)")
    print(f"  ratio vs bare COPY: {vs_copy:.2f}x (target >= 0.7)")
    figures = {
        "rows": n,
        "units": len(parts),
        "rows_per_s": rate,
        "vs_to_sql": vs_to_sql,
        "vs_bare_copy": vs_copy,
        "targets_met": vs_to_sql >= 5 and vs_copy >= 0.7,
    }
    record("load_postgres", figures)
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
