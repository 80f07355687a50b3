"""Normalize ≥ 100,000 drilldown rows: hs_extract vs json.loads and json.loads + json_normalize.

All three start from the same raw response bodies (bytes) and are timed in the same run.
hs_extract's figure includes parsing and typed Arrow output (child tables too).
Targets: ≥ 2× json_normalize and ≥ 1.0× json.loads alone.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import orjson
import pandas as pd

from bench.common import best_of, record
from hs_extract.normalize import RequestMeta, normalize, normalize_json
from hs_extract.simulator.account import DAY, Account
from hs_extract.simulator.listing import drill_item

REPORT = "conversations_drilldown"


def make_pages(rows: int) -> list[bytes]:
    """Realistic drilldown pages of 50, from the simulator's conversation log."""
    cutoff = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp())
    account = Account(seed=7, volume=5000, cutoff=cutoff)
    convs, day = [], cutoff // DAY - 1
    while len(convs) < rows:
        convs += account.day(day)
        day -= 1
    items = [drill_item(account, c) for c in convs[:rows]]
    pages = [items[i : i + 50] for i in range(0, rows, 50)]
    return [
        orjson.dumps(
            {"conversations": {"page": n + 1, "pages": len(pages), "count": rows, "results": p}}
        )
        for n, p in enumerate(pages)
    ]


def main(rows: int = 100_000) -> dict:
    raw = make_pages(rows)
    meta = RequestMeta.for_params({"start_date": "2025-01-01", "end_date": "2025-01-02"})
    mb = sum(map(len, raw)) / 1e6

    def loads():
        return [json.loads(p) for p in raw]

    def json_normalize():
        return [pd.json_normalize(json.loads(p)["conversations"]["results"]) for p in raw]

    def ours():
        tables = normalize_json(REPORT, raw, meta)
        assert tables[REPORT].num_rows == rows
        return tables

    def python_path():
        return normalize(REPORT, [orjson.loads(p) for p in raw], meta)

    t = {
        "json.loads": best_of(loads),
        "json.loads + json_normalize": best_of(json_normalize),
        "hs_extract (Arrow fast path)": best_of(ours),
        "hs_extract (Python path)": best_of(python_path, 1),
    }
    rate = {k: rows / v for k, v in t.items()}
    print(f"normalize {rows:,} drilldown rows ({mb:.1f} MB of JSON), best of 3:")
    for k, r in rate.items():
        print(f"  {k:32} {r:>12,.0f} rows/s")
    ours_rate = rate["hs_extract (Arrow fast path)"]
    vs_norm = ours_rate / rate["json.loads + json_normalize"]
    vs_loads = ours_rate / rate["json.loads"]
    print(f"  ratio vs json_normalize: {vs_norm:.2f}x (target >= 2.0)")
    print(f"  ratio vs json.loads:     {vs_loads:.2f}x (target >= 1.0)")
    figures = {
        "rows": rows,
        "rows_per_s": rate,
        "vs_json_normalize": vs_norm,
        "vs_json_loads": vs_loads,
        "targets_met": vs_norm >= 2 and vs_loads >= 1,
    }
    record("normalize", figures)
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
