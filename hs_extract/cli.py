"""The ``hs-extract`` command line."""

from __future__ import annotations

import click

from . import __version__
from .catalog import REPORTS


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hs-extract")
def main() -> None:
    """Help Scout reports to tidy tables, Parquet and SQL."""


@main.command()
def reports() -> None:
    """List the 32 reports: name, path, kind and parameters."""
    for spec in REPORTS.values():
        click.echo(
            f"{spec.name:45} {spec.path:45} {spec.kind.value:10} {', '.join(spec.param_names)}"
        )
