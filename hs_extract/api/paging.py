"""The one paging rule of paginated reports, shared by the client and the run.

A listing is complete, or it fails:

- pages ``1..pages`` are fetched (side by side when the caller gives a parallel ``map``);
- a page that repeats an earlier one (live data shifting, a caching proxy), or comes back empty
  before the last announced page, is fetched again, a bounded number of times;
- a ``pages`` that grows while paging is followed to its end;
- a listing without ``pages`` is followed until an empty page, up to a hard cap;
- if the pages still can't be completed, :class:`~hs_extract.errors.IncompleteError` names the
  report and the page: the unit fails, is not loaded, and the next run tries it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from .. import interrupt
from ..errors import IncompleteError
from .catalog import ReportSpec

__all__ = ["MAX_PAGES", "REFETCHES", "Page", "PageWalk", "page_info"]

#: pages a listing without a page count may have before it is called endless
MAX_PAGES = 2_000
#: a repeated (or early empty) page is fetched again this many times, after these pauses
REFETCHES = 3
REFETCH_DELAYS = (0.5, 1.0, 2.0)


@dataclass(frozen=True)
class Page:
    """One page of a listing: its bytes (and parsed JSON, when kept) and what it says."""

    number: int
    payload: Any
    raw: bytes | None
    results: int
    pages: int | None
    count: int | None
    #: identity of the page's results (a page the API repeats is recognized); None: empty
    key: str | None

    @classmethod
    def of(
        cls,
        spec: ReportSpec,
        number: int,
        payload: Any,
        raw: bytes | None = None,
        keep: bool = True,
    ) -> Page:
        """The page ``number`` of ``spec`` from its parsed JSON (dropped unless ``keep``)."""
        results, pages, count = page_info(spec, payload)
        key = None
        if results:
            key = hashlib.sha1(orjson.dumps(results, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return cls(number, payload if keep else None, raw, len(results), pages, count, key)


def page_info(spec: ReportSpec, payload: Any) -> tuple[list[Any], int | None, int | None]:
    """Results, page count and row count of one page, wherever the layout keeps them."""
    box = payload.get(spec.page_container) if spec.page_container else payload
    box = box if isinstance(box, dict) else {}
    pages, count = box.get("pages"), box.get("count")
    results = box.get(spec.results_key)
    return (
        results if isinstance(results, list) else [],
        pages if isinstance(pages, int) and not isinstance(pages, bool) else None,
        count if isinstance(count, int) and not isinstance(count, bool) else None,
    )


MapPages = Callable[[Callable[[int], Page], Iterable[int]], Iterable[Page]]


class PageWalk:
    """Every page of one listing, in order, complete or :class:`IncompleteError`.

    ``fetch(n)`` returns page ``n``; ``map_pages(fetch, numbers)`` fetches several in order
    (the built-in ``map``: one after another; ``ThreadPoolExecutor.map``: side by side).
    """

    def __init__(
        self,
        spec: ReportSpec,
        fetch: Callable[[int], Page],
        *,
        map_pages: MapPages = map,
        first: int = 1,
        sleep: Callable[[float], None] = interrupt.sleep,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self.spec, self.fetch, self.map_pages = spec, fetch, map_pages
        self.first, self.sleep, self.max_pages = first, sleep, max_pages
        self._seen: dict[str, int] = {}

    def __iter__(self) -> Iterator[Page]:
        page = self._checked(self.fetch(self.first), last=None)
        yield page
        if not page.results:
            return
        if page.pages is None:
            yield from self._until_empty(self.first + 1)
            return
        n, last = self.first + 1, page.pages
        while n <= last:
            if last > self.max_pages:
                self._fail(f"announces {last} pages, more than the {self.max_pages} allowed")
            numbers = range(n, last + 1)
            for page in self.map_pages(self.fetch, numbers):
                page = self._checked(page, last)
                yield page
                last = max(last, page.pages or 0)  # a listing that grows is followed
            n = numbers.stop

    def _until_empty(self, n: int) -> Iterator[Page]:
        """A listing without a page count: one page after another until an empty one."""
        while n <= self.max_pages:
            page = self._checked(self.fetch(n), last=None)
            if not page.results:
                return
            yield page
            n += 1
        self._fail(f"has no page count and did not end within {self.max_pages} pages")

    def _checked(self, page: Page, last: int | None) -> Page:
        """The page, fetched again while it repeats an earlier one (or is empty before the
        announced end); IncompleteError when it still does."""
        for attempt in range(REFETCHES + 1):
            problem = self._problem(page, last)
            if problem is None:
                if page.key is not None:
                    self._seen[page.key] = page.number
                return page
            if attempt == REFETCHES:
                self._fail(f"page {page.number} {problem} after {REFETCHES} more tries")
            self.sleep(REFETCH_DELAYS[min(attempt, len(REFETCH_DELAYS) - 1)])
            page = self.fetch(page.number)
        raise AssertionError("unreachable")  # pragma: no cover

    def _problem(self, page: Page, last: int | None) -> str | None:
        if page.key is not None and self._seen.get(page.key, page.number) != page.number:
            return f"repeats page {self._seen[page.key]}"
        if page.key is None and last is not None and page.number <= last:
            return f"is empty though the listing announced {last} pages"
        return None

    def _fail(self, what: str) -> None:
        raise IncompleteError(
            f"{self.spec.name}: the listing {what}; it changed while paging (live data, or a "
            "caching proxy): nothing of it is loaded, and the next run tries again",
            report=self.spec.name,
        )
