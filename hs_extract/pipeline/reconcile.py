"""Where Help Scout's own numbers are meant to agree, compared over the loaded data.

- The conversations summary's ``newConversations`` against the new-conversations series summed
  over the same window (``conversations`` against ``conversations_new_conversations``).
- Each histogram's ``count`` and ``previousCount`` against its ranges summed (``productivity``,
  ``email``, ``chat`` against their ``__ranges`` tables).

This is a report, not a failure: ``hs-extract check --reconcile`` shows the differences. Pure
but for ``read(table, columns)``, which gives a loaded table as a DataFrame (or None).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..normalize import main_table
from ..normalize.fields import Many
from ..normalize.schema import SLICE_NAMES, snake
from ..normalize.summaries import SUMMARIES

__all__ = ["Difference", "Reconciled", "reconcile"]

Read = Callable[[str, Sequence[str]], "pd.DataFrame | None"]
KEY = ["grain", "window_start", *SLICE_NAMES]  # within a grain: a month with a month
#: the differences listed per comparison (the count says how many there are)
SHOWN = 10


@dataclass(frozen=True)
class Difference:
    """One window (and slice) where two numbers disagree."""

    window: str
    slice: str
    left: float
    right: float
    what: str = ""  # which of several compared numbers (a histogram's count …)


@dataclass
class Reconciled:
    """One comparison over the loaded windows: how many were compared, where they differ."""

    name: str
    left: str
    right: str
    compared: int = 0
    differences: list[Difference] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.compared:
            return f"{self.name}: no window holds both"
        head = f"{self.name}: {self.compared} compared, {len(self.differences)} differ"
        shown = [
            f"{d.window}{d.slice}{d.what}: {self.left} {d.left:g}, {self.right} {d.right:g}"
            for d in self.differences[:SHOWN]
        ]
        more = len(self.differences) - SHOWN
        return "; ".join([head, *shown]) + (f"; … and {more} more" if more > 0 else "")


def histograms(report: str) -> list[str]:
    """The histogram sections of a summary report (their ranges go to ``<report>__ranges``)."""
    f = SUMMARIES.get(report)
    if f is None:
        return []
    return [
        name
        for name, kind in f.sections.items()
        if isinstance(kind, Mapping) and isinstance(kind.get("ranges"), Many)
    ]


def reconcile(read: Read, reports: Sequence[str]) -> list[Reconciled]:
    """Every comparison the configured ``reports`` allow, over what ``read`` gives."""
    out = []
    if {"conversations", "conversations_new_conversations"} <= set(reports):
        summary = _current(read("conversations", [*KEY, "period", "new_conversations"]))
        series = _current(
            read(main_table("conversations_new_conversations"), [*KEY, "period", "count"])
        )
        out.append(
            _compare(
                "conversations newConversations = Σ conversations_new_conversations (windows)",
                ("conversations.new_conversations", summary, "new_conversations"),
                ("Σ conversations_new_conversations.count", series, "count"),
            )
        )
    for report in reports:
        names = histograms(report)
        if not names:
            continue
        base = main_table(report)
        cols = [f"{snake(h)}__{c}" for h in names for c in ("count", "previous_count")]
        main = _current(read(base, [*KEY, "period", *cols]))
        ranges = read(f"{base}__ranges", [*KEY, "histogram", "count", "previous_count"])
        # every histogram's count and previousCount, as one line per report
        total = Reconciled(
            f"{report} {len(names)} histograms' count, previousCount = Σ their ranges",
            "count",
            "Σ ranges",
        )
        for h in names:
            part = None if ranges is None else ranges[ranges["histogram"] == h]
            for column in ("count", "previous_count"):
                one = _compare(
                    "", ("", main, f"{snake(h)}__{column}"), ("", part, column), f" {h} {column}"
                )
                total.compared += one.compared
                total.differences += one.differences
        out.append(total)
    return out


def _current(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    return frame[frame["period"] == "current"]


def _compare(name: str, left: tuple, right: tuple, what: str = "") -> Reconciled:
    """``left``'s value against ``right``'s summed, window by window and slice by slice."""
    (lname, lframe, lcol), (rname, rframe, rcol) = left, right
    result = Reconciled(name, lname, rname)
    if lframe is None or rframe is None or lframe.empty or rframe.empty:
        return result
    a = _keyed(lframe).groupby(KEY, dropna=False)[lcol].sum(min_count=1).rename("left")
    b = _keyed(rframe).groupby(KEY, dropna=False)[rcol].sum(min_count=1).rename("right")
    both = pd.concat([a, b], axis=1, join="inner").dropna()
    result.compared = len(both)
    for key, row in both[both["left"] != both["right"]].iterrows():
        grain, start, *slices = key
        where = ", ".join(f"{k}={v}" for k, v in zip(SLICE_NAMES, slices, strict=True) if v)
        label = pd.Timestamp(start).strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")
        label += "" if grain == "day" else f" ({grain})"
        diff = Difference(label, f" [{where}]" if where else "", row["left"], row["right"], what)
        result.differences.append(diff)
    return result


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """The join keys made comparable: UTC instants, and empty text for an absent slice."""
    frame = frame.copy()
    frame["window_start"] = pd.to_datetime(frame["window_start"], utc=True)
    for col in SLICE_NAMES:
        frame[col] = frame[col].astype("string").fillna("")
    return frame
