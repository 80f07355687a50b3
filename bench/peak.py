"""Run the hs-extract command and write its peak RSS (VmHWM, in kB) to the file named first.

``python -m bench.peak OUT run --config …``. The kernel's ``ru_maxrss`` of a child keeps the
high-water mark of the process it was forked from (the benchmark itself, which is large by the
time this runs), so the child reads its own ``VmHWM`` at exit instead: it starts at zero with
the new program."""

import atexit
import sys
from pathlib import Path


def _record(out: Path) -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            out.write_text(line.split()[1])


if __name__ == "__main__":
    out = Path(sys.argv[1])
    atexit.register(_record, out)
    sys.argv = ["hs-extract", *sys.argv[2:]]
    from hs_extract.cli import main

    main()
