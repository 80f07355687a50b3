"""Secrets out of URLs: a database URL's password, wherever it is written, never shows."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["mask_url"]

#: query parameters that carry a secret (libpq, SQLAlchemy dialects, cloud drivers)
SECRET_PARAMS = re.compile(r"pass|pwd|secret|token|key", re.IGNORECASE)
MASK = "***"


def mask_url(url: str) -> str:
    """``url`` with the password of ``user:password@`` and of any secret-looking query
    parameter (``?password=…``, ``sslpassword``, ``access_token`` …) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        netloc = f"{userinfo}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, MASK if SECRET_PARAMS.search(k) else v) for k, v in pairs], safe="*/:"
        )
    if netloc == parts.netloc and query == parts.query:
        return url  # nothing secret in it
    text = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
    return text + (f"#{parts.fragment}" if parts.fragment else "")
