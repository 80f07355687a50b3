"""The scheduled job as one call: what ``hs-extract run`` does, for Python and orchestrators.

``hs_extract.run(config, start=…, end=…, reports=…)`` checks the dates, takes the destinations'
lock, refuses a changed config, checks credentials and the configured ids, opens the
destinations, and runs, in that order, so that nothing is written when any check fails. It
returns the :class:`RunResult`, whose ``exit_code`` is the CLI's exit status (0 loaded, 1 units
failed, 3 partial, 130/143 interrupted); a run that could not start raises the
:class:`~hs_extract.errors.HSExtractError` the CLI would report, whose ``exit_code`` is the
CLI's too (2 bad input, 69 unavailable, 75 locked …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .config import Config
from .config_file import load_config, parse_config
from .result import RunResult
from .run import Pipeline

__all__ = ["as_config", "run", "run_job"]


def as_config(config: Config | Mapping | str | Path) -> Config:
    """A config from a path to YAML, a parsed mapping, or a Config."""
    if isinstance(config, Config):
        return config
    if isinstance(config, Mapping):
        return parse_config(config)
    return load_config(config)


def _names(config: Config, reports: str | Sequence[str] | None) -> list[str] | None:
    if reports is None:
        return None
    names = [r.strip() for r in reports.split(",")] if isinstance(reports, str) else list(reports)
    known = {r.name for r in config.reports}
    for n in names:
        if n not in known:
            raise ConfigError(
                f"reports: {n!r} is not in the config's reports; allowed: "
                f"{', '.join(sorted(known))}"
            )
    return names


def run_job(
    pipeline: Pipeline,
    start: dt.date | None = None,
    end: dt.date | None = None,
    reports: Sequence[str] | None = None,
    full_refresh: bool = False,
    *,
    wait: float = 0.0,
    progress: Callable | None = None,
    max_minutes: float | None = None,
    max_requests: int | None = None,
) -> RunResult:
    """Check, lock, open and run ``pipeline`` (the CLI's ``run`` and :func:`run` share it)."""
    pipeline.windows(start, end)  # dates checked before anything is created
    with pipeline.locked(wait):  # before anything is created or cleaned up
        pipeline.check_config(reports, rebuild=full_refresh)  # before any request
        pipeline.client.connect()  # credentials and host: nothing written if wrong
        pipeline.prefetch_lists()  # user, team and tag ids checked: still nothing written
        pipeline.open(rebuild=full_refresh)
        return pipeline.run(
            start,
            end,
            reports,
            full_refresh,
            progress=progress,
            max_minutes=max_minutes,
            max_requests=max_requests,
        )


def run(
    config: Config | Mapping[str, Any] | str | Path,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    reports: str | Sequence[str] | None = None,
    full_refresh: bool = False,
    wait: float = 0.0,
    max_minutes: float | None = None,
    max_requests: int | None = None,
    strict: bool = False,
    client=None,
) -> RunResult:
    """Run the job of ``config`` (a YAML path, a mapping or a Config) as ``hs-extract run``
    does. ``start``/``end`` (dates or ISO strings) limit the windows, ``reports`` the reports;
    ``client`` replaces the API client (tests, a shared limiter). The result's ``exit_code``
    is the CLI's exit status; a run that can't start raises the error the CLI would print."""
    cfg = as_config(config)
    names = _names(cfg, reports)
    start, end = _day(start, "start"), _day(end, "end")
    pipeline = Pipeline(cfg, client=client, strict=strict)
    try:
        return run_job(
            pipeline,
            start,
            end,
            names,
            full_refresh,
            wait=wait,
            max_minutes=max_minutes,
            max_requests=max_requests,
        )
    finally:
        pipeline.close()


def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{name}: {value!r} is invalid; allowed: a date like 2025-01-31"
        ) from None
