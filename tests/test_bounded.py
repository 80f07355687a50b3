"""Safe to leave to a scheduler: secrets stay home, and every wait ends in bounded time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses
import sqlalchemy as sa
import yaml

from hs_extract import ConfigError, RateLimitedError, RedirectError, TransientError
from hs_extract.api.client import ApiClient
from hs_extract.api.retry import RetryConfig
from hs_extract.simulator import Simulator
from tests.conftest import BASE, SECRET, add_token
from tests.pg_cluster import PrivateCluster
from tests.pipeline_support import CUTOFF, hs_start, sim_source
from tests.proxy import MangleProxy

W = {"start_date": "2026-01-01", "end_date": "2026-01-08"}


class Server:
    """A tiny HTTP server on ``host``: ``answer(handler)`` writes each response; requests and
    their bodies are recorded."""

    def __init__(self, host: str, answer) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append((self.command, self.path, body))
                answer(self)

            do_GET = do_POST = _any

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://{host}:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(handler, status: int, body: dict | None = None, **headers) -> None:
    data = json.dumps(body or {}).encode()
    handler.send_response(status)
    for k, v in headers.items():
        handler.send_header(k.replace("_", "-"), v)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


# --- secrets stay home ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirected_token_request_never_carries_the_secret_away(status):
    thief = Server("127.0.0.2", lambda h: reply(h, 200, {"access_token": "x", "expires_in": 60}))
    api = Server("127.0.0.1", lambda h: reply(h, status, Location=thief.url + "/steal"))
    try:
        client = ApiClient("app", SECRET, api.url)
        with pytest.raises(ConfigError, match=rf"token: HTTP {status} redirect to http://127\.0"):
            client.connect()
        with pytest.raises(RedirectError, match="never follows redirects"):
            client.get_company(**W)
        assert thief.requests == []  # neither the secret nor anything else went there
        assert any(SECRET.encode() in body for _, _, body in api.requests)
    finally:
        thief.close()
        api.close()


def test_a_redirected_report_request_is_an_error_that_names_it():
    thief = Server("127.0.0.2", lambda h: reply(h, 200, {}))

    def answer(h):
        if h.path.startswith("/v2/oauth2/token"):
            reply(h, 200, {"access_token": "tok-123", "expires_in": 3600})
        else:
            reply(h, 302, Location=thief.url + "/v2/reports/company")

    api = Server("127.0.0.1", answer)
    try:
        with pytest.raises(RedirectError) as info:
            ApiClient("app", SECRET, api.url).get_company(**W)
        assert "company: HTTP 302 redirect to http://127.0.0.2" in str(info.value)
        assert info.value.exit_code == 2 and thief.requests == []
    finally:
        thief.close()
        api.close()


# --- every wait is bounded ----------------------------------------------------------------------


def test_a_429_asking_for_an_hour_fails_at_once_naming_the_wait(mocked, make_client, clock):
    add_token(mocked)
    mocked.add(
        responses.GET,
        BASE + "/v2/reports/company",
        status=429,
        headers={"X-RateLimit-Retry-After": "3600"},
    )
    with pytest.raises(RateLimitedError) as info:
        make_client().get_company(**W)
    assert "HTTP 429" in str(info.value) and "3600 s" in str(info.value)
    assert "source.max_wait 300 s" in str(info.value)
    assert all(s < 300 for s in clock.sleeps)  # it never waited the hour
    with pytest.raises(RateLimitedError):  # a larger max_wait waits, a bounded number of times
        make_client(retry=RetryConfig(max_wait=4000, max_rate_limited=1)).get_company(**W)
    assert max(clock.sleeps) == 3600


def test_a_server_that_drips_its_answer_is_timed_out_per_answer():
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "5000")
        h.end_headers()
        for _ in range(5000):  # a byte every 50 ms: every read succeeds, the answer never ends
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.05)

    def answer(h):
        if h.path.startswith("/v2/oauth2/token"):
            reply(h, 200, {"access_token": "tok", "expires_in": 3600})
        else:
            drip(h)

    api = Server("127.0.0.1", answer)
    try:
        client = ApiClient("app", SECRET, api.url, timeout=(2.0, 1.5), retry=RetryConfig(1))
        began = time.monotonic()
        with pytest.raises(TransientError, match="timed out"):
            client.get_company(**W)
        assert time.monotonic() - began < 10
    finally:
        api.close()


def limited_for(seconds: int):
    def intercept(path, query):
        if path.startswith("/v2/reports/"):
            body = json.dumps({"message": "Too many requests"}).encode()
            return (
                429,
                {"X-RateLimit-Retry-After": seconds, "Content-Type": "application/json"},
                body,
            )
        return None

    return intercept


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_a_long_rate_limit_wait_and_the_run_is_logged(tmp_path, sig, code):
    with (
        Simulator(seed=91, cutoff=CUTOFF, rate_limit=100_000) as sim,
        MangleProxy(sim.base_url, intercept=limited_for(250)) as proxy,
    ):
        db = tmp_path / "hs.db"
        path = tmp_path / "cfg.yaml"
        path.write_text(
            yaml.safe_dump(
                {
                    "source": sim_source(sim, base_url=proxy.base_url, max_workers=2),
                    "windows": {"start": "2026-10-20", "end": "2026-10-22"},
                    "reports": ["company"],
                    "destinations": {"sql": {"url": f"sqlite:///{db}"}},
                }
            )
        )
        proc = hs_start("run", "--config", path)
        deadline = time.time() + 60
        while proxy.intercepted == 0 and time.time() < deadline:
            time.sleep(0.1)
        assert proxy.intercepted, "the run never met the 429"
        time.sleep(1.0)  # inside the 250 s wait now
        os.kill(proc.pid, sig)
        began = time.monotonic()
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert time.monotonic() - began < 10
    assert "interrupted" in err and "Traceback" not in err
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        status = c.execute(sa.text("select status from _hs_extract_runs")).scalar_one()
    engine.dispose()
    assert status == "interrupted"


def write_cfg(tmp_path, sim, url, **sql) -> str:
    path = tmp_path / "cfg.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "source": sim_source(sim, max_workers=2),
                "windows": {"start": "2026-10-01", "end": "2026-10-27", "lookback": 1},
                "reports": ["company", "conversations_drilldown", "productivity"],
                "destinations": {"sql": {"url": url, **sql}},
            }
        )
    )
    return str(path)


def loaded(url) -> int:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as c:
            return c.execute(sa.text("select count(*) from _hs_extract_state")).scalar_one()
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def start_and_wait_for_loading(path, url) -> subprocess.Popen:
    proc = hs_start("run", "--config", path, "--no-progress")
    deadline = time.time() + 60
    while loaded(url) == 0 and time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    return proc


def test_a_frozen_postgresql_ends_the_run_in_bounded_time(tmp_path):
    with (
        Simulator(seed=92, cutoff=CUTOFF, rate_limit=100_000, latency_ms=20) as sim,
        PrivateCluster(tmp_path) as pg,
    ):
        path = write_cfg(tmp_path, sim, pg.url, timeout=3)
        proc = start_and_wait_for_loading(path, pg.url)
        pg.freeze()
        began = time.monotonic()
        try:
            out, err = proc.communicate(timeout=180)
        finally:
            pg.thaw()
    assert proc.returncode == 1, err
    assert time.monotonic() - began < 120
    assert "Traceback" not in err + out
    assert "failed:" in err and "tried again by the next run" in err
    assert "could not be logged" in err  # and it says so, in one line
    assert "units loaded" in out  # the summary is printed all the same


def test_a_database_killed_mid_run_gives_one_line_per_failure_and_the_summary(tmp_path):
    with (
        Simulator(seed=93, cutoff=CUTOFF, rate_limit=100_000, latency_ms=20) as sim,
        PrivateCluster(tmp_path) as pg,
    ):
        path = write_cfg(tmp_path, sim, pg.url)
        proc = start_and_wait_for_loading(path, pg.url)
        pg.kill()
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, err
    assert "Traceback" not in err + out
    assert "failed:" in err and "could not be logged" in err
    assert "units loaded" in out
    assert all(len(line) < 400 for line in err.splitlines())
