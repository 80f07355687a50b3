"""The job as one call, for Python and orchestrators: ``hs_extract.run(config, …)``.

``run`` takes a config (a YAML path, a parsed mapping or a :class:`~.config.Config`) and goes
through every phase of the job (job.py) exactly as ``hs-extract run`` does. It returns the
:class:`~.result.RunResult`, whose ``exit_code`` is the CLI's exit status (0 loaded, 1 units
failed, 3 partial, 130/143 interrupted); a job that could not start raises the
:class:`~hs_extract.errors.HSExtractError` the CLI would report, whose ``exit_code`` is the
CLI's too (2 bad input, 69 unavailable, 75 locked …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import interrupt
from ..errors import ConfigError
from .config import Config
from .config_file import load_config, parse_config
from .job import Job, Progress
from .result import RunResult

__all__ = ["as_config", "run"]


def as_config(config: Config | Mapping | str | Path) -> Config:
    """A config from a path to YAML, a parsed mapping, or a Config."""
    if isinstance(config, Config):
        return config
    if isinstance(config, Mapping):
        return parse_config(config)
    return load_config(config)


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
    progress: Progress | None = None,
    stop: interrupt.Stop | None = None,
    grains: Sequence[str] | None = None,
) -> RunResult:
    """Run the job of ``config`` as ``hs-extract run`` does. ``start``/``end`` (dates or ISO
    strings) limit the windows, ``reports`` the reports (a list, or comma-separated);
    ``client`` replaces the API client (tests, a shared limiter); ``stop`` lets another thread
    end this job (its waits end at once; other jobs go on); ``grains`` limits the window sizes
    of a config that has several."""
    job = Job(as_config(config), client=client, strict=strict, stop=stop)
    names = [r.strip() for r in reports.split(",")] if isinstance(reports, str) else reports
    try:
        return job.run(
            _day(start, "start"),
            _day(end, "end"),
            list(names) if names is not None else None,
            full_refresh,
            wait=wait,
            progress=progress,
            max_minutes=max_minutes,
            max_requests=max_requests,
            grains=grains,
        )
    finally:
        job.close()


def _day(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{name}: {value!r} is invalid; allowed: a date like 2025-01-31"
        ) from None
