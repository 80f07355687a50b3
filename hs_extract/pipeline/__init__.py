"""The pipeline stage: the job that ties the other stages together, with one door per use.

Takes a config (YAML: source, windows, filters, reports, destinations) and the state the
destinations hold; cuts the date range into windows, plans the fewest requests for the
(report, slice, window) units not loaded yet (plus the lookback), takes them from a source (the
API, or the raw archive), normalizes them, loads each unit into every destination and moves its
state only once its rows are durable. Hands on a :class:`RunResult`: what was loaded, what
failed and why.

Modules: ``job`` (the :class:`Job`: its phases and doors), ``doors`` (``hs_extract.run``),
``source_api`` and ``source_archive`` (where units come from), ``work`` (one request's fetch,
archive, normalize and split), ``check`` (the door that commits nothing), ``config`` (the model),
``config_file`` (YAML to the model, every problem at once; ``config_errors`` says them),
``windows`` (pure date windows), ``planner`` (units to requests,
pure), ``lists`` (the list endpoints: slice ids, dimension snapshots), ``units`` (a request's
tables split into units), ``destinations`` (lock, open, what each destination holds, commit),
``lock`` (one job at a time), ``fingerprint`` (the settings a window's content depends on),
``state`` (``_state.json``), ``commit`` (the thread that commits ready units in batches),
``result``, ``reconcile``.
"""

from typing import TYPE_CHECKING

from ..lazy import lazy

if TYPE_CHECKING:
    from .config import Config, ReportConfig, workers_for
    from .config_file import load_config, parse_config
    from .doors import run
    from .job import Job
    from .result import RunResult

#: each public name and the module it comes from (imported on first use)
_NAMES = {
    "Config": ".config",
    "ReportConfig": ".config",
    "workers_for": ".config",
    "load_config": ".config_file",
    "parse_config": ".config_file",
    "run": ".doors",
    "Job": ".job",
    "RunResult": ".result",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "Config",
    "Job",
    "ReportConfig",
    "RunResult",
    "load_config",
    "parse_config",
    "run",
    "workers_for",
]
