"""The notebook's answer cache: answers of windows that are over, kept on disk.

A report's numbers for a date range keep changing for a few days after it ends (late
ratings, resolutions, replies): an answer is kept only when its range ended ``lookback`` days
ago or more, and is then served from disk with no request. Each answer is one file in the raw
archive's format (zstd JSON: the body as received, its request path and query, status,
``X-RateLimit-*`` headers and arrival time; never a token), so a notebook's cache and a
pipeline's archive are the same kind of thing.

Layout: ``<path>/<report>/<key>.json.zst``, the key a hash of the account (base URL and
client id), the path and the exact query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import StateError
from ..load.archive import FORMAT, SUFFIX, Archive

__all__ = ["AnswerCache", "CacheInfo", "default_cache_dir"]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/hs_extract`` (``~/.cache/hs_extract``): the per-user default."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hs_extract" / "answers"


@dataclass(frozen=True)
class CacheInfo:
    """What the cache did in this client, and what it holds on disk."""

    hits: int
    misses: int
    entries: int
    size_bytes: int
    path: Path


class AnswerCache:
    """Answers on disk under ``path``, keyed by account and request."""

    def __init__(self, path: str | Path, account: str, lookback: int = 3) -> None:
        if lookback < 0:
            raise ValueError("lookback must be >= 0 days")
        self.path = Path(path).expanduser()
        self.lookback = lookback
        self._account = account
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __repr__(self) -> str:
        return f"AnswerCache({str(self.path)!r}, lookback={self.lookback})"

    def over(self, query: dict, now: dt.datetime) -> bool:
        """Whether the answer to ``query`` can't change any more: its range (``end``) ended
        ``lookback`` days before ``now`` or earlier. A query without an end is never over."""
        end = query.get("end")
        if not end:
            return False
        try:
            ends = dt.datetime.fromisoformat(str(end).replace("Z", "+00:00"))
        except ValueError:
            return False
        if ends.tzinfo is None:
            ends = ends.replace(tzinfo=dt.UTC)
        return ends <= now - dt.timedelta(days=self.lookback)

    def _file(self, report: str, path: str, query: dict) -> Path:
        text = json.dumps([self._account, path, sorted(query.items())], default=str)
        key = hashlib.sha256(text.encode()).hexdigest()[:32]
        return self.path / report / (key + SUFFIX)

    def get(self, report: str, path: str, query: dict) -> tuple[bytes, dict] | None:
        """The body kept for this request and its record (path, query, status, headers,
        arrival), or None; counted as a hit or a miss."""
        file = self._file(report, path, query)
        found = None
        if file.exists():
            try:
                answer = dict(Archive.read(file)["answers"][0])
                found = answer.pop("body").encode("utf-8", "surrogateescape"), answer
            except (StateError, KeyError, IndexError, TypeError, AttributeError):
                found = None  # a damaged file is fetched again and replaced
        with self._lock:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
        return found

    def put(self, report: str, path: str, query: dict, body: bytes, answer: dict) -> None:
        """Keep one answer (``answer``: its request path, query, status, headers, time)."""
        record = {
            "format": FORMAT,
            "report": report,
            "answers": [{**answer, "body": body.decode("utf-8", "surrogateescape")}],
        }
        Archive.write_file(self._file(report, path, query), record)

    def files(self) -> list[Path]:
        return sorted(self.path.glob(f"*/*{SUFFIX}")) if self.path.exists() else []

    def info(self) -> CacheInfo:
        files = self.files()
        size = sum(f.stat().st_size for f in files)
        return CacheInfo(self.hits, self.misses, len(files), size, self.path)

    def clear(self) -> int:
        """Remove every kept answer; how many there were."""
        n = len(self.files())
        for folder in (p for p in self.path.iterdir() if p.is_dir()) if self.path.exists() else ():
            shutil.rmtree(folder)
        with self._lock:
            self.hits = self.misses = 0
        return n
