"""The API stage: everything that talks to Help Scout.

Takes a report name and Python parameters; checks them against the catalog (the 32 reports
as data), encodes them, and sends the request under the account's rate limit and the retry
policy, with an OAuth2 token. Hands on the parsed JSON of each answer (and its raw bytes, for
the fast normalizer), page by page. It knows nothing of tables, files or state.

Modules: ``catalog`` (the 32 reports), ``params`` (defaults, checks, encoding), ``auth``
(client credentials), ``ratelimit``, ``retry`` (the policy table), ``transport`` (one session,
the retry loop), ``paging`` (the rules for paginated answers), ``client`` (one method per
report, the list endpoints).
"""

from typing import TYPE_CHECKING

from ..lazy import lazy

if TYPE_CHECKING:
    from .catalog import REPORTS, Kind, Param, ReportSpec, get_report
    from .client import DEFAULT_BASE_URL, ApiClient
    from .paging import Page, PageWalk, page_info
    from .ratelimit import RateLimiter
    from .retry import RetryConfig

#: each public name and the module it comes from (imported on first use)
_NAMES = {
    "REPORTS": ".catalog",
    "Kind": ".catalog",
    "Param": ".catalog",
    "ReportSpec": ".catalog",
    "get_report": ".catalog",
    "DEFAULT_BASE_URL": ".client",
    "ApiClient": ".client",
    "Page": ".paging",
    "PageWalk": ".paging",
    "page_info": ".paging",
    "RateLimiter": ".ratelimit",
    "RetryConfig": ".retry",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "DEFAULT_BASE_URL",
    "REPORTS",
    "ApiClient",
    "Kind",
    "Page",
    "PageWalk",
    "Param",
    "RateLimiter",
    "ReportSpec",
    "RetryConfig",
    "get_report",
    "page_info",
]
