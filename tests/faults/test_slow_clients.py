"""Slow clients against the production serving: nginx, with the settings in
deploy/nginx, holds them, so gunicorn's few sync workers only see complete
requests.

Without the proxy, 200 connections that each sent half a request header for
45 s made every probe time out: each sync worker waited on one of them. Behind
nginx the same attack costs nginx a little memory and the portal answers as
usual. docs/reverse-proxy.md explains the settings.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.serving import Server, free_port, production_env, request
from tests.conftest import TEST_DATA_KEY
from tests.faults.proxy import Nginx, check_site, require_nginx, shipped_seconds

# The measurement must not share the cores with the load tests' gunicorns.
pytestmark = pytest.mark.xdist_group("shared-services")

WORKERS = 2  # few sync workers: without the proxy, two slow clients would be enough
SLOW_CLIENTS = 200
ATTACK_SECONDS = 15
PROBES = 40
PROBE_TIMEOUT = 5
P95_LIMIT = 1.0
TRICKLE_SECONDS = 2
HALF_HEADER = b"GET /nl/ HTTP/1.1\r\nHost: x\r\n"
# Sent one byte at a time after the half header: valid header lines, never the
# empty line that would end the header.
TRICKLE = b"X-Slow: 1\r\n"


class SlowConnection:
    """A client that sends half a request header, then one byte when told, never finishing."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(HALF_HEADER)
        self.sock.setblocking(False)
        self.sent = 0

    def is_held(self) -> bool:
        """Still held by the server: no answer, no end of stream, no reset."""
        try:
            self.sock.recv(1)  # b"": closed; a byte: an answer, so the server is done with it
        except BlockingIOError:
            return True
        except OSError:
            pass
        return False

    def trickle(self) -> bool:
        """One more header byte; False when the server has closed the connection."""
        if not self.is_held():
            return False
        at = self.sent % len(TRICKLE)
        try:
            self.sock.send(TRICKLE[at : at + 1])
        except OSError:
            return False
        self.sent += 1
        return True

    def close(self) -> None:
        self.sock.close()


class SlowLoris:
    """`count` slow connections, each fed a byte every TRICKLE_SECONDS; one the
    server cuts is opened again, so the pressure lasts as long as the attack."""

    def __init__(self, port: int, count: int):
        self.port = port
        self.cut = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.connections: list[SlowConnection] = []
        try:
            for _ in range(count):
                self.connections.append(SlowConnection(port))
        except BaseException:
            self.close()
            raise
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(TRICKLE_SECONDS):
            for index, connection in enumerate(self.connections):
                if connection.trickle():
                    continue
                try:
                    replacement = SlowConnection(self.port)
                except OSError:
                    continue  # tried again on the next round
                connection.close()
                self.connections[index] = replacement
                self.cut += 1

    def held(self) -> int:
        """How many the server still holds (after stop(): the thread no longer swaps them)."""
        return sum(connection.is_held() for connection in self.connections)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def close(self) -> None:
        self.stop()
        for connection in self.connections:
            connection.close()


def probe(port: int) -> tuple[int | None, float]:
    """GET /nl/ through the proxy on a new connection: the status (None: no answer), seconds."""
    start = time.perf_counter()
    try:
        status, _headers, _body = request(port, "GET", "/nl/", timeout=PROBE_TIMEOUT)
    except (OSError, http.client.HTTPException):
        status = None
    return status, time.perf_counter() - start


def probe_for(port: int, seconds: float, count: int) -> list[tuple[int | None, float]]:
    """`count` probes one after another, spread over `seconds`."""
    interval = seconds / count
    results = []
    for _ in range(count):
        status, latency = probe(port)
        results.append((status, latency))
        time.sleep(max(0.0, interval - latency))
    return results


@pytest.fixture
def start_nginx(tmp_path):
    """start_nginx(upstream_port) -> a running nginx with the shipped snippets; all
    are stopped at the end."""
    require_nginx()
    started: list[Nginx] = []

    def _start(upstream_port: int) -> Nginx:
        proxy = Nginx(tmp_path / f"nginx{len(started)}", upstream_port=upstream_port)
        started.append(proxy)
        return proxy

    yield _start
    for proxy in started:
        proxy.stop()


