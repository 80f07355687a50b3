"""What defines a window's content, per report: changing it between runs would mix data.

The time zone (window sizes are not here: each grain's units are its own, told apart by the
``grain`` column, so adding or dropping a size mixes nothing), the filters the report takes
(office hours included), whether
summaries compare with the previous window, and the report's slice settings as configured
(``users: all`` stays ``all``: a user joining the account adds a slice, it mixes nothing).
Each destination keeps the fingerprint its loaded windows were made with; a run whose config
differs stops before any request (or, with ``--full-refresh``, rebuilds that report).
"""

from __future__ import annotations

from typing import Any

from ..api.catalog import REPORTS, Kind
from ..normalize.names import filters_text
from .config import SLICE_KEYS, Config, ReportConfig
from .planner import report_filters

__all__ = ["changes", "content", "fingerprint"]


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def fingerprint(config: Config, rc: ReportConfig) -> dict[str, Any]:
    """The settings that decide what a window of report ``rc`` holds."""
    spec = REPORTS[rc.name]
    w = config.windows
    out: dict[str, Any] = {
        "windows.timezone": w.timezone,
        "filters": filters_text(report_filters(spec, config.filters)) or "(none)",
    }
    if spec.kind is Kind.SUMMARY and spec.has_previous:
        out["windows.compare_previous"] = w.compare_previous
    for key in SLICE_KEYS[rc.name]:
        out[f"reports.{rc.name}.{key}"] = _plain(getattr(rc, key))
    return out


def content(config: Config, rc: ReportConfig) -> dict[str, Any]:
    """The settings that decide what one unit holds (the slice aside): the raw archive keeps
    them with each unit, and ``rebuild`` uses only units archived with the settings of now."""
    return {k: v for k, v in fingerprint(config, rc).items() if not k.startswith("reports.")}


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs, as ``key: old → new``."""
    keys = sorted(set(old) | set(new))
    return [
        f"{k}: {old.get(k, '(unset)')} → {new.get(k, '(unset)')}"
        for k in keys
        if old.get(k) != new.get(k)
    ]
