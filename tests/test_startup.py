"""The command line starts at once (issue 22): ``--help``, ``reports``, ``state show`` and
``runs`` load no pandas, pyarrow or NumPy; ``import hs_extract.api`` loads no later stage.
(The time and memory this buys are measured by ``python -m bench startup``.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from hs_extract.cli import main
from tests.pipeline_support import sim_source

SIMULATOR = {"seed": 9}
HEAVY = ("pandas", "pyarrow", "numpy", "matplotlib")
#: runs the command in a fresh interpreter, then prints the top-level modules it loaded
PROBE = (
    "import json, sys\n"
    "sys.argv = ['hs-extract', *sys.argv[1:]]\n"
    "from hs_extract.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}), file=sys.stderr)\n"
)


def loaded(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.fixture(scope="module")
def configs(sim, tmp_path_factory):
    """A SQL and a Parquet-only destination, each with a run in them."""
    root = tmp_path_factory.mktemp("startup")
    out = {}
    for name, dest in (
        ("sql", {"sql": {"url": f"sqlite:///{root}/hs.db"}}),
        ("parquet", {"parquet": {"path": str(root / "pq")}}),
    ):
        path = root / f"{name}.yaml"
        path.write_text(
            yaml.safe_dump(
                {
                    "source": sim_source(sim),
                    "windows": {"start": "2026-10-20", "end": "2026-10-22"},
                    "reports": ["company"],
                    "destinations": dest,
                }
            )
        )
        assert CliRunner().invoke(main, ["run", "--config", str(path)]).exit_code == 0
        out[name] = str(path)
    return out


CASES = [
    ("--help", None),
    ("reports", None),
    ("run --help", None),
    ("state show", "sql"),
    ("state show", "parquet"),
    ("runs", "sql"),
    ("runs", "parquet"),
]


@pytest.mark.parametrize("command, kind", CASES, ids=[f"{c} {k or ''}".strip() for c, k in CASES])
def test_light_commands_load_no_dataframe_code(configs, command, kind):
    extra = ["--config", configs[kind]] if kind else []
    code, modules = loaded(*command.split(), *extra)
    assert code in (0, None)
    assert not {m.split(".")[0] for m in modules} & set(HEAVY), sorted(
        m for m in modules if m.split(".")[0] in HEAVY
    )[:5]


def test_a_command_that_loads_does_load_them(configs):
    """The probe sees heavy modules when they are there (it is not blind)."""
    code, modules = loaded("tables")
    assert code in (0, None) and "pyarrow" in modules


def test_the_api_stage_imports_no_later_stage():
    code = (
        "import sys, hs_extract.api\n"
        "import json\n"
        "print(json.dumps([m.split('.')[1] for m in sys.modules if m.startswith('hs_extract.')]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    stages = set(json.loads(done.stdout))
    assert not stages & {"normalize", "load", "pipeline", "notebook", "cli", "simulator"}, stages
    assert "api" in stages
