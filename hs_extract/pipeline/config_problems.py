"""Problems found while reading a config: one per key, all reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MISSING", "Problems", "section"]

#: a key that is not there (shown as "(missing)")
MISSING = object()


class Problems:
    """Problems found so far; one per key (the first found says the most)."""

    def __init__(self, waived: frozenset[str] = frozenset()) -> None:
        self.items: list[str] = []
        self._keys: set[str] = set()
        #: keys whose problems don't matter here (credentials of a command that never calls
        #: the API)
        self.waived = waived

    def note(self, key: str, text: str) -> None:
        if key not in self._keys and key not in self.waived:
            self._keys.add(key)
            self.items.append(text)

    def add(self, key: str, value: Any, allowed: str) -> None:
        shown = "(missing)" if value is MISSING else repr(value)
        self.note(key, f"{key}: {shown} is invalid; {allowed}")


def section(raw: Mapping, key: str, allowed: tuple[str, ...], problems: Problems) -> dict:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        problems.add(key, value, "allowed: a mapping of " + ", ".join(allowed))
        return {}
    for k in value:
        if k not in allowed:
            problems.add(f"{key}.{k}", value[k], f"unknown key; allowed: {', '.join(allowed)}")
    return dict(value)
