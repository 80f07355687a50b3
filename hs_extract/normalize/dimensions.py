"""Dimension tables: users, teams, mailboxes and tags, from the list endpoints (reference §6).

Each is a full snapshot of its list, replaced as a whole on every run, so that a report's
``user_id``, ``assigned_id``, ``mailbox_id`` or tag id can be turned into a name::

    select coalesce(u.name, t.name) as name, t.id is not null as is_team
    from user_overall r
    left join users u on u.id = r.user_id
    left join teams t on t.id = r.user_id

Every field the endpoints document is a column; anything else lands in ``_extra``, HAL's
``_links`` included (kept, but not reported as a new key: it is navigation, not data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa

from ..api.client import LISTS
from .engine import Sink, TableBuilder, compile_plan
from .fields import F, Many, Spec, T, ident, stamp, text
from .schema import SNAPSHOT, Column, TableSpec, _child_specs, flatten

__all__ = ["DIMENSIONS", "Dimension", "dimension_tables", "normalize_dimension"]

#: HAL keys kept in ``_extra`` without a new-key note
QUIET = frozenset({"_links"})


@dataclass(frozen=True)
class Dimension:
    """One list endpoint (``LISTS[name]``: its path and ``_embedded`` key) and the snapshot
    table it fills."""

    name: str
    item: Spec
    grain: str
    #: columns computed from each item: name → (field, function of the item)
    derived: Mapping[str, tuple[F, Callable[[dict[str, Any]], Any]]] = field(default_factory=dict)


def _full_name(item: dict[str, Any]) -> str | None:
    parts = [p for p in (item.get("firstName"), item.get("lastName")) if isinstance(p, str) and p]
    return " ".join(parts) or None


def _team(item: dict[str, Any]) -> str:
    return "team"


CREATED = stamp("when it was created")
UPDATED = stamp("when it last changed")
DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension(
            "users",
            {
                "id": ident("the user (user_id, assigned_id, rating_user_id … join here)"),
                "firstName": text("first name"),
                "lastName": text("last name"),
                "email": text("email address"),
                "role": text("account role: owner, admin or user"),
                "type": text("user (Help Scout's type; teams are in the teams table)"),
                "timezone": text("the user's IANA time zone"),
                "mention": text("@mention handle"),
                "initials": text("initials"),
                "jobTitle": text("job title"),
                "phone": text("phone number"),
                "alternateEmails": Many(
                    text("another email address of the user"),
                    "alternate_emails",
                    "user_id",
                    "email",
                ),
                "photoUrl": text("photo address"),
                "createdAt": CREATED,
                "updatedAt": UPDATED,
            },
            "one row per user of the account (invited ones included)",
            {"name": (text("first and last name (derived)"), _full_name)},
        ),
        Dimension(
            "teams",
            {
                "id": ident("the team (a user_id of the user reports may be a team)"),
                "name": text("team name"),
                "initials": text("initials"),
                "mention": text("@mention handle"),
                "timezone": text("the team's IANA time zone"),
                "photoUrl": text("photo address"),
                "createdAt": CREATED,
                "updatedAt": UPDATED,
            },
            "one row per team",
            {"type": (text("team: marks the row as a team, as users.type marks users"), _team)},
        ),
        Dimension(
            "mailboxes",
            {
                "id": ident("the mailbox (inbox; mailbox_id joins here)"),
                "name": text("mailbox name"),
                "slug": text("mailbox slug"),
                "email": text("the mailbox's email address"),
                "createdAt": CREATED,
                "updatedAt": UPDATED,
            },
            "one row per mailbox (inbox)",
        ),
        Dimension(
            "tags",
            {
                "id": ident("the tag (tag ids of the reports join here)"),
                "name": text("tag name"),
                "slug": text("tag slug"),
                "color": text("tag colour (hex)"),
                "ticketCount": F(T.INT, "conversations with the tag, all time", "count"),
                "createdAt": CREATED,
                "updatedAt": UPDATED,
            },
            "one row per tag, across all inboxes",
        ),
    )
}


@cache
def tables_of_dimension(name: str) -> tuple[TableSpec, ...]:
    """The snapshot table of one list endpoint (and its child tables), main table first."""
    d = DIMENSIONS[name]
    cols = flatten(d.item)
    for col, (fld, _) in d.derived.items():
        cols.insert(1, Column(col, fld.type.arrow, (), fld.doc, fld.unit))
    main = TableSpec(name, name, d.grain, ("id",), tuple(cols), lineage=SNAPSHOT)
    return (main, *_child_specs(name, name, name, d.item, lineage=SNAPSHOT))


def dimension_tables() -> list[TableSpec]:
    """Every dimension table."""
    return [t for name in DIMENSIONS for t in tables_of_dimension(name)]


def normalize_dimension(
    name: str,
    items: Sequence[Any],
    loaded_at: dt.datetime,
    run_id: str,
    sink: Sink | None = None,
) -> dict[str, pa.Table]:
    """The snapshot tables of one list (every item of every page)."""
    d = DIMENSIONS[name]
    embedded = LISTS[name][1]
    sink = sink or Sink()
    builders: dict[str, TableBuilder] = {}
    for t in tables_of_dimension(name):
        builders[t.name] = TableBuilder(t, builders, sink)
    main = builders[name]
    rows = [it for it in items if it is not None]
    if rows:
        start = main.new_rows(len(rows), lambda i: f"$._embedded.{embedded}[{i}]")
        main.check_items(rows, dict, start, "", "an object")
        quiet = [{k: v for k, v in it.items() if k in QUIET} for it in rows]
        plain = [{k: v for k, v in it.items() if k not in QUIET} for it in rows]
        main.fill(compile_plan(d.item), plain, start, f"$._embedded.{embedded}[]")
        for i, kept in enumerate(quiet):
            for k, v in kept.items():
                main.add_extra(start + i, k, v)
        for col, (_, fn) in d.derived.items():
            main.set(col, start, [fn(it) for it in rows])
    constants = {"loaded_at": loaded_at, "run_id": run_id}
    return {n: b.to_table(constants) for n, b in builders.items()}
