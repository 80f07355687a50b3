"""``ReportsClient``: the API client plus ``frames()``, a cache and a progress bar."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa

from ..api.answers import Answer
from ..api.auth import Secret, account_id
from ..api.catalog import ReportSpec, get_report
from ..api.client import ApiClient
from ..api.params import apply_defaults, normalize_params
from ..errors import ConfigError
from ..normalize import RequestMeta, normalize
from .cache import AnswerCache, CacheInfo, default_cache_dir
from .progress import PageBar

if TYPE_CHECKING:  # pandas is loaded by frames(), not by a run
    from collections.abc import Iterator

    import pandas as pd

__all__ = ["ReportsClient", "to_frame"]


class ReportsClient(ApiClient):
    """A client for the Help Scout Mailbox API 2.0 reports.

    >>> client = ReportsClient(client_id="…", client_secret="…", cache=True)  # doctest: +SKIP
    >>> client.get_company(start_date="2025-01-01", end_date="2025-02-01")  # doctest: +SKIP
    >>> client.frames("conversations_drilldown", start_date="2025-01-01",
    ...               end_date="2025-02-01")  # doctest: +SKIP

    - ``cache``: a folder (or True: ``~/.cache/hs_extract/answers``) keeping the answers of
      ranges that ended ``lookback`` days ago or more (default 3): a repeated call is served
      from disk with no request. Ranges not over yet are always fetched.
    - ``progress``: a bar over multi-page fetches (None: when output is a terminal or Jupyter).
    - ``max_workers``: pages fetched side by side (None: the run's rule for the budget).

    ``session``, ``clock``, ``sleep``, ``jitter`` and ``now`` are seams for tests.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client_secret: str | Secret | None = None,
        base_url: str | None = None,
        *,
        cache: str | Path | bool | None = None,
        lookback: int = 3,
        progress: bool | None = None,
        **options: Any,
    ) -> None:
        super().__init__(client_id, client_secret, base_url, **options)
        if isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 0:
            raise ConfigError(f"lookback: {lookback!r} is invalid; allowed: days, 0 or more")
        self.progress = progress
        self._stamps: list[str] | None = None  # arrival times of a frames() call's answers
        self._stamp_lock = threading.Lock()
        self._cache: AnswerCache | None = None
        if cache:
            folder = default_cache_dir() if cache is True else Path(cache)
            # each account in a folder of its own: two accounts never share an answer
            self._cache = AnswerCache(
                folder, account_id(self.base_url, self.transport.auth.client_id), lookback
            )

    # --- the cache --------------------------------------------------------------------------

    def _get(self, spec: ReportSpec, query: dict[str, str], raw: bool) -> Any:
        cache = self._cache
        found = None
        if cache is not None and cache.over(query, self._now()):
            found = cache.get(spec.name, spec.path, query)
        if found is None:
            answer = super()._get(spec, query, raw=True)
            if cache is not None and cache.over(query, self._now()):
                cache.put(spec.name, spec.path, query, answer.body, dict(answer.record))
        else:
            body, record = found
            answer = Answer(body, orjson.loads(body), record)
        self._received(answer.record.get("received_at"))
        return answer if raw else answer.parsed

    def _received(self, when: str | None) -> None:
        """Note when an answer arrived (a cached one: when it first did), for frames()."""
        stamps = self._stamps
        if stamps is not None and when:
            with self._stamp_lock:
                stamps.append(when)

    def cache_info(self) -> CacheInfo:
        """Hits and misses of this client, and the answers (and bytes) kept on disk."""
        return self._need_cache().info()

    def cache_clear(self) -> int:
        """Remove this account's kept answers, and nothing else in the folder; how many there
        were. A folder that is not a cache (no ``CACHEDIR.TAG``) is refused."""
        return self._need_cache().clear()

    def _need_cache(self) -> AnswerCache:
        if self._cache is None:
            raise ConfigError("cache: this client keeps no answers; pass cache=True or a folder")
        return self._cache

    # --- pages and frames -------------------------------------------------------------------

    def iter_pages(
        self, report: str | ReportSpec, *, progress: bool | None = None, **params: Any
    ) -> Iterator[Any]:
        """Every page of ``report`` in order (see :meth:`ApiClient.iter_pages`), with a
        progress bar once page 1 announces more (``progress``: None follows the client's)."""
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        shown = self.progress if progress is None else progress
        with PageBar(spec.name, shown) as bar:
            yield from super().iter_pages(spec, on_page=bar, **params)

    def frames(
        self,
        report: str | ReportSpec,
        *,
        window: str | None = None,
        timezone: str = "UTC",
        progress: bool | None = None,
        **params: Any,
    ) -> dict[str, pd.DataFrame]:
        """Every page of ``report`` as tidy, typed DataFrames keyed by table name.

        Without ``window``, one request covers the range, as ``get_*`` would send it. With
        ``window="day"`` (``"week"``, ``"month"``) the range is cut into windows in
        ``timezone`` as ``hs-extract run`` cuts it, and the tables are the ones a run loads,
        window columns (``window_date``) included.

        Integer columns use pandas' nullable ``Int64`` so ids and counts stay integers when a
        value is missing; timestamps are UTC.
        """
        spec = report if isinstance(report, ReportSpec) else get_report(report)
        if window is not None:
            from .windows import window_frames

            return window_frames(self, spec, window, timezone, params, progress)
        effective = normalize_params(spec, apply_defaults(spec, params, self._now()))
        stamps: list[str] = []
        self._stamps = stamps
        try:
            pages = list(self.iter_pages(spec, progress=progress, **params))
        finally:
            self._stamps = None
        meta = RequestMeta.for_params(effective)
        if stamps:  # extracted when the first answer arrived: the same when served again
            first = dt.datetime.fromisoformat(min(stamps))
            tag = hashlib.sha1(f"{spec.name}{sorted(effective.items())}".encode()).hexdigest()
            meta = replace(meta, extracted_at=first, run_id=f"{first:%Y%m%dT%H%M%S}-{tag[:6]}")
        tables = normalize(spec, pages if spec.paginated else pages[0], meta)
        return {name: to_frame(table) for name, table in tables.items()}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with nullable integer and boolean columns (so missing
    values do not turn ints into floats)."""
    import pandas as pd

    types = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=types.get)
