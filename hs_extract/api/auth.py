"""OAuth2 client credentials for Help Scout, as a ``requests`` auth object.

The token is fetched by the transport (so it goes through the same retry loop and rate
limiter as every other request) and cached here; it is renewed ahead of ``expires_in``, and
once when the API answers 401. Neither the secret nor the token is ever part of a repr, a log
line or an exception message.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from ..errors import AuthError

__all__ = ["ClientCredentials", "Secret", "account_id", "redact"]

#: Renew this long before the token expires: 10% of its life, at most five minutes.
RENEW_FRACTION = 0.1
RENEW_MAX_MARGIN = 300.0


class Secret:
    """A string that never shows itself in repr, str or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def account_id(base_url: str, client_id: str) -> str:
    """The name of an account in everything kept on disk (archive, cache): a hash of the API's
    base URL and the app's client id, never the secret. Two accounts sharing a folder never
    read or overwrite each other's answers."""
    text = f"{base_url.rstrip('/')}|{client_id}".encode()
    return "account-" + hashlib.sha256(text).hexdigest()[:16]


def redact(text: str, *secrets: str | Secret | None) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``."""
    for s in secrets:
        value = s.reveal() if isinstance(s, Secret) else s
        if value:
            text = text.replace(value, "***")
    return text


class ClientCredentials(requests.auth.AuthBase):
    """Bearer auth from the client-credentials grant, with a thread-safe token cache."""

    def __init__(
        self,
        client_id: str,
        client_secret: str | Secret,
        token_url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)
        self.token_url = token_url
        self._clock = clock
        self._token: Secret | None = None
        self._renew_at = 0.0
        #: held by the one thread that fetches a token while the others wait for it
        self.lock = threading.RLock()
        self.fetches = 0

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=***)"

    def secrets(self) -> tuple[Secret, ...]:
        """Everything that must be scrubbed from text shown to users."""
        return (self._secret,) + ((self._token,) if self._token else ())

    def needs_token(self) -> bool:
        return self._token is None or self._clock() >= self._renew_at

    def token_form(self) -> dict[str, str]:
        """Form body of the token request (sent form-encoded; reference §1)."""
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret.reveal(),
        }

    def accept(self, payload: Any) -> None:
        """Store the token from a token-endpoint response."""
        if not isinstance(payload, dict) or not payload.get("access_token"):
            raise AuthError("token endpoint answered without an access_token")
        try:
            lifetime = float(payload.get("expires_in") or 0)
        except (TypeError, ValueError):
            lifetime = 0.0
        margin = min(RENEW_MAX_MARGIN, lifetime * RENEW_FRACTION)
        self._token = Secret(str(payload["access_token"]))
        self._renew_at = self._clock() + max(0.0, lifetime - margin)
        self.fetches += 1

    def current(self) -> Secret | None:
        """The cached token (may be stale; the transport checks ``needs_token`` first)."""
        return self._token

    def invalidate(self, token: Secret | None) -> None:
        """Forget ``token`` after a 401, unless another thread already replaced it."""
        with self.lock:
            if token is None or token == self._token:
                self._token = None

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        token = self._token
        if token is not None:
            r.headers["Authorization"] = "Bearer " + token.reveal()
        return r
