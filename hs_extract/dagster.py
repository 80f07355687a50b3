"""Dagster: one asset per configured report, its partitions the config's windows.

``report_assets({"acme": "acme.yaml", "globex": "globex.yaml"})`` makes, for every report of
every account, an asset keyed ``[account, report]`` whose daily (weekly, monthly) partitions
are the windows of that config's ``windows.size`` in its ``windows.timezone``. Materializing a
partition range runs :func:`hs_extract.run` over exactly those dates (one run for a backfill:
``BackfillPolicy.single_run``), so the pipeline's own workers share the rate limit.

One account's requests never run side by side from two Dagster runs: each asset is in the
account's concurrency pool (``hs_extract_<account>``: give it a limit of 1 with
``dagster instance concurrency set``), and a run that finds the destination locked by another
queues behind it (``wait``) instead of failing. Needs the ``[dagster]`` extra.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

try:
    import dagster as dg
except ImportError as exc:  # pragma: no cover - the extra is missing
    raise ImportError(
        "hs_extract.dagster needs Dagster, which is not installed: "
        "pip install 'hs-extract[dagster]'"
    ) from exc

import pendulum

from .errors import ConfigError, HSExtractError
from .pipeline.config import Config
from .pipeline.doors import as_config, run
from .pipeline.windows import align

__all__ = ["definitions", "partitions_for", "pool_for", "report_assets"]

#: how long a partition's run queues behind another run on the same destination
DEFAULT_WAIT = 6 * 3600.0
_NAME_RE = re.compile(r"[^A-Za-z0-9_]")


def partitions_for(
    config: Config, today: dt.date | None = None, grain: str | None = None
) -> dg.PartitionsDefinition:
    """The partitions of a config's windows of ``grain`` (default: its first): one per window,
    keyed by its local start date."""
    w = config.windows
    size = grain or w.grains[0]
    first = w.start
    if isinstance(first, int):  # relative (-28d): counted from today, as a run counts it
        today = today or pendulum.now(w.timezone).date()
        first = today + dt.timedelta(days=first)
    start = align(first, size, w.timezone).to_date_string()
    end = w.end.isoformat() if w.end else None
    kinds = {
        "day": lambda: dg.DailyPartitionsDefinition(start, timezone=w.timezone, end_date=end),
        "week": lambda: dg.WeeklyPartitionsDefinition(
            start,
            day_offset=1,
            timezone=w.timezone,
            end_date=end,  # weeks start on Monday
        ),
        "month": lambda: dg.MonthlyPartitionsDefinition(
            start, day_offset=1, timezone=w.timezone, end_date=end
        ),
    }
    return kinds[size]()


def pool_for(account: str) -> str:
    """The Dagster concurrency pool of an account's assets."""
    return f"hs_extract_{account}"


def _accounts(configs) -> dict[str, Config]:
    if isinstance(configs, Mapping):
        named = dict(configs)
    else:
        named = {}
        for c in configs:
            if not isinstance(c, (str, Path)):
                raise ConfigError(
                    "report_assets: a config given as a mapping or Config needs an account "
                    "name; pass {name: config, …}"
                )
            named[Path(c).stem] = c
    out = {}
    for name, config in named.items():
        key = _NAME_RE.sub("_", str(name))
        if key in out:
            raise ConfigError(f"report_assets: two accounts are named {key!r}; name them apart")
        out[key] = as_config(config)
    return out


def report_assets(
    configs: Mapping[str, Config | Mapping | str | Path] | Sequence[str | Path],
    *,
    wait: float = DEFAULT_WAIT,
) -> list[dg.AssetsDefinition]:
    """One asset per report of each account's config (account → config, or config paths,
    named after their file), keyed ``[account, report]``."""
    assets = []
    for account, config in _accounts(configs).items():
        grains = config.windows.grains
        for grain in grains:
            parts = partitions_for(config, grain=grain)
            for rc in config.reports:
                # several grains: an asset per report and grain ([account, report, grain])
                key = [account, rc.name, grain] if len(grains) > 1 else [account, rc.name]
                assets.append(_asset(key, config, rc.name, grain, parts, wait))
    return assets


def definitions(configs, *, wait: float = DEFAULT_WAIT) -> dg.Definitions:
    """``dg.Definitions`` holding :func:`report_assets` (for a ``definitions.py``)."""
    return dg.Definitions(assets=report_assets(configs, wait=wait))


def _asset(key: list[str], config: Config, report: str, grain: str, parts, wait: float):
    account = key[0]

    @dg.asset(
        key=dg.AssetKey(key),
        partitions_def=parts,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=pool_for(account),
        group_name=account,
        description=f"Help Scout report {report} of {account}, one partition per {grain} window",
        kinds={"python"},
    )
    def load(context) -> dg.MaterializeResult:  # Dagster reads no string annotation here
        window = context.partition_time_window  # the whole range in a backfill's single run
        start, end = window.start.date(), window.end.date()
        try:
            result = run(config, start=start, end=end, reports=[report], grains=[grain], wait=wait)
        except HSExtractError as exc:
            raise dg.Failure(
                description=f"{account}/{report}: {exc}", metadata={"exit_code": exc.exit_code}
            ) from None
        meta: dict[str, Any] = {
            "run_id": result.run_id,
            "exit_code": result.exit_code,
            "units_loaded": result.units_loaded,
            "rows": int(sum(result.rows.values())),
            "windows": f"{start} to {end}",
        }
        if result.exit_code:
            failed = "; ".join(f"{u}: {m}" for u, m in result.failures[:5])
            denied = "; ".join(f"{r}: {m}" for r, m in result.denied.items())
            raise dg.Failure(
                description=f"{account}/{report}: {result.status}: {failed or denied}",
                metadata=meta,
            )
        return dg.MaterializeResult(metadata=meta)

    return load
