"""The package layout: public imports stay stable, and imports only go down the stages."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "hs_extract"

#: the stages, lowest first: a module may import its own stage and the ones before it
RANKS = {
    "helpers": 0,  # errors, dates, memory, failpoints: every stage may use them
    "api": 1,
    "normalize": 2,
    "load": 3,
    "pipeline": 4,
    "notebook": 5,
    "cli": 6,
    "dagster": 6,  # the orchestrator integration: beside the CLI, over the pipeline
}
HELPERS = {"errors", "dates", "memory", "failpoints", "interrupt", "masking", "lazy", "version"}
#: the simulator is an independent oracle: it imports helpers only, except that
#: ``Simulator.client()`` builds a ReportsClient on request (a function-level import)
SIMULATOR_LAZY = {("hs_extract.simulator.server", "notebook")}
#: the one name a lower module may take from the package root
ROOT_NAMES = {"__version__"}


def stage_of(module: str) -> str:
    """The stage of a dotted module name inside hs_extract ('root' for the package itself)."""
    parts = module.split(".")
    assert parts[0] == "hs_extract", module
    if len(parts) == 1:
        return "root"
    head = parts[1]
    if head in HELPERS:
        return "helpers"
    if head in RANKS or head == "simulator":
        return head
    if head == "__main__":
        return "root"
    raise AssertionError(f"{module}: not placed in a stage; add it to tests/test_layout.py")


def modules() -> list[tuple[str, pathlib.Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def imports(module: str, path: pathlib.Path) -> list[tuple[str, tuple[str, ...], bool]]:
    """(target module, imported names, at module level?) of every hs_extract import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top_level = {id(n) for n in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` / try blocks still run at import time
        if isinstance(node, (ast.If, ast.Try)):
            top_level |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "hs_extract":
                    out.append((alias.name, (), id(node) in top_level))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "hs_extract":
                continue
            names = tuple(a.name for a in node.names)
            out.append((target, names, id(node) in top_level))
    return out


def violations() -> list[str]:
    found = []
    for module, path in modules():
        source = stage_of(module)
        if source == "root":
            continue  # the package's front door may gather names from every stage
        for target, names, top in imports(module, path):
            stages = {stage_of(target)}
            if stages == {"root"}:
                bad = [n for n in names if n not in ROOT_NAMES]
                # `from .. import failpoints` names a module: judge the module's stage
                stages = {stage_of(f"hs_extract.{n}") for n in bad}
                if not stages:
                    continue
            for stage in stages:
                if source == "simulator":
                    ok = stage in ("helpers", "simulator") or (
                        not top and (module, stage) in SIMULATOR_LAZY
                    )
                elif stage == "simulator":
                    ok = source == "cli"  # `hs-extract simulate` and `demo` serve it
                else:
                    ok = RANKS[stage] <= RANKS[source]
                if not ok:
                    found.append(f"{module} ({source}) imports {target} {names} ({stage})")
    return found


def test_imports_only_go_down_the_stages():
    assert violations() == []


def test_the_layering_check_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The check itself can fail: a lower stage importing a higher one is caught."""
    fake = tmp_path / "hs_extract" / "api"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("from ..pipeline import Job\n")
    found = imports("hs_extract.api.bad", fake / "bad.py")
    assert found == [("hs_extract.pipeline", ("Job",), True)]
    assert RANKS[stage_of(found[0][0])] > RANKS[stage_of("hs_extract.api.bad")]


def test_every_module_is_small():
    big = {
        str(p.relative_to(PACKAGE)): n
        for _, p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 425
    }
    assert big == {}, "modules of about 100-400 lines (DESIGN.md style rule 7)"


def test_every_package_says_what_its_stage_does():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) >= 3, f"{init}: the stage's sign on the door"


def test_public_imports_are_stable():
    import hs_extract

    for name in (
        "ReportsClient",
        "REPORTS",
        "ReportSpec",
        "HSExtractError",
        "ConfigError",
        "APIError",
        "AuthError",
        "RateLimitedError",
        "TransientError",
        "FatalAPIError",
        "BadRequestError",
        "AccessDeniedError",
        "NotFoundError",
        "NormalizeError",
        "LoadError",
        "StateError",
        "__version__",
    ):
        assert name in hs_extract.__all__ and hasattr(hs_extract, name), name
    assert len(hs_extract.REPORTS) == 32
    assert callable(hs_extract.ReportsClient("id", "secret").get_company)
    assert hasattr(hs_extract.ReportsClient, "frames")
    sim = importlib.import_module("hs_extract.simulator")
    assert {"Simulator", "Faults", "RequestLog", "Account"} <= set(sim.__all__)
    norm = importlib.import_module("hs_extract.normalize")
    assert {"normalize", "normalize_json", "RequestMeta", "Sink", "table_specs"} <= set(
        norm.__all__
    )
    pipeline = importlib.import_module("hs_extract.pipeline")
    assert {"Job", "load_config", "parse_config"} <= set(pipeline.__all__)


def test_the_entry_point_is_the_cli():
    points = importlib.metadata.entry_points(group="console_scripts", name="hs-extract")
    (point,) = list(points)
    assert point.value == "hs_extract.cli:main"
    assert point.load() is importlib.import_module("hs_extract.cli").main
    for args in (["-m", "hs_extract", "--version"], ["-m", "hs_extract.cli", "--version"]):
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "hs-extract" in done.stdout, done.stderr


@pytest.mark.parametrize("stage", ["api", "normalize", "load", "pipeline", "cli"])
def test_stage_packages_import_on_their_own(stage):
    """Each stage imports in a fresh interpreter (no cycle hidden by import order)."""
    code = f"import hs_extract.{stage}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
