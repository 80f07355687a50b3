"""A mangling proxy for tests: forwards to the simulator, lets a test rewrite answers.

``intercept(path, query)`` may answer a request itself (a 429, a redirect) instead.

It stands where a caching proxy or a live API with shifting data would: between hs_extract and
Help Scout. ``mangle(path, query, n, payload)`` gets every JSON answer of a report (``n``: how
many times that same request was seen before) and returns what the client receives.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

Mangle = Callable[[str, dict, int, Any], Any]


class MangleProxy:
    """``with MangleProxy(sim.base_url, mangle) as proxy: proxy.base_url …``"""

    def __init__(
        self,
        upstream: str,
        mangle: Mangle | None = None,
        intercept: Callable[[str, dict], tuple[int, dict, bytes] | None] | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.mangle = mangle or (lambda path, query, n, payload: payload)
        #: answer a request without asking upstream: (status, headers, body), or None
        self.intercept = intercept or (lambda path, query: None)
        self.intercepted = 0
        self.seen: Counter = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> MangleProxy:
        proxy = self
        session = requests.Session()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

            def _forward(self, method: str) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = proxy.intercept(url.path, dict(parse_qsl(url.query)))
                if answer is not None:
                    status, headers, data = answer
                    with proxy._lock:
                        proxy.intercepted += 1
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, str(v))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                up = session.request(
                    method, proxy.upstream + self.path, data=body or None, headers=headers
                )
                data = up.content
                if up.status_code == 200 and url.path.startswith("/v2/reports/"):
                    query = dict(parse_qsl(url.query))
                    key = (url.path, tuple(sorted(query.items())))
                    with proxy._lock:
                        n = proxy.seen[key]
                        proxy.seen[key] += 1
                    data = json.dumps(proxy.mangle(url.path, query, n, up.json())).encode()
                self.send_response(up.status_code)
                for k, v in up.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def company_count_as(value: Any) -> Mangle:
    """A mangle sending ``value`` as company's ``current.customersHelped`` (a callable: of the
    real value)."""

    def mangle(path: str, query: dict, n: int, payload: Any) -> Any:
        if path == "/v2/reports/company" and isinstance(payload.get("current"), dict):
            current = payload["current"]
            old = current["customersHelped"]
            current["customersHelped"] = value(old) if callable(value) else value
        return payload

    return mangle
