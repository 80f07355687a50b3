"""``hs-extract config schema``: the config's JSON Schema, for editors."""

from __future__ import annotations

import click


@click.group()
def config() -> None:
    """The config file: its JSON Schema, for editors."""


@config.command(
    "schema",
    epilog="""\b
Examples:
  hs-extract config schema > hs-extract.schema.json
  # then, first line of your config (VS Code's YAML extension, other yaml-language-servers):
  # yaml-language-server: $schema=hs-extract.schema.json
""",
)
def schema() -> None:
    """Print the JSON Schema of the config: every key, its type, default and meaning."""
    from ..pipeline.config_file import schema as render

    click.echo(render(), nl=False)
