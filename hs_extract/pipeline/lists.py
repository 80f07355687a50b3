"""The list endpoints a run reads: ids that slice reports, and the dimension snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .config import Config, ReportConfig
from .planner import Lists

if TYPE_CHECKING:
    import pyarrow as pa

    from ..api.client import ApiClient
    from ..normalize import Sink

__all__ = [
    "DIMENSION_NAMES",
    "check_slice_ids",
    "fetch_lists",
    "needed_for_slices",
    "slice_ids",
    "snapshot_tables",
]

#: the list endpoints every run snapshots into the dimension tables
DIMENSION_NAMES = ("users", "teams", "mailboxes", "tags")


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
    from ..api.client import LISTS

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
    from ..normalize import normalize_dimension

    loaded_at = dt.datetime.now(dt.UTC)
    out: dict[str, pa.Table] = {}
    for name, items in listings.items():
        out.update(normalize_dimension(name, items, loaded_at, run_id, sink))
    return out


def check_slice_ids(config: Config, listings: Mapping[str, Sequence[dict]]) -> None:
    """ConfigError for a configured user, team or tag id the account does not have
    (before any report request: an unknown id would fail every one of its windows)."""
    ids = slice_ids(listings)
    people, tags = {*ids.users, *ids.teams}, set(ids.tags)
    for rc in config.reports:
        checks = []
        if isinstance(rc.users, tuple) and "users" in listings:
            checks.append(("users", rc.users, people, "a user or team", "/v2/users, /v2/teams"))
        if rc.field == "tagid" and isinstance(rc.field_ids, tuple) and "tags" in listings:
            checks.append(("field_ids", rc.field_ids, tags, "a tag", "/v2/tags"))
        for key, given, known, what, where in checks:
            unknown = [i for i in given if i not in known]
            if unknown:
                some = ", ".join(map(str, sorted(known)[:12]))
                raise ConfigError(
                    f"reports.{rc.name}.{key}: {', '.join(map(str, unknown))} is not {what} "
                    f"of the account ({where}); allowed: {some}" + (" …" if len(known) > 12 else "")
                )
