"""The list endpoints a run reads: ids that slice reports, and the dimension snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa

from ..api.client import LISTS, ApiClient
from ..normalize import Sink, normalize_dimension
from .config import ReportConfig
from .planner import Lists

__all__ = ["fetch_lists", "needed_for_slices", "slice_ids", "snapshot_tables"]


def needed_for_slices(reports: Iterable[ReportConfig]) -> list[str]:
    """The lists whose ids the reports' slices expand to (``users: all``, ``field_ids: all``)."""
    reports = list(reports)
    out = []
    if any(r.users == "all" for r in reports):
        out += ["users", "teams"]
    if any(r.field_ids == "all" for r in reports):
        out.append("tags")
    return out


def fetch_lists(client: ApiClient, names: Sequence[str]) -> dict[str, list[dict]]:
    """Every item of each list (all HAL pages), by list name."""
    return {name: client.list_items(*LISTS[name]) for name in names}


def slice_ids(listings: Mapping[str, Sequence[dict]]) -> Lists:
    """The ids the planner slices by."""

    def ids(name: str) -> list[int]:
        items = listings.get(name, ())
        return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), int)]

    return Lists(users=ids("users"), teams=ids("teams"), tags=ids("tags"))


def snapshot_tables(
    listings: Mapping[str, Sequence[dict]], run_id: str, sink: Sink | None = None
) -> dict[str, pa.Table]:
    """The dimension tables of every fetched list, stamped with this run."""
    loaded_at = dt.datetime.now(dt.UTC)
    out: dict[str, pa.Table] = {}
    for name, items in listings.items():
        out.update(normalize_dimension(name, items, loaded_at, run_id, sink))
    return out
