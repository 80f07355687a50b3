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

__version__ = "0.1.0"

# first: chooses Arrow's allocator before anything imports pyarrow (see memory.py)
from . import memory  # noqa: F401
from .api.catalog import REPORTS, ReportSpec
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
from .interrupt import Stop
from .notebook import ReportsClient
from .pipeline.doors import run

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