@pytest.fixture
def portal(start_nginx, database_url, app_factory, tmp_path):
    """Production gunicorn on this run's database (nginx checked first, so a
    missing nginx skips before gunicorn starts)."""
    app_factory()  # the centre the portal needs; its data is removed at the end
    settings = production_env(database_url, TEST_DATA_KEY, redis_url=None)
    server = Server(settings, workers=WORKERS, log_path=tmp_path / "gunicorn.log")
    yield server
    server.stop()


class EchoHeaders(BaseHTTPRequestHandler):
    """An upstream that answers with the request headers it received, as JSON."""

    def _echo(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            seen.setdefault(name.lower(), []).append(value)
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _echo

    def log_message(self, format, *args):
        pass  # quiet: pytest shows stderr on failure, and it says nothing useful


@pytest.fixture
def echo_upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHeaders)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


# SQLite only: the attack is on the serving, not the database, and one run of
# 15 s is enough.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_portal_keeps_answering_while_200_clients_send_half_a_header(portal, start_nginx):
    proxy = start_nginx(portal.port)
    assert probe(proxy.port)[0] == 200, portal.log_tail()
    attack = SlowLoris(proxy.port, SLOW_CLIENTS)
    try:
        results = probe_for(proxy.port, ATTACK_SECONDS, PROBES)
        attack.stop()
        held = attack.held()
    finally:
        attack.close()
    statuses = [status for status, _ in results]
    latencies = [latency for _, latency in results]
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(
        f"\n{PROBES} probes during {ATTACK_SECONDS} s of {SLOW_CLIENTS} slow clients: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"nginx held {held} slow connections at the end and had cut {attack.cut}"
    )
    assert statuses == [200] * PROBES, f"{statuses}\n{portal.log_tail()}"
    assert p95 < P95_LIMIT
    # The attack was real: nginx, not the test, kept the slow connections open.
    assert held >= SLOW_CLIENTS * 0.9
    # No access log: no visitor's address or path in nginx's files.
    assert proxy.access_log.stat().st_size == 0


def test_nginx_cuts_a_client_that_never_finishes_its_header(start_nginx):
    timeout = shipped_seconds("client_header_timeout")
    # The upstream is never reached: the request never becomes complete.
    proxy = start_nginx(free_port())
    connection = SlowConnection(proxy.port)
    start = time.monotonic()
    try:
        # A byte a second: the timer must not start again with each byte.
        while connection.trickle() and time.monotonic() - start < timeout + 5:
            time.sleep(1)
        elapsed = time.monotonic() - start
        cut = not connection.is_held()
    finally:
        connection.close()
    print(f"\nnginx cut the half header after {elapsed:.1f} s (client_header_timeout {timeout}s)")
    assert cut, f"still open after {elapsed:.1f} s"
    assert timeout - 1 <= elapsed <= timeout + 5


def test_the_proxy_sets_the_forwarded_headers_itself(start_nginx, echo_upstream):
    proxy = start_nginx(echo_upstream)
    status, headers, body = request(
        proxy.port,
        "GET",
        "/nl/",
        headers={
            "Host": "fjc.example",
            # What a client would send to choose its own address, host or scheme.
            "X-Forwarded-For": "198.51.100.66",
            "X-Forwarded-Host": "attacker.example",
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Port": "8443",
            "X_Forwarded_For": "198.51.100.67",
        },
    )
    assert status == 200
    seen = json.loads(body)
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["x-forwarded-host"] == ["fjc.example"]
    assert seen["host"] == ["fjc.example"]
    assert seen["x-forwarded-proto"] == ["https"]
    assert "x-forwarded-port" not in seen
    assert "x_forwarded_for" not in seen
    assert headers["Server"] == "nginx"  # no version


def test_a_body_over_the_apps_limit_is_refused_by_the_proxy(start_nginx, echo_upstream):
    proxy = start_nginx(echo_upstream)
    limit = 64 * 1024  # the app's MAX_CONTENT_LENGTH
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _headers, _body = request(
        proxy.port, "POST", "/nl/question", body=b"x" * limit, headers=form
    )
    assert status == 200
    status, _headers, _body = request(
        proxy.port, "POST", "/nl/question", body=b"x" * (limit + 1), headers=form
    )
    assert status == 413


def test_the_example_site_parses(tmp_path):
    require_nginx()
    check_site(tmp_path / "site")
