"""The simulated Help Scout API over HTTP: auth, rate limit, faults, request log."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .account import Account
from .directory import LISTS, list_page
from .reports import NotFound, build
from .rules import ABOUT, ACCEPTED, parse
from .traffic import Entry, Faults, RateWindow, RequestLog


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def handler_for(sim) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "hs-extract-simulator"

        def setup(self):
            super().setup()
            # headers and body go out in separate writes: without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every keep-alive answer
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format, *args):
            pass

        def do_POST(self):
            self._handle("POST")

        def do_GET(self):
            self._handle("GET")

        def _handle(self, method: str) -> None:
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            body = b""
            if method == "POST":
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload, headers, fault = sim.respond(
                method, url.path, query, body, self.headers
            )
            sim.log.add(Entry(time.monotonic(), method, url.path, query, status, fault))
            if sim.latency:
                time.sleep(sim.latency)
            if fault == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
                return
            data = json.dumps(payload).encode()
            declared = len(data)
            if fault == "truncate":  # Content-Length promises more than arrives
                data = data[: len(data) // 2]
                self.close_connection = True
            elif fault == "cutjson":  # a complete answer whose JSON stops short
                data = data[: len(data) // 2]
                declared = len(data)
            self.send_response(status)
            ctype = "application/vnd.error+json" if status == 400 else "application/json"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(declared))
            for k, v in headers.items():
                self.send_header(k, str(v))
            self.end_headers()
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                self.close_connection = True
            if fault == "truncate":
                self.connection.shutdown(socket.SHUT_RDWR)

        def finish(self):
            with contextlib.suppress(OSError):
                super().finish()

    return Handler


class Simulator:
    """The Help Scout Reports API on localhost, deterministic from ``seed``.

    >>> with Simulator(seed=1) as sim:  # doctest: +SKIP
    ...     client = sim.client()
    ...     client.get_company(start_date="2025-01-01", end_date="2025-01-08")
    """

    def __init__(
        self,
        seed: int = 1,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        rate_limit: int = 400,
        rate_window: float = 60.0,
        other_usage: int = 0,
        fault_rate: float = 0.0,
        faults: Faults | None = None,
        client_id: str = "simulator-app",
        client_secret: str = "simulator-secret",
        token_ttl: int = 172800,
        volume: float = 40.0,
        cutoff: int | None = None,
        received_layout: str = "date",
        list_page_size: int = 50,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seed = seed
        self.host, self.port = host, port
        self.latency = latency_ms / 1000
        self.rate = RateWindow(rate_limit, rate_window, other_usage)
        self.faults = faults or Faults(rate=fault_rate)
        self.client_id, self.client_secret = client_id, client_secret
        self.token_ttl = token_ttl
        self.account = Account(seed, volume=volume, cutoff=cutoff)
        self.received_layout = received_layout
        self.list_page_size = list_page_size
        #: when tokens expire (a seam: a test advances it instead of sleeping)
        self.clock = clock
        self.log = RequestLog()
        self._tokens: dict[str, float] = {}
        self._seen: Counter = Counter()
        self._burst = 0
        self._lock = threading.Lock()
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def credentials(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}

    def start(self) -> Simulator:
        self._server = SimServer((self.host, self.port), handler_for(self))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="hs-simulator"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def bind(self) -> Simulator:
        """Listen on the port now (OSError when it is taken); ``serve_forever`` serves it."""
        self._server = SimServer((self.host, self.port), handler_for(self))
        self.port = self._server.server_address[1]
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the CLI's ``simulate``)."""
        if self._server is None:
            self.bind()
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def client(self, **options):
        """A ReportsClient pointed at this simulator with its credentials."""
        from ..notebook import ReportsClient

        options.setdefault("rate_limit_per_minute", self.rate.limit)
        return ReportsClient(base_url=self.base_url, **self.credentials, **options)

    def expire_tokens(self) -> None:
        """Make every issued token invalid now (the next request gets a 401)."""
        with self._lock:
            self._tokens.clear()

    # --- one request -------------------------------------------------------------------------

    def _fault(self, method: str, path: str, query: dict) -> str | None:
        key = f"{method} {path}?{sorted(query.items())}"
        with self._lock:
            n = self._seen[key]
            self._seen[key] += 1
            if self._burst > 0:
                self._burst -= 1
                return "429"
        digest = hashlib.blake2b(f"{self.seed}|{key}|{n}".encode(), digest_size=8).digest()
        u = int.from_bytes(digest, "big") / 2**64
        f = self.faults
        if f.slow_rate and u > 1 - f.slow_rate:
            return "slow"
        if u < f.rate and f.kinds:
            kind = f.kinds[int(u / f.rate * len(f.kinds)) % len(f.kinds)]
            if kind == "429":
                with self._lock:
                    self._burst = max(0, f.burst - 1)
            return kind
        return None

    def respond(self, method, path, query, body, headers) -> tuple[int, object, dict, str | None]:
        """(status, JSON payload, extra headers, fault) for one request."""
        fault = self._fault(method, path, query)
        slow = fault == "slow"  # answered normally, but late
        if slow:
            time.sleep(self.faults.slow_seconds)
            fault = None
        cost = 2 if method == "POST" else 1  # writes count double (reference §2)
        if fault == "429":
            return (
                429,
                {"message": "Too many requests"},
                {
                    "X-RateLimit-Retry-After": 1,
                    "X-RateLimit-Limit-Minute": self.rate.limit,
                    "X-RateLimit-Remaining-Minute": 0,
                },
                fault,
            )
        allowed, remaining, retry_after = self.rate.take(cost)
        limits = {
            "X-RateLimit-Limit-Minute": self.rate.limit,
            "X-RateLimit-Remaining-Minute": remaining,
        }
        if not allowed:
            limits["X-RateLimit-Retry-After"] = retry_after
            return 429, {"message": "Too many requests"}, limits, None
        if fault in ("500", "503"):
            return int(fault), {"logRef": self._log_ref(), "message": "Server error"}, limits, fault
        status, payload = self._answer(method, path, query, body, headers)
        return status, payload, limits, "slow" if slow else fault

    def _log_ref(self) -> str:
        return secrets.token_hex(16)

    def _answer(self, method, path, query, body, headers) -> tuple[int, object]:
        if path == "/v2/oauth2/token":
            if method != "POST":
                return 405, {"message": "Method not allowed"}
            return self._token(body)
        if not self._authorized(headers.get("Authorization", "")):
            return 401, {"message": "Unauthorized"}
        if method != "GET":
            return 405, {"message": "Method not allowed"}
        if path in LISTS:
            return 200, self._list(path, query)
        if path not in ACCEPTED:
            return 404, {"logRef": self._log_ref(), "message": "Resource not found"}
        name = path.removeprefix("/v2/reports/")
        if name in self.faults.deny:
            return 403, {
                "logRef": self._log_ref(),
                "message": "Access denied",
                "_links": {"about": {"href": f"{ABOUT}#AccessDenied"}},
            }
        if name in self.faults.reject:
            return 400, self._bad_request(
                [
                    {
                        "path": "start",
                        "message": "Unsupported in this API version",
                        "rejectedValue": query.get("start"),
                        "source": "QUERY",
                    }
                ]
            )
        q, violations = parse(path, query)
        if violations:
            return 400, self._bad_request([v.as_json() for v in violations])
        try:
            return 200, build(self.account, q, received_layout=self.received_layout)
        except NotFound:
            return 404, {"logRef": self._log_ref(), "message": f"User or team {q.user} not found"}

    def _bad_request(self, errors: list[dict]) -> dict:
        return {
            "logRef": self._log_ref(),
            "message": "Bad request",
            "_embedded": {"errors": errors},
            "_links": {"about": {"href": ABOUT}},
        }

    def _token(self, body: bytes) -> tuple[int, dict]:
        form = dict(parse_qsl(body.decode(errors="replace")))
        if not form and body.strip().startswith(b"{"):
            try:
                form = json.loads(body)
            except ValueError:
                form = {}
        if form.get("grant_type") != "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials",
            }
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client", "error_description": "Bad client credentials"}
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = self.clock() + self.token_ttl
        return 200, {"token_type": "bearer", "access_token": token, "expires_in": self.token_ttl}

    def _authorized(self, header: str) -> bool:
        if not header.startswith("Bearer "):
            return False
        with self._lock:
            expiry = self._tokens.get(header[7:])
        return expiry is not None and self.clock() < expiry

    def _list(self, path: str, query: dict) -> dict:
        return list_page(self.account, path, int(query.get("page") or 1), self.list_page_size)
