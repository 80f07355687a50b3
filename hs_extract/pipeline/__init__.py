"""The pipeline stage: the incremental run that ties the other stages together.

Takes a config (YAML: source, windows, filters, reports, destinations) and the state the
destinations hold; cuts the date range into windows, plans the fewest requests for the
(report, slice, window) units not loaded yet (plus the lookback), fetches them through the API
stage, normalizes them, loads each unit into every destination and moves its state only once
its rows are durable. Hands on a :class:`RunResult`: what was loaded, what failed and why.

Modules: ``config`` (the model), ``config_file`` (YAML to the model, every problem at once;
``config_destinations`` and ``config_problems`` beside it),
``windows`` (pure date windows), ``planner`` (units to requests, pure), ``lists`` (the list
endpoints: slice ids, dimension snapshots), ``units`` (a request's tables split into units),
``destinations`` (lock, open, what each destination holds, commit), ``lock`` (one run at a
time), ``fingerprint`` (the settings a window's content depends on), ``state``
(``_state.json``), ``commit`` (the thread that commits ready units in batches), ``run`` (the
:class:`Pipeline`), ``job`` (the scheduled job as one call: ``hs_extract.run``).
"""

from .config import Config, ReportConfig, workers_for
from .config_file import load_config, parse_config
from .run import Pipeline, RunResult

__all__ = [
    "Config",
    "Pipeline",
    "ReportConfig",
    "RunResult",
    "load_config",
    "parse_config",
    "workers_for",
]
