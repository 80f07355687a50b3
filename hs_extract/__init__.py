"""hs_extract: every Help Scout Mailbox API 2.0 report into tidy tables, Parquet and SQL."""

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
    FatalAPIError,
    HSExtractError,
    LoadError,
    NormalizeError,
    NotFoundError,
    RateLimitedError,
    StateError,
    TransientError,
)
from .notebook import ReportsClient

__all__ = [
    "REPORTS",
    "APIError",
    "AccessDeniedError",
    "AuthError",
    "BadRequestError",
    "ConfigError",
    "FatalAPIError",
    "HSExtractError",
    "LoadError",
    "NormalizeError",
    "NotFoundError",
    "RateLimitedError",
    "ReportSpec",
    "ReportsClient",
    "StateError",
    "TransientError",
    "__version__",
]
