"""``frames(report, window="day", …)``: the tables a run loads, without a warehouse.

The range is cut into windows and fetched, normalized and split exactly as ``hs-extract run``
does it, because it *is* a run, a door into the same job (pipeline/job.py): the client's own
(limiter, cache and all) into a temporary Parquet folder, whose datasets are read back and the
folder removed. What the frames hold is
therefore what a run's Parquet destination would hold for the same range, window columns
(``window_start``, ``window_end``, ``window_date``) included.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from ..api.catalog import ReportSpec
from ..errors import ConfigError, HSExtractError
from ..normalize import tables_of
from ..pipeline.config_file import parse_config
from ..pipeline.job import Job
from ..pipeline.windows import SIZES
from .progress import PageBar

if TYPE_CHECKING:
    import pandas as pd

    from .client import ReportsClient

__all__ = ["window_frames"]

#: frames() parameters → the config's filters
FILTERS = ("mailboxes", "tags", "folders", "types", "office_hours")
#: frames() parameters → the report's slice settings in a config (one id: a list of one)
SLICES = {
    "user": "users",
    "field": "field",
    "field_id": "field_ids",
    "range": "range",
    "range_id": "range_ids",
    "rating": "rating",
    "status": "status",
}
LISTED = {"users", "field_ids", "range_ids"}


def _day(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        parsed = pendulum.parse(str(value))
        if isinstance(parsed, dt.datetime | dt.date):  # a time or a duration is no day
            return parsed.date() if isinstance(parsed, dt.datetime) else parsed
        raise ValueError(value)
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        raise ConfigError(
            f"{name}: {value!r} is invalid; allowed: a date like 2025-01-31"
        ) from None


def _config(client: ReportsClient, spec: ReportSpec, window: str, tz: str, params: dict, out):
    if window not in SIZES:
        raise ConfigError(f"window: {window!r} is invalid; allowed: {', '.join(SIZES)} or None")
    params = dict(params)
    if params.get("start_date") is None:
        raise ConfigError("start_date: (missing) is invalid; required with window=")
    windows = {
        "start": _day(params.pop("start_date"), "start_date"),
        "size": window,
        "lookback": 0,
        "timezone": tz,
    }
    if params.get("end_date") is not None:
        windows["end"] = _day(params.pop("end_date"), "end_date")
    params.pop("end_date", None)
    filters = {k: params.pop(k) for k in FILTERS if params.get(k) is not None}
    entry: dict[str, Any] = {"name": spec.name}
    for name, key in SLICES.items():
        value = params.pop(name, None)
        if value is not None:
            entry[key] = [value] if key in LISTED and not isinstance(value, list) else value
    left = sorted(k for k, v in params.items() if v is not None)
    if left:
        raise ConfigError(
            f"frames(window={window!r}): {', '.join(left)} can't be used with windows (a run "
            "sends its own); allowed: start_date, end_date, " + ", ".join((*FILTERS, *SLICES))
        )
    return parse_config(
        {
            "source": {
                "base_url": client.base_url,
                "client_id": client.transport.auth.client_id,
                "client_secret": "(this client's)",  # the run uses the client itself
                "rate_limit_per_minute": client.limiter.ceiling,
                "max_workers": client.workers,
            },
            "windows": windows,
            "filters": filters,
            "reports": [entry],
            "destinations": {"parquet": {"path": str(out)}},
        }
    )


def window_frames(
    client: ReportsClient,
    spec: ReportSpec,
    window: str,
    timezone: str,
    params: dict,
    progress: bool | None,
) -> dict[str, pd.DataFrame]:
    """The tables a run loads for ``spec`` over the range of ``params``, in ``window`` windows
    of ``timezone``; the failure of any window raises (nothing partial is returned)."""
    from .client import to_frame

    with tempfile.TemporaryDirectory(prefix="hs-frames-") as tmp:
        out = Path(tmp) / "parquet"
        config = _config(client, spec, window, timezone, params, out)
        job = Job(config, client=client)  # a run of its own: the client's limiter and cache
        shown = client.progress if progress is None else progress
        try:
            with PageBar(f"{spec.name} windows", shown) as bar:

                def tick(result, _req) -> None:
                    done = result.units_loaded + len(result.failures)
                    bar(done, len(result.plan.units))

                result = job.run(progress=tick)
        finally:
            job.close()
        if result.interrupted:  # Ctrl-C in the notebook: nothing partial is returned
            raise KeyboardInterrupt
        if not result.ok:
            what = [f"{u}: {m}" for u, m in result.failures[:3]]
            what += [f"{r}: {m}" for r, m in result.denied.items()]
            raise HSExtractError(
                f"frames({spec.name!r}, window={window!r}): {len(result.failures)} windows "
                f"failed: {'; '.join(what)}"
            )
        frames = {}
        for table in tables_of(spec.name):
            folder = out / table.name
            files = sorted(folder.glob("window_date=*/*.parquet")) if folder.exists() else []
            if not files:
                continue
            data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
            i = data.schema.get_field_index("window_date")  # the window's local date
            day = pc.cast(pc.cast(data.column(i), pa.string()), pa.date32())
            frames[table.name] = to_frame(data.set_column(i, "window_date", day))
        return frames
