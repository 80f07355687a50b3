"""hs_extract: every Help Scout Mailbox API 2.0 report into tidy tables, Parquet and SQL.

The stages, in the order data flows through them (each a package; imports only go down):
``api`` (catalog, params, auth, rate limit, retry, transport, client) → ``normalize``
(payloads to typed Arrow tables) → ``load`` (Parquet and SQL destinations) → ``pipeline``
(config, windows, planner, the run, state) → ``notebook`` (:class:`ReportsClient` with
``frames()``) and ``cli`` (``hs-extract``). ``simulator`` serves the API on localhost.
Helpers every stage may use: ``errors``, ``dates``, ``memory``, ``failpoints``.

This module gathers the public names: ``ReportsClient``, ``REPORTS``, the errors, and
``run(config, start=…, end=…, reports=…)``, the scheduled job as one call (what
``hs-extract run`` does; orchestrators call it).
"""

from typing import TYPE_CHECKING

# first: chooses Arrow's allocator before anything imports pyarrow (see memory.py)
from . import memory  # noqa: F401
from .errors import (
    AccessDeniedError,
    APIError,
    AuthError,
    BadRequestError,
    ConfigError,
    DestinationUnavailable,
    FatalAPIError,
    HSExtractError,
    IncompleteError,
    LoadError,
    LockedError,
    NormalizeError,
    NotFoundError,
    RateLimitedError,
    RedirectError,
    StateError,
    TransientError,
)
from .lazy import lazy

if TYPE_CHECKING:
    from .api.catalog import REPORTS, ReportSpec
    from .interrupt import Stop
    from .notebook.client import ReportsClient
    from .pipeline.doors import run
    from .version import __version__

# the rest on first use: `import hs_extract` and `hs-extract --help` stay light
_NAMES = {
    "REPORTS": ".api.catalog",
    "ReportSpec": ".api.catalog",
    "ReportsClient": ".notebook.client",
    "Stop": ".interrupt",
    "run": ".pipeline.doors",
    "__version__": ".version",
}
__getattr__, __dir__ = lazy(__name__, _NAMES)

__all__ = [
    "REPORTS",
    "APIError",
    "AccessDeniedError",
    "AuthError",
    "BadRequestError",
    "ConfigError",
    "DestinationUnavailable",
    "FatalAPIError",
    "HSExtractError",
    "IncompleteError",
    "LoadError",
    "LockedError",
    "NormalizeError",
    "NotFoundError",
    "RateLimitedError",
    "RedirectError",
    "ReportSpec",
    "ReportsClient",
    "StateError",
    "Stop",
    "TransientError",
    "__version__",
    "run",
]
