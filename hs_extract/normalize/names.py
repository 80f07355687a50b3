"""Names every stage may need without loading Arrow: a report's main table, the canonical text
of a filter set. Pure and light (``hs-extract state show`` and ``runs`` stay fast)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["EXTRA_COLUMN", "FILTER_PARAMS", "TABLE_NAMES", "filters_text", "main_table"]

#: report → the name of its tables when the report's own name reads badly in SQL
TABLE_NAMES = {"user": "user_overall"}
#: the column of keys the schema does not know (JSON text; jsonb in PostgreSQL)
EXTRA_COLUMN = "_extra"


def main_table(report: str) -> str:
    """The name of a report's main table (its children are ``<main>__<section>``)."""
    return TABLE_NAMES.get(report, report)


#: parameters that change what the numbers mean, kept in the ``filters`` column
FILTER_PARAMS = ("mailboxes", "tags", "types", "folders", "office_hours", "sites")


def filters_text(params: Mapping[str, Any]) -> str:
    """Canonical text of a filter set: ``folders=1,2;types=chat,email`` (empty: no filter)."""
    parts = []
    for name in FILTER_PARAMS:
        value = params.get(name)
        if value is None or value == [] or value is False:
            continue
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, bool):
            text = "true"
        else:
            items = list(value) if isinstance(value, Iterable) else [value]
            text = ",".join(sorted(str(v) for v in items))
        parts.append(f"{name}={text}")
    return ";".join(parts)
