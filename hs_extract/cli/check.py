"""``hs-extract check``: the account, its reports' answers, the destinations, before a backfill."""

from __future__ import annotations

import json

import click

from .common import guarded, leave, log_options, open_job, out

#: seconds the whole check may take (pipeline/check.py's DEADLINE; equal, tested)
DEADLINE = 120.0

#: how each status reads in the table
STYLE = {
    "ok": "green",
    "note": "cyan",
    "differs": "yellow",
    "denied": "yellow",
    "failed": "red",
    "skipped": "dim",
}
#: findings listed under a report in the table (--format json lists them all)
SHOWN = 8


@click.command(
    epilog="""\b
Examples:
  hs-extract check --config prod.yaml
  hs-extract check --config prod.yaml --reports company,happiness --format json
  hs-extract check --config prod.yaml --reconcile
"""
)
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False))
@click.option("--reports", help="Only these reports (comma-separated names).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: one object with every check and finding, for machines.",
)
@click.option(
    "--reconcile",
    is_flag=True,
    help="Also compare over the loaded data the numbers Help Scout means to agree.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(1),
    default=DEADLINE,
    show_default=True,
    help="Seconds the whole check may take, whatever the server does (each report one "
    "attempt; one not answered by then is named).",
)
@log_options
@guarded
def check(config_path, reports, fmt, reconcile, deadline, debug) -> None:
    """Check credentials, rate limit, one answer of each report against the declared tables,
    the lists and every destination (one request per report plus the lists; no table is
    written, no state moves). Exit 0 only when everything is fine, else 1."""
    job, names = open_job(config_path, reports, needs=())  # a missing secret is a line
    try:
        result = job.check(names, reconcile, deadline)
    finally:
        job.close()
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        show(result)
    leave(0 if result.ok else 1)


def show(result) -> None:
    """The checks as one table, findings indented under their report."""
    from rich.table import Table

    table = Table(show_edge=False, show_lines=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for line in result.lines:
        style = STYLE.get(line.status, "")
        table.add_row(line.check, f"[{style}]{line.status}[/]", _plain(line.detail))
        for finding in line.findings[:SHOWN]:
            table.add_row("", "", _plain(f"  {finding}"))
        if len(line.findings) > SHOWN:
            more = len(line.findings) - SHOWN
            table.add_row("", "", f"  … and {more} more (--format json lists them all)")
    out.print(table)
    verdict = "everything is fine" if result.ok else "some checks are not fine (exit 1)"
    out.print(f"requests: {result.requests}; {verdict}", markup=False)


def _plain(text: str) -> str:
    """Text shown as is (a JSON path's brackets are not rich markup)."""
    from rich.markup import escape

    return escape(text)
