"""The shipped nginx site sends Talk now's event streams, and nothing else,
to the live server, and passes each event on as it comes (no buffering):
the locations of deploy/nginx/fjc-site.conf that name `fjc_live`, run with
the shipped snippets in front of two stand-in upstreams."""

from __future__ import annotations

import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.serving import free_port, request, stop_process_tree
from tests.faults.proxy import (
    HTTP_SNIPPET,
    PROXY_SNIPPET,
    SITE,
    require_nginx,
    start_nginx,
)

# A location of the site: its line ending in "{", its indented lines, "    }".
LOCATION = re.compile(r"^    location [^\n]*\{\n(?:        [^\n]*\n)*    \}", re.MULTILINE)
STREAMS = ("/nl/talk/events", "/fa/talk/events", "/staff/talk/events", "/staff/talk/12/events")
PAGES = (
    "/nl/talk",
    "/nl/talk/send",
    "/nl/talk/events/more",
    "/nl/contact/talk/events",
    "/staff/talk",
    "/staff/talk/12",
    "/staff/talk/12/send",
    "/staff/talk/x/events",
    "/staff/talk/events/12",
)
# The live stand-in's second event waits for this, or for the test.
SECOND_EVENT_AFTER = 5.0


def _upstream(name: str, release: threading.Event):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server name
            if name == "live":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(b"event: first\ndata: {}\n\n")
                self.wfile.flush()
                release.wait(SECOND_EVENT_AFTER)
                self.wfile.write(b"event: second\ndata: {}\n\n")
                return
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy(tmp_path):
    """nginx with the shipped snippets and the site's stream locations, in
    front of a page stand-in and a live stand-in; yields its port and the
    live stand-in's release."""
    require_nginx()
    release = threading.Event()
    pages, live = _upstream("pages", release), _upstream("live", release)
    locations = [found for found in LOCATION.findall(SITE.read_text()) if "fjc_live;" in found]
    assert len(locations) == 3, f"{SITE} should send three locations to fjc_live"
    port = free_port()
    http = f"""
    include {HTTP_SNIPPET};
    upstream fjc_app {{ server 127.0.0.1:{pages.server_address[1]}; }}
    upstream fjc_live {{ server 127.0.0.1:{live.server_address[1]}; }}
    server {{
        listen 127.0.0.1:{port} default_server;
        include {PROXY_SNIPPET};
        location / {{
            proxy_pass http://fjc_app;
        }}
{chr(10).join(locations)}
    }}
"""
    process = start_nginx(tmp_path, http, port)
    yield port, release
    release.set()
    stop_process_tree(process, timeout=10)
    for server in (pages, live):
        server.shutdown()
        server.server_close()


def test_only_the_event_streams_go_to_the_live_server(proxy):
    port, release = proxy
    release.set()  # the streams here end at once
    for path in STREAMS:
        status, _headers, body = request(port, "GET", path)
        assert status == 200 and "event: first" in body, f"{path} did not reach the live server"
    for path in PAGES:
        for method in ("GET", "POST"):
            status, _headers, body = request(
                port, method, path, body=b"" if method == "POST" else None
            )
            assert (status, body) == (200, "pages"), f"{method} {path} went to {body[:40]!r}"


def test_an_event_passes_the_proxy_while_its_stream_stays_open(proxy):
    port, release = proxy
    with socket.create_connection(("127.0.0.1", port), timeout=SECOND_EVENT_AFTER) as sock:
        sock.sendall(b"GET /nl/talk/events HTTP/1.1\r\nHost: fjc.example\r\n\r\n")
        received = b""
        started = time.monotonic()
        while b"event: first" not in received:
            piece = sock.recv(4096)
            assert piece, "the stream closed before its first event"
            received += piece
        waited = time.monotonic() - started
        # The upstream has not written its second event yet: nginx did not wait for more.
        assert not release.is_set() and b"event: second" not in received
        release.set()
        while b"event: second" not in received:
            piece = sock.recv(4096)
            assert piece, "the stream closed before its second event"
            received += piece
    assert waited < 2, f"the first event took {waited:.1f} s through the proxy"
