"""``hs-extract init [DIR]``: what a pip user needs to start, written from the package.

The starter config (every key with its default and meaning, credentials from the
environment), the config's JSON Schema that its first line names for editors, and the two
notebooks. Nothing is overwritten without ``--force``: an existing file stops the command
before anything is written.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from ..errors import ConfigError
from .common import err, guarded, out

__all__ = ["STARTER_FILES", "init", "write_starter"]

#: what init writes: its name under DIR ← its name in hs_extract/starter
STARTER_FILES = {
    "hs-extract.yaml": "config.yaml",
    "config.schema.json": "config.schema.json",
    "notebooks/01_explore_reports.ipynb": "notebooks/01_explore_reports.ipynb",
    "notebooks/02_warehouse.ipynb": "notebooks/02_warehouse.ipynb",
}


def write_starter(folder: Path, force: bool = False) -> list[Path]:
    """Write the starter files under ``folder``; the paths written. An existing file, without
    ``force``, raises before anything is written."""
    starter = resources.files("hs_extract") / "starter"
    targets = {folder / name: starter.joinpath(source) for name, source in STARTER_FILES.items()}
    there = [p for p in targets if p.exists()]
    if there and not force:
        raise ConfigError(
            f"init: {there[0]} exists; allowed: a folder without the starter files, or --force "
            "to overwrite them"
        )
    for path, source in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(source.read_bytes())
        tmp.replace(path)  # never a half-written starter file
    return list(targets)


@click.command(
    epilog="""\b
Examples:
  hs-extract init                 # into the current folder
  hs-extract init helpscout       # into ./helpscout (created)
  hs-extract init . --force       # overwrite the starter files there
"""
)
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite starter files that exist.")
@click.option("--debug", is_flag=True, help="Tracebacks.")
@guarded
def init(folder: Path, force: bool, debug: bool) -> None:
    """Write a starter config (every option, commented), its JSON Schema and the notebooks."""
    written = write_starter(folder, force)
    for path in written:
        out.print(f"wrote {path}", markup=False)
    config = folder / "hs-extract.yaml"
    err.print(
        f"""
Next:
  export HELPSCOUT_CLIENT_ID=… HELPSCOUT_CLIENT_SECRET=…   (Your Profile > My apps)
  edit {config}: windows.start, reports, destinations
  hs-extract check --config {config}
  hs-extract run --config {config}
  jupyter lab {folder / "notebooks"}   (pip install jupyterlab; without credentials they read
                                       the built-in simulator)""",
        markup=False,
    )
