"""What a job did: units loaded and failed, rows, repeats, and how it ended."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from .pace import Pace
from .planner import Plan

__all__ = ["PARTIAL", "RunResult"]

log = logging.getLogger("hs_extract.run")

#: the exit status of a run that stopped because its budget (minutes, requests) was spent
PARTIAL = 3


@dataclass
class RunResult:
    """What a run (or a rebuild) did; ``ok`` only when every unit asked for was loaded."""

    run_id: str
    plan: Plan
    units_loaded: int = 0
    rows: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    denied: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    unknown_keys: set[str] = field(default_factory=set)
    #: values of another type converted without loss: where (report: JSON path) → what
    converted: dict[str, str] = field(default_factory=dict)
    #: 0, or the exit status of the signal that stopped the run (130 SIGINT, 143 SIGTERM)
    interrupted: int = 0
    #: the run's budget (--max-minutes, --max-requests) ran out: the rest loads next run
    partial: bool = False
    #: rows dropped because their key repeated (a result sent twice while paging), per table
    repeats: Counter = field(default_factory=Counter)
    #: reports that left the config since the last run: their tables stay, no longer updated
    removed: list[str] = field(default_factory=list)
    #: why the run could not be written to ``_hs_extract_runs`` / ``_runs.jsonl`` (or None)
    log_error: str | None = None
    #: units whose rows differ from what the API said they hold: (unit, expected, landed)
    mismatches: list[tuple[str, int, int]] = field(default_factory=list)
    #: (rebuild) units asked for that the archive lacks: forgotten, fetched by the next run
    missing: list[str] = field(default_factory=list)
    #: (rebuild) units kept because the destination holds a newer answer: unit and why
    kept: list[str] = field(default_factory=list)
    #: what ended the job before its units were done (one line), or None
    error: str | None = None
    #: the requests made and left, live (an API run; None for a rebuild)
    pace: Pace | None = None

    @property
    def ok(self) -> bool:
        """Everything asked for was loaded (a partial run loaded everything it started)."""
        return (
            not self.failures
            and not self.denied
            and not self.interrupted
            and not self.missing
            and self.error is None
        )

    @property
    def exit_code(self) -> int:
        """The CLI's exit status: 0 all loaded; 1 failures; 3 partial (the next run goes on);
        130/143 interrupted (SIGINT/SIGTERM)."""
        if self.interrupted:
            return self.interrupted
        if not self.ok:
            return 1
        return PARTIAL if self.partial else 0

    @property
    def units_failed(self) -> int:
        return len(self.plan.units) - self.units_loaded

    @property
    def status(self) -> str:
        """How the run ended, as ``_hs_extract_runs.status`` says it."""
        if self.interrupted:
            return "interrupted"
        if not self.ok:
            return "failed"
        return "partial" if self.partial else "ok"

    @property
    def message(self) -> str | None:
        """The run log's message: failures, denied reports, repeated results dropped."""
        parts = [self.error] if self.error else []
        parts += [f"{u}: {m}" for u, m in self.failures[:20]]
        parts += [f"{r}: {m}" for r, m in self.denied.items()]
        if self.missing:
            parts.append(f"{len(self.missing)} units not in the archive")
        if self.mismatches:
            parts.append(f"{len(self.mismatches)} units differ from the API's counts")
        if self.repeats:
            counts = ", ".join(f"{t} {n}" for t, n in sorted(self.repeats.items()))
            parts.append(f"repeated results dropped: {counts}")
        return "; ".join(parts) or None

    def fail(self, unit: str, message: str, lock: threading.Lock) -> None:
        """Record that ``unit`` failed, and log it at once, at ERROR (the summary lists the
        failures again at the end)."""
        with lock:
            self.failures.append((unit, message))
        line = message.splitlines()[0] if message else "failed"
        log.error(
            "failed: %s: %s", unit, line, extra={"event": "unit_failed", "fields": {"unit": unit}}
        )

    def repeated(self, dropped: Mapping[str, int], lock: threading.Lock) -> None:
        """Count rows dropped because their key repeated (per table)."""
        with lock:
            self.repeats.update(dropped)
