"""The notebook stage: :class:`ReportsClient`, the API client with tidy tables on top.

It takes what a user asks for in Python (a report and its parameters), fetches it through the
API stage (pages side by side within the rate limit, a progress bar where someone watches),
and hands back pandas DataFrames made by the normalize stage: the tables a run would load,
without a destination. Answers of windows that are over can be kept on disk and served again
with no request. It sits at the top of the stack, beside the command line.

Modules: ``client`` (ReportsClient), ``cache`` (answers kept in the raw archive's format),
``progress`` (the bar), ``windows`` (``frames(window=…)``: a run's tables, in memory).
"""

from typing import TYPE_CHECKING

from ..lazy import lazy

if TYPE_CHECKING:
    from .cache import AnswerCache, CacheInfo, default_cache_dir
    from .client import ReportsClient, to_frame

#: each public name and the module it comes from (imported on first use)
_NAMES = {
    "AnswerCache": ".cache",
    "CacheInfo": ".cache",
    "default_cache_dir": ".cache",
    "ReportsClient": ".client",
    "to_frame": ".client",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "AnswerCache",
    "CacheInfo",
    "ReportsClient",
    "default_cache_dir",
    "to_frame",
]
