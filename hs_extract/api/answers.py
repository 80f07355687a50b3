"""Reading Help Scout's answers: a whole body by its deadline, and what an error says."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from ..errors import FieldError

__all__ = [
    "Answer",
    "answer_record",
    "body_message",
    "describe",
    "field_errors",
    "json_or_none",
    "read_whole",
]


@dataclass(frozen=True)
class Answer:
    """One answer as received, with its record: the two travel together from the transport
    to the archive, the cache and the commit (never through a side channel)."""

    #: the body as received
    body: bytes
    #: the body parsed
    parsed: Any
    #: path, query, status, ``X-RateLimit-*`` headers and arrival time (never a token)
    record: Mapping[str, Any]


def read_whole(resp: requests.Response, deadline: float) -> None:
    """Read the whole body of a streamed answer by ``deadline`` (``time.perf_counter``), chunk
    by chunk as it arrives; ``requests.Timeout`` past it. The body is then ``resp.content``."""
    chunks = []
    try:
        while time.perf_counter() <= deadline:
            chunk = resp.raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
        else:
            resp.close()
            raise requests.Timeout("the whole answer did not arrive in time")
    except requests.Timeout:
        raise
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.ReadTimeout(str(exc)) from None
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(str(exc)) from None
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.SSLError, OSError) as exc:
        raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
    # requests has no public way to hand a response a body read by hand: its own
    # ``Response.content`` sets these two
    resp._content = b"".join(chunks)
    resp._content_consumed = True  # type: ignore[attr-defined]  # not in requests' stubs


CHUNK = 1 << 16


def describe(failure: BaseException | None, resp: requests.Response | None = None) -> str:
    if failure is None:
        return "server error"
    if isinstance(failure, json.JSONDecodeError):
        if resp is None:
            return "truncated or invalid JSON body"
        kind = resp.headers.get("Content-Type", "no Content-Type").split(";")[0]
        text = resp.content[:60].decode("utf-8", "replace").strip() or "(empty)"
        return (
            f"the body is not JSON ({kind}, {len(resp.content):,} bytes: {text!r}); a proxy "
            "or captive portal in the way, or a cut-off answer"
        )
    if isinstance(failure, requests.Timeout):
        return "timed out"
    if isinstance(failure, requests.exceptions.ChunkedEncodingError):
        return "connection dropped mid-body"
    if isinstance(failure, requests.ConnectionError):
        return "connection failed or was reset"
    return type(failure).__name__


def json_or_none(resp: requests.Response | None) -> Any:
    if resp is None:
        return None
    try:
        return json.loads(resp.content)
    except (ValueError, TypeError):
        return None


def body_message(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in ("message", "error_description", "error"):
        value = body.get(key)
        if isinstance(value, str):
            return value
    return None


def field_errors(body: Any) -> tuple[FieldError, ...]:
    if not isinstance(body, dict):
        return ()
    embedded = body.get("_embedded")
    items = embedded.get("errors") if isinstance(embedded, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        FieldError(e.get("path"), e.get("message"), e.get("rejectedValue"))
        for e in items
        if isinstance(e, dict)
    )


def answer_record(
    resp: requests.Response, url: str, params: Mapping[str, str] | None
) -> dict[str, Any]:
    """Path, query, status, ``X-RateLimit-*`` headers and arrival time of an answer."""
    return {
        "path": urlsplit(url).path,
        "query": dict(params or {}),
        "status": resp.status_code,
        "rate_limit": {
            k: v for k, v in resp.headers.items() if k.lower().startswith("x-ratelimit")
        },
        "received_at": dt.datetime.now(dt.UTC).isoformat(),
    }
