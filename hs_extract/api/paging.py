"""Paging rules shared by every reader of paginated reports (the client and the run)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import orjson

from .catalog import ReportSpec

__all__ = ["PageGuard", "PageInfo", "page_info"]

log = logging.getLogger("hs_extract.client")


@dataclass(frozen=True)
class PageInfo:
    """What one page of a paginated report says about the listing."""

    results: list
    pages: int | None
    count: int | None

    @property
    def fingerprint(self) -> str:
        """Identity of the page's results: a page the API repeats is recognized."""
        return hashlib.sha1(orjson.dumps(self.results, option=orjson.OPT_SORT_KEYS)).hexdigest()

    @property
    def key(self) -> str | None:
        """The fingerprint, or None for an empty page (which ends a listing)."""
        return self.fingerprint if self.results else None


class PageGuard:
    """Recognizes a page the API repeats (live data shifting under the paging): the listing
    stops there, with a warning, instead of loading rows twice or looping for ever."""

    def __init__(self, report: str) -> None:
        self.report = report
        self._seen: set[str] = set()

    def repeats(self, page: int, key: str | None) -> bool:
        """Whether page ``page`` (its :attr:`PageInfo.key`) repeats an earlier one."""
        if key is None:
            return False
        if key in self._seen:
            log.warning("%s: page %s repeats an earlier page; stopping", self.report, page)
            return True
        self._seen.add(key)
        return False


def page_info(spec: ReportSpec, payload: Any) -> PageInfo:
    """Results, page count and row count of one page, wherever the layout keeps them."""
    box = payload.get(spec.page_container) if spec.page_container else payload
    box = box if isinstance(box, dict) else {}
    pages, count = box.get("pages"), box.get("count")
    return PageInfo(
        box.get(spec.results_key) or [],
        pages if isinstance(pages, int) else None,
        count if isinstance(count, int) else None,
    )
