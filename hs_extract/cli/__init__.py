"""The ``hs-extract`` command line."""

from __future__ import annotations

import sys

import click

from .. import __version__
from . import explore, jobs

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="hs-extract")
def main() -> None:
    """Help Scout Mailbox API 2.0 reports to tidy tables, Parquet and SQL."""


@main.command(
    epilog="""\b
Examples:
  hs-extract tables                      # the reference, to stdout
  hs-extract tables --write docs/tables.md
"""
)
@click.option("--write", "path", type=click.Path(dir_okay=False), help="Write to this file.")
def tables(path: str | None) -> None:
    """Print the table reference: every table, its grain, key and typed columns."""
    from ..normalize.docs import render

    text = render()
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {path}", err=True)
    else:
        click.echo(text, nl=False)


@main.command(
    epilog="""\b
Examples:
  hs-extract simulate --port 8099
  hs-extract simulate --port 8099 --latency-ms 300 --rate-limit 400 --fault-rate 0.05
  curl -s -d grant_type=client_credentials -d client_id=simulator-app \\
       -d client_secret=simulator-secret http://127.0.0.1:8099/v2/oauth2/token
"""
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8099, show_default=True, type=click.IntRange(0, 65535))
@click.option("--seed", default=1, show_default=True, help="Seed of the synthetic account.")
@click.option(
    "--latency-ms",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Delay added to every answer.",
)
@click.option(
    "--rate-limit",
    default=400,
    show_default=True,
    type=click.IntRange(1),
    help="Requests per rolling minute before 429.",
)
@click.option(
    "--fault-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of requests answered with a fault (500, 503, reset, cut body, 429).",
)
@click.option(
    "--volume",
    default=40.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Mean conversations per weekday.",
)
@click.option("--client-id", default="simulator-app", show_default=True)
@click.option("--client-secret", default="simulator-secret", show_default=True)
def simulate(
    host, port, seed, latency_ms, rate_limit, fault_rate, volume, client_id, client_secret
) -> None:
    """Serve the built-in Help Scout simulator until interrupted."""
    from ..simulator import Simulator

    sim = Simulator(
        seed=seed,
        host=host,
        port=port,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        fault_rate=fault_rate,
        volume=volume,
        client_id=client_id,
        client_secret=client_secret,
    )
    click.echo(
        f"Help Scout simulator on http://{host}:{port} (seed {seed}); "
        f"client_id={client_id}; Ctrl-C stops it",
        err=True,
    )
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


main.add_command(explore.reports)
main.add_command(explore.fetch)
main.add_command(explore.demo)
main.add_command(jobs.run)
main.add_command(jobs.plan)
main.add_command(jobs.state)

if __name__ == "__main__":
    main()
