"""The one exception tree of hs_extract, sorted by what the caller should do.

::

    HSExtractError
    ├── ConfigError              bad config, CLI usage or report parameters: fix the input (exit 2)
    ├── APIError                 Help Scout answered with an error, or never answered
    │   ├── AuthError            credentials rejected, or 401 again after one token renewal
    │   ├── RateLimitedError     still 429 after the bounded waits
    │   ├── TransientError       5xx, timeouts, resets, cut-off bodies, after bounded retries
    │   ├── IncompleteError      a listing's pages could not be completed (it changed meanwhile)
    │   └── FatalAPIError        any other 4xx: retrying will not help
    │       ├── BadRequestError  400 with Help Scout's field errors
    │       ├── AccessDeniedError 403: plan without Reports, API disabled, feature missing
    │       ├── NotFoundError    404: unknown user, team or resource
    │       └── RedirectError    3xx: never followed, so credentials stay with base_url
    ├── NormalizeError           a payload contradicts the declared schema (names the JSON path)
    ├── LoadError                a destination refused the data
    │   └── DestinationUnavailable  it stopped answering (down, frozen, cut): later units wait
    ├── StateError               incremental state is unreadable or inconsistent
    └── LockedError              another run holds the destination: try later (exit 75)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIError",
    "AccessDeniedError",
    "AuthError",
    "BadRequestError",
    "ConfigError",
    "DestinationUnavailable",
    "FatalAPIError",
    "FieldError",
    "HSExtractError",
    "IncompleteError",
    "LoadError",
    "LockedError",
    "NormalizeError",
    "NotFoundError",
    "RateLimitedError",
    "RedirectError",
    "StateError",
    "TransientError",
]


class HSExtractError(Exception):
    """Root of every error hs_extract raises on purpose."""

    #: process exit status the CLI uses for this kind of error
    exit_code = 1


class ConfigError(HSExtractError, ValueError):
    """Bad input: config file, CLI option or report parameter. Fix the input and run again."""

    exit_code = 2


@dataclass(frozen=True)
class FieldError:
    """One entry of Help Scout's ``_embedded.errors[]``."""

    path: str | None
    message: str | None
    rejected_value: Any = None

    def __str__(self) -> str:
        text = f"{self.path or '?'}: {self.message or 'invalid'}"
        if self.rejected_value is not None:
            text += f" (rejected {self.rejected_value!r})"
        return text


class APIError(HSExtractError):
    """Help Scout answered with an error status, or the request never completed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        report: str | None = None,
        path: str | None = None,
        log_ref: str | None = None,
        errors: tuple[FieldError, ...] = (),
        detail: str | None = None,
    ) -> None:
        self.status = status
        self.detail = detail
        self.report = report
        self.path = path
        self.log_ref = log_ref
        self.errors = errors
        super().__init__(message)


class AuthError(APIError):
    """Credentials rejected by the token endpoint, or a 401 that a fresh token did not cure."""

    exit_code = 2


class RateLimitedError(APIError):
    """The account's rate limit kept answering 429 past the bounded number of waits."""


class TransientError(APIError):
    """A failure that may pass (5xx, timeout, reset, truncated body); retries were exhausted."""


class IncompleteError(APIError):
    """The pages of a listing did not add up (a page repeated, or the listing shrank) after
    bounded refetches: the unit is not loaded, and the next run tries again."""


class FatalAPIError(APIError):
    """A 4xx other than 401/429: the same request will fail again."""


class BadRequestError(FatalAPIError):
    """400: Help Scout rejected a parameter (see ``errors``)."""


class AccessDeniedError(FatalAPIError):
    """403: the account's plan or settings do not allow this report."""


class NotFoundError(FatalAPIError):
    """404: the user, team or resource does not exist."""


class RedirectError(FatalAPIError):
    """A 3xx answer: hs_extract never follows one (the token request carries the secret, every
    other request the bearer token), so base_url must be the API itself."""

    exit_code = 2


class NormalizeError(HSExtractError):
    """A payload's shape contradicts the declared schema; ``json_path`` says where."""

    def __init__(self, message: str, *, report: str | None = None, json_path: str | None = None):
        self.report = report
        self.json_path = json_path
        super().__init__(message)


class LoadError(HSExtractError):
    """A destination (Parquet or SQL) refused or failed to store a unit."""

    exit_code = 2


class DestinationUnavailable(LoadError):
    """A destination stopped answering mid-run (the database died, froze, or the connection
    was cut at its deadline): the units not loaded yet fail at once, and load next run."""

    exit_code = 1


class StateError(HSExtractError):
    """Incremental state could not be read, written or reconciled."""

    exit_code = 2


class LockedError(HSExtractError):
    """Another run holds the destination; this one did nothing (EX_TEMPFAIL: try later)."""

    exit_code = 75
