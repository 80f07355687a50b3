"""What pip users get (issue 24): the sdist and the wheel build, pass ``twine check``, and carry
what they promise. The wheel alone gives ``hs-extract init`` its starter files; the sdist holds
everything its own tests need, and they run from it."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build_dists(out: Path) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built from that sdist."""
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (sdist,), (wheel,) = out.glob("*.tar.gz"), out.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    return build_dists(tmp_path_factory.mktemp("dist"))


def test_twine_check_passes(dists):
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_carries_its_license_types_and_starter_files(dists, tmp_path):
    names = zipfile.ZipFile(dists[1]).namelist()
    for wanted in (
        "hs_extract/py.typed",
        "hs_extract/starter/config.yaml",
        "hs_extract/starter/config.schema.json",
        "hs_extract/starter/notebooks/01_explore_reports.ipynb",
        "hs_extract/starter/notebooks/02_warehouse.ipynb",
    ):
        assert wanted in names, wanted
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(dists[1]).read(meta).decode()
    assert "Classifier: Typing :: Typed" in text and "Project-URL: Changelog" in text
    # the wheel alone (not this checkout) writes the starter files
    site = tmp_path / "site"
    zipfile.ZipFile(dists[1]).extractall(site)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import hs_extract, pathlib, sys; from hs_extract.cli.init import write_starter; "
            "assert hs_extract.__file__.startswith(sys.argv[1]), hs_extract.__file__; "
            "print(len(write_starter(pathlib.Path(sys.argv[2]))))",
            str(site),
            str(tmp_path / "mine"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0 and done.stdout.strip() == "4", done.stderr
    assert (tmp_path / "mine" / "notebooks" / "02_warehouse.ipynb").exists()


def test_the_sdist_runs_its_own_tests(dists, tmp_path):
    with tarfile.open(dists[0]) as tar:
        tar.extractall(tmp_path, filter="data")
    (root,) = tmp_path.iterdir()
    for needed in ("LICENSE", "CHANGELOG.md", "tests/conftest.py", "tests/pipeline_support.py"):
        assert (root / needed).exists(), needed
    assert list((root / "tests" / "fixtures").iterdir())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_normalize.py",
            "tests/test_config_schema.py",
            "tests/test_init.py",
            "tests/test_dbt_package.py::test_the_generated_files_are_the_declared_schemas",
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "error" not in done.stdout.lower()
