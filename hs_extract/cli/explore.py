"""``hs-extract reports``, ``fetch``, ``tables``, ``simulate``: looking around, no destination."""

from __future__ import annotations

import contextlib
import json
import os
import sys

import click

from ..errors import ConfigError
from .common import guarded

FETCH_HELP = """\b
Parameters are the report's, as options: --start-date 2025-01-01 --user 123 --types email,chat
(`hs-extract reports` lists them). Credentials come from --config, or from the environment
(HELPSCOUT_CLIENT_ID, HELPSCOUT_CLIENT_SECRET, optional HELPSCOUT_BASE_URL), or use --simulator.

\b
Examples:
  hs-extract fetch company --simulator --start-date 2025-03-01 --end-date 2025-03-08
  hs-extract fetch conversations_drilldown --simulator --all-pages \\
      --start-date 2025-03-01 --end-date 2025-03-02
  hs-extract fetch user --config prod.yaml --user 123 --format csv
  hs-extract fetch productivity --simulator --format csv --table productivity__ranges
"""


@click.command(
    epilog="""\b
Examples:
  hs-extract reports
  hs-extract reports | grep user_
"""
)
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def reports(debug: bool = False) -> None:
    """List the 32 reports: name, path, kind and parameters (* = required)."""
    import shutil
    import textwrap

    from ..api.catalog import REPORTS

    # plain aligned columns: the command answers at once (no rich tables to load and lay out)
    rows = [("report", "path", "kind", "parameters")]
    for spec in REPORTS.values():
        params = ", ".join(p.name + ("*" if p.required else "") for p in spec.params)
        rows.append((spec.name, spec.path, spec.kind.value, params))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    indent = sum(widths) + 6
    room = max(30, shutil.get_terminal_size((160, 24)).columns - indent)
    click.echo("Help Scout reports (hs-extract fetch NAME …)")
    for row in rows:
        head = "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
        lines = textwrap.wrap(row[3], room) or [""]
        click.echo(f"{head}  {lines[0]}".rstrip())
        for more in lines[1:]:
            click.echo(" " * indent + more)


def _params(args: list[str]) -> dict[str, str]:
    """``--start-date X --user 5`` → ``{"start_date": "X", "user": "5"}``."""
    params: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise ConfigError(f"fetch: {arg!r} is not an option; give parameters as --name value")
        name = arg[2:].replace("-", "_")
        if "=" in name:
            name, value = name.split("=", 1)
            i += 1
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            value = args[i + 1]
            i += 2
        else:
            value, i = "true", i + 1  # a flag such as --office-hours
        params[name] = value
    return params


def _client(config_path: str | None, simulator: bool, stack: contextlib.ExitStack):
    from ..notebook import ReportsClient

    if simulator:
        from ..simulator import Simulator

        sim = stack.enter_context(Simulator(seed=1, rate_limit=100_000))
        return sim.client()
    if config_path:
        from ..pipeline import load_config
        from ..pipeline.config import client_options

        return ReportsClient(**client_options(load_config(config_path).source))
    cid, secret = os.environ.get("HELPSCOUT_CLIENT_ID"), os.environ.get("HELPSCOUT_CLIENT_SECRET")
    if not cid or not secret:
        raise ConfigError(
            "fetch: no credentials; set HELPSCOUT_CLIENT_ID and "
            "HELPSCOUT_CLIENT_SECRET, or pass --config FILE, or --simulator"
        )
    base = os.environ.get("HELPSCOUT_BASE_URL", "https://api.helpscout.net")
    return ReportsClient(cid, secret, base)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True}, epilog=FETCH_HELP
)
@click.argument("report")
@click.option("--all-pages", is_flag=True, help="Every page of a paginated report.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="Raw JSON, or the normalized table as CSV.",
)
@click.option("--table", help="With --format csv: which table (default: the report's main one).")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Take credentials from this config.",
)
@click.option("--simulator", is_flag=True, help="Ask the built-in simulator (no account needed).")
@click.option("--debug", is_flag=True, help="Debug logs and tracebacks.")
@click.pass_context
@guarded
def fetch(ctx, report, all_pages, fmt, table, config_path, simulator, debug) -> None:
    """Print one report: its JSON, or its tidy table as CSV."""
    from ..api.catalog import get_report

    spec = get_report(report)
    params = _params(ctx.args)
    with contextlib.ExitStack() as stack:
        client = _client(config_path, simulator, stack)
        client.query(spec, **params)  # every parameter checked before any request
        if fmt == "csv":
            frames = client.frames(spec, **params)
            from ..normalize.names import main_table

            name = table or main_table(spec.name)
            if name not in frames:
                raise ConfigError(
                    f"--table: {name!r} is not a table of {spec.name}; allowed: {', '.join(frames)}"
                )
            frames[name].to_csv(sys.stdout, index=False)
            return
        if all_pages and spec.paginated:
            body = list(client.iter_pages(spec, **params))
        else:
            body = client.fetch(spec, **params)
    click.echo(json.dumps(body, indent=2, ensure_ascii=False))


@click.command(
    epilog="""\b
Examples:
  hs-extract tables                      # the reference, to stdout
  hs-extract tables --write docs/tables.md
"""
)
@click.option("--write", "path", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--debug", is_flag=True, hidden=True)
@guarded
def tables(path: str | None, debug: bool = False) -> None:
    """Print the table reference: every table, its grain, key and typed columns."""
    from pathlib import Path

    from ..normalize.docs import render

    text = render()
    if path:
        target = Path(path)
        try:  # its folder made, and never a half-written file
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
        except OSError as exc:
            raise ConfigError(f"--write: {path} is invalid; {exc.strerror or exc}") from None
        click.echo(f"wrote {path}", err=True)
    else:
        click.echo(text, nl=False)


@click.command(
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
@guarded
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
    try:
        sim.bind()  # the port first: "serving on …" is only said once it is true
    except OSError as exc:
        raise ConfigError(
            f"simulate: cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
        ) from None
    click.echo(
        f"Help Scout simulator on http://{host}:{sim.port} (seed {seed}); "
        f"client_id={client_id}; Ctrl-C stops it",
        err=True,
    )
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)
