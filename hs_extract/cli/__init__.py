"""The command-line stage: ``hs-extract``, one module per group of commands.

Takes command-line options and a config file; hands them to the pipeline (``run``, ``plan``,
``state``), the API client (``reports``, ``fetch``) or the simulator (``simulate``, ``demo``),
and turns what comes back into tables on stdout, one line per problem on stderr, and an exit
status (see :mod:`hs_extract.cli.common`).

Modules: ``common`` (consoles, error guard, shared options), ``logs`` (levels, JSON, the
heartbeat), ``jobs`` (run, plan, rebuild), ``check``, ``state``, ``history`` (runs),
``explore`` (reports, fetch, tables, simulate), ``demo``.
"""

from __future__ import annotations

import sys

import click

from . import check, config, demo, explore, history, init, jobs, logs, state

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Main(click.Group):
    """The command group; usage errors follow ``--log-format`` like every other line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            if logs.wanted_json(argv):
                logs.usage_error(exc.format_message(), exc.exit_code)
            else:
                exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=Main, context_settings=CONTEXT)
@click.version_option(package_name="hs-extract", prog_name="hs-extract")  # read on --version
def main() -> None:
    """Help Scout Mailbox API 2.0 reports to tidy tables, Parquet and SQL."""


for command in (
    init.init,
    explore.reports,
    explore.fetch,
    explore.tables,
    explore.simulate,
    demo.demo,
    jobs.run,
    jobs.plan,
    jobs.rebuild,
    check.check,
    state.state,
    history.runs,
    config.config,
):
    main.add_command(command)

if __name__ == "__main__":
    main()
