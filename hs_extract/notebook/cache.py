"""The notebook's answer cache: answers of windows that are over, kept on disk, per account.

A report's numbers for a date range keep changing for a few days after it ends (late
ratings, resolutions, replies): an answer is kept only when its range ended ``lookback`` days
ago or more, and is then served from disk with no request. Each answer is one file in the raw
archive's format (zstd JSON: the body as received, its request path and query, status,
``X-RateLimit-*`` headers and arrival time; never a token), so a notebook's cache and a
pipeline's archive are the same kind of thing.

Layout: ``<path>/CACHEDIR.TAG`` (the cache directory tag that backup tools know), then
``<path>/<account>/<report>/<key>.json.zst``, the account a hash of the base URL and client
id, the key a hash of the path and the exact query. Folders are 0700 and files 0600: the
answers are the user's. :meth:`AnswerCache.clear` removes only this account's answers, and
refuses a folder without the tag.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ..api.catalog import REPORTS
from ..errors import ConfigError, LoadError, StateError
from ..load.archive import FORMAT, SUFFIX, read_record, write_record
from ..load.storage import TMP_PREFIX

__all__ = ["TAG", "AnswerCache", "CacheInfo", "default_cache_dir"]

#: the Cache Directory Tagging Specification's file and signature (bford.info/cachedir)
TAG = "CACHEDIR.TAG"
SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_ENTRY = re.compile(r"^[0-9a-f]{32}" + re.escape(SUFFIX) + "$")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/hs_extract`` (``~/.cache/hs_extract``): the per-user default."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hs_extract" / "answers"


@dataclass(frozen=True)
class CacheInfo:
    """What the cache did in this client, and what it holds on disk for its account."""

    hits: int
    misses: int
    entries: int
    size_bytes: int
    path: Path


class AnswerCache:
    """Answers of one account on disk under ``path``, keyed by request."""

    def __init__(self, path: str | Path, account: str, lookback: int = 3) -> None:
        if lookback < 0:
            raise ValueError("lookback must be >= 0 days")
        self.path = Path(path).expanduser()
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"cache: {self.path} is a file; allowed: a folder (or True)")
        self.lookback = lookback
        self.account = account
        self.root = self.path / account
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
        text = json.dumps([path, sorted(query.items())], default=str)
        key = hashlib.sha256(text.encode()).hexdigest()[:32]
        return self.root / report / (key + SUFFIX)

    def get(self, report: str, path: str, query: dict) -> tuple[bytes, dict] | None:
        """The body kept for this request and its record (path, query, status, headers,
        arrival), or None; counted as a hit or a miss."""
        file = self._file(report, path, query)
        found = None
        if file.exists():
            try:
                record = read_record(file)
                if record.get("account") == self.account:
                    answer = dict(record["answers"][0])
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
        self._tag()
        record = {
            "format": FORMAT,
            "account": self.account,
            "report": report,
            "answers": [{**answer, "body": body.decode("utf-8", "surrogateescape")}],
        }
        write_record(self._file(report, path, query), record, private=True)

    def _tag(self) -> None:
        """Mark the folder as a cache (made private when hs_extract makes it)."""
        tag = self.path / TAG
        if tag.exists():
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            text = f"{SIGNATURE}\n# the hs_extract answer cache: see ReportsClient(cache=…)\n"
            fd = os.open(tag, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(fd, "w") as fh:
                fh.write(text)
        except OSError as exc:
            raise LoadError(f"cache: cannot write in {self.path}: {exc.strerror}") from None

    def is_cache(self) -> bool:
        """Whether the folder carries the cache tag hs_extract writes."""
        try:
            return (self.path / TAG).read_text().startswith(SIGNATURE)
        except OSError:
            return False

    def files(self) -> list[Path]:
        """This account's answers on disk (files the cache names as it writes them)."""
        if not self.root.is_dir():
            return []
        return sorted(
            f
            for folder in self.root.iterdir()
            if folder.is_dir() and folder.name in REPORTS
            for f in folder.iterdir()
            if _ENTRY.match(f.name) and f.is_file()
        )

    def info(self) -> CacheInfo:
        files = self.files()
        size = sum(f.stat().st_size for f in files)
        return CacheInfo(self.hits, self.misses, len(files), size, self.path)

    def clear(self) -> int:
        """Remove this account's answers, and nothing else; how many there were. ConfigError
        for a folder that is not a cache (no ``CACHEDIR.TAG``): nothing is removed."""
        if not self.is_cache():
            if not self.path.exists():
                return 0
            raise ConfigError(
                f"cache: {self.path} is not an hs_extract cache (no {TAG}); nothing removed"
            )
        files = self.files()
        for f in files:
            f.unlink()
        deepest_first = sorted({f.parent for f in files} | {self.root}, key=lambda p: -len(p.parts))
        for folder in deepest_first:
            for tmp in folder.glob(f"{TMP_PREFIX}*") if folder.is_dir() else ():
                tmp.unlink()
            with contextlib.suppress(OSError):  # kept when something else is in it
                folder.rmdir()
        with self._lock:
            self.hits = self.misses = 0
        return len(files)
