"""``make bench``: every benchmark, each printing ratios against a baseline of the same run."""

from bench import bench_load, bench_normalize
from bench.common import RESULTS, machine

if __name__ == "__main__":
    print(f"machine: {machine()}\n")
    bench_normalize.main()
    print()
    bench_load.main()
    print(f"\nresults written to {RESULTS}")
