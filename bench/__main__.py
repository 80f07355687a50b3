"""``make bench``: every benchmark, each printing ratios against a baseline of the same run.

``python -m bench`` runs them all (about half an hour on 2 cores, most of it the rate-limit
runs, which must last minutes to measure a per-minute budget); ``python -m bench rate memory``
runs the named ones. Figures are merged into bench/results.json.
"""

import sys
import time

from bench import (
    bench_duckdb,
    bench_limiter,
    bench_load,
    bench_memory,
    bench_normalize,
    bench_notebook,
    bench_rate,
    bench_requests,
    bench_startup,
)
from bench.common import RESULTS, machine

BENCHES = {
    "normalize": bench_normalize.main,
    "load": bench_load.main,
    "duckdb": bench_duckdb.main,
    "rate": bench_rate.main,
    "limiter": bench_limiter.main,
    "requests": bench_requests.main,
    "memory": bench_memory.main,
    "notebook": bench_notebook.main,
    "startup": bench_startup.main,
}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(BENCHES)
    unknown = [c for c in chosen if c not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    print(f"machine: {machine()}\n")
    met = {}
    for name in chosen:
        start = time.perf_counter()
        print(f"== {name}", flush=True)
        met[name] = BENCHES[name]()["targets_met"]
        print(f"   ({time.perf_counter() - start:.0f} s)\n", flush=True)
    print("targets: " + ", ".join(f"{n} {'met' if ok else 'MISSED'}" for n, ok in met.items()))
    print(f"results written to {RESULTS}")
    sys.exit(0 if all(met.values()) else 1)
