"""Logs a person (or a pager) can read the next morning: levels, a JSON format, a heartbeat.

- On a terminal a run shows a progress bar and only warnings are logged; when stderr is not a
  terminal (cron, systemd, Airflow) INFO is on: one progress line a minute and one per
  failure. ``-v`` turns INFO on anywhere; ``--debug`` adds hs_extract's debug lines (and
  tracebacks), ``--debug-http`` the HTTP library's connection lines too.
- ``--log-format json``: every line on stderr is one JSON object with stable keys: ``ts``,
  ``level``, ``logger``, ``event``, ``message``, then the event's own fields.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["Heartbeat", "JsonFormatter", "say", "setup"]

log = logging.getLogger("hs_extract.run")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: seconds between progress lines (HS_EXTRACT_LOG_INTERVAL shortens it, for tests)
INTERVAL = float(os.environ.get("HS_EXTRACT_LOG_INTERVAL", "60"))
_json = False


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, event, message, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        ts = dt.datetime.fromtimestamp(record.created, dt.UTC)
        line = {
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


@contextlib.contextmanager
def setup(
    *, verbose: bool = False, debug: bool = False, debug_http: bool = False, fmt: str = "text"
) -> Iterator[None]:
    """Logging for one command (stderr); the previous configuration comes back afterwards
    (a command run in-process, by a test or a notebook, leaves no levels behind)."""
    global _json
    names = ("hs_extract", "urllib3", "requests", "psycopg")
    root = logging.getLogger()
    handlers, root_level = list(root.handlers), root.level
    levels = {n: logging.getLogger(n).level for n in names}
    _json = fmt == "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if _json else logging.Formatter(TEXT_FORMAT))
    for old in handlers:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    quiet_terminal = sys.stderr.isatty() and not verbose
    level = logging.DEBUG if debug else logging.WARNING if quiet_terminal else logging.INFO
    logging.getLogger("hs_extract").setLevel(level)
    http = logging.DEBUG if debug_http else logging.WARNING
    for name in names[1:]:
        logging.getLogger(name).setLevel(http)
    try:
        yield
    finally:
        root.removeHandler(handler)
        for old in handlers:
            root.addHandler(old)
        root.setLevel(root_level)
        for name, lvl in levels.items():
            logging.getLogger(name).setLevel(lvl)
        _json = False


def json_logs() -> bool:
    return _json


def wanted_json(argv: list[str]) -> bool:
    """Whether the command line asks for JSON logs (read before click could parse it)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return "--log-format=json" in argv or any(a == "--log-format" and b == "json" for a, b in pairs)


def usage_error(message: str, exit_code: int) -> None:
    """A usage error (bad option or value) as one JSON log line on stderr."""
    record = logging.LogRecord("hs_extract.cli", logging.ERROR, __file__, 0, message, None, None)
    record.event = "usage_error"
    record.fields = {"exit_code": exit_code}
    print(JsonFormatter().format(record), file=sys.stderr, flush=True)


def say(text: str, event: str, level: int = logging.WARNING, **fields: Any) -> None:
    """A line of the end-of-run report on stderr: as text, or as a JSON log line."""
    if _json:
        logging.getLogger("hs_extract.cli").log(
            level, text, extra={"event": event, "fields": fields}
        )
    else:
        from .common import err

        err.print(text, markup=False, soft_wrap=True)


def eta_words(seconds: float | None) -> str:
    """``12 min``, ``3 h 05 min``, ``< 1 min`` or ``unknown`` (too soon to measure a rate)."""
    if seconds is None:
        return "unknown"
    minutes = round(seconds / 60)
    if minutes < 1:
        return "< 1 min"
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class Heartbeat:
    """One INFO line every ``interval`` seconds while a run goes: units, rows, requests,
    requests/min, 429s, ETA. Feed it the run's result through :meth:`tick`."""

    def __init__(self, stats, interval: float = INTERVAL) -> None:
        self.stats, self.interval = stats, interval  # stats None: a job without requests
        self.result: Any = None  # the job's RunResult, once its first unit is done
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._first_requests = stats.requests if stats else 0
        self._thread = threading.Thread(target=self._loop, name="hs-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()

    def tick(self, result, request=None) -> None:
        self.result = result

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            if self.result is not None:
                self.line()

    def line(self) -> None:
        r, s = self.result, self.stats
        total = len(r.plan.units)
        done = r.units_loaded + len(r.failures)
        minutes = max((time.monotonic() - self._started) / 60, 1e-9)
        made = s.requests - self._first_requests if s else 0
        rate = made / minutes
        eta = r.pace.eta() if r.pace else None  # requests left at the recent rate
        eta_text = eta_words(eta)
        log.info(
            "progress: units %s/%s, rows %s, requests %s (%.0f/min), 429s %s, ETA %s",
            f"{done:,}",
            f"{total:,}",
            f"{sum(r.rows.values()):,}",
            f"{made:,}",
            rate,
            s.rate_limited if s else 0,
            eta_text,
            extra={
                "event": "progress",
                "fields": {
                    "units_done": done,
                    "units_total": total,
                    "rows": sum(r.rows.values()),
                    "requests": made,
                    "requests_per_minute": round(rate, 1),
                    "rate_limited": s.rate_limited if s else 0,
                    "eta_seconds": round(eta) if eta is not None else None,
                },
            },
        )
