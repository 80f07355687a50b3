"""How fast the command line starts: ``hs-extract --help`` and ``reports`` against ``python -c
"import click"``, measured in turn in the same run (targets: within 2x its time, under 60 MB).

Each command runs as a new interpreter, A and B alternating so that a drifting machine moves
both; the ratio is taken pair by pair and its median reported. Peak memory is the child's own
``VmHWM``, read at its exit (``ru_maxrss`` would keep the benchmark's own high-water mark).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import record

RUNS = 21
#: records the child's own peak at exit, then does the command's work
PEAK = (
    "import atexit, sys\n"
    "def _peak(out=sys.argv[1]):\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(out, 'w').write(line.split()[1])\n"
    "atexit.register(_peak)\n"
)
BASELINE = PEAK + "import click\n"
COMMAND = PEAK + (
    "sys.argv = ['hs-extract', *sys.argv[2:]]\nfrom hs_extract.cli import main\nmain()\n"
)


def once(code: str, *args: str) -> tuple[float, float]:
    """Wall seconds and peak MB of one child running ``code``."""
    with tempfile.NamedTemporaryFile() as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code, out.name, *args], capture_output=True, check=False
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{args}: exit {done.returncode}: {done.stderr.decode()[-300:]}")
        return wall, int(Path(out.name).read_text() or 0) / 1024


def measure(*args: str) -> dict:
    """Median time and memory of ``hs-extract ARGS`` and of the baseline, pair by pair."""
    once(BASELINE), once(COMMAND, *args)  # warm the disk cache
    ratios, walls, peaks, base_walls, base_peaks = [], [], [], [], []
    for _ in range(RUNS):
        a_wall, a_peak = once(COMMAND, *args)
        b_wall, b_peak = once(BASELINE)
        ratios.append(a_wall / b_wall)
        walls.append(a_wall)
        peaks.append(a_peak)
        base_walls.append(b_wall)
        base_peaks.append(b_peak)
    return {
        "seconds": statistics.median(walls),
        "peak_mb": statistics.median(peaks),
        "baseline_seconds": statistics.median(base_walls),
        "baseline_peak_mb": statistics.median(base_peaks),
        "ratio": statistics.median(ratios),
    }


def main() -> dict:
    figures, met = {}, True
    print(f"start-up of the command line, {RUNS} runs each, against python -c 'import click':")
    for name, args in (("--help", ("--help",)), ("reports", ("reports",))):
        f = measure(*args)
        figures[name] = f
        ok = f["ratio"] <= 2.0 and f["peak_mb"] < 60
        met &= ok
        print(
            f"  hs-extract {name:<8} {f['seconds'] * 1000:6.0f} ms  {f['peak_mb']:5.1f} MB   "
            f"import click {f['baseline_seconds'] * 1000:4.0f} ms  {f['baseline_peak_mb']:5.1f} MB"
            f"   ratio {f['ratio']:.2f}x (target <= 2.0, < 60 MB){'' if ok else '  MISSED'}"
        )
    figures["targets_met"] = met
    record("startup", figures)
    return figures


if __name__ == "__main__":
    main()
