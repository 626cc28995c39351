"""Through the shipped nginx site, the portal's pages and text files come back
gzipped when the browser asks, the staff's and partners' pages never (BREACH:
deploy/nginx/fjc-proxy.conf), and the app's precompressed static files pass
as they are, compressed once. Debian's nginx runs the site's locations that
proxy to the app (deploy/nginx/fjc-site.conf) with the shipped snippets, in
front of a stand-in for the app."""

from __future__ import annotations

import gzip
import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.serving import free_port, stop_process_tree
from tests.faults.proxy import (
    HTTP_SNIPPET,
    PROXY_SNIPPET,
    SITE,
    require_nginx,
    start_nginx,
)

# A location of the site: its line ending in "{", its indented lines, "    }".
LOCATION = re.compile(r"^    location [^\n]*\{\n(?:        [^\n]*\n)*    \}", re.MULTILINE)
# A page as the app sends one: a secret (the CSRF token) in a few KB of markup.
PAGE = (
    b"<!doctype html><html><head><title>Info</title></head><body><form method=post>"
    b'<input type="hidden" name="csrf_token" value="IjA0YmE1ZDk2NGQ3ZmM5NzQ3ZTM4Ig.aQ">'
    + b"<p>Een rustige pagina met een formulier.</p>" * 60
    + b"</form></body></html>"
)
CSS = b"body{margin:0}.page{max-inline-size:40rem;margin-inline:auto;padding:1rem}" * 20
PACKED_CSS = gzip.compress(CSS, compresslevel=9, mtime=0)
STAFF_PAGES = ("/staff/", "/staff/intakes?q=Jansen", "/staff", "/staff/login", "/partner/")


class _App(BaseHTTPRequestHandler):
    """Answers like the app: pages as HTML, a built file as its .gz when accepted."""

    def do_GET(self):  # noqa: N802 - the http.server name
        headers = {"Cache-Control": "no-store"}
        if self.path.startswith("/static/build/"):
            accepts = "gzip" in self.headers.get("Accept-Encoding", "")
            body, headers = (PACKED_CSS if accepts else CSS), {"Content-Type": "text/css"}
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
            headers["Vary"] = "Accept-Encoding"
            if accepts:
                headers["Content-Encoding"] = "gzip"
        elif self.path.startswith("/static/"):
            body, headers = CSS, {"Content-Type": "text/css", "Cache-Control": "no-cache"}
        else:
            body, headers["Content-Type"] = PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def proxy(tmp_path):
    require_nginx()
    app = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    locations = [
        found
        for found in LOCATION.findall(SITE.read_text())
        if "fjc_app;" in found and "/healthz" not in found
    ]
    assert len(locations) == 3, f"{SITE}: expected /, /staff and /partner to the app"
    port = free_port()
    http = f"""
    include {HTTP_SNIPPET};
    upstream fjc_app {{ server 127.0.0.1:{app.server_address[1]}; }}
    server {{
        listen 127.0.0.1:{port} default_server;
        include {PROXY_SNIPPET};
{chr(10).join(locations)}
    }}
"""
    process = start_nginx(tmp_path, http, port)
    yield port
    stop_process_tree(process, timeout=10)
    app.shutdown()
    app.server_close()


def _get(port: int, path: str, *, gzip_ok: bool = True) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Host": "fjc.example"}
        if gzip_ok:
            headers["Accept-Encoding"] = "gzip, deflate, br"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_portal_pages_are_gzipped_when_asked_and_staff_pages_never(proxy):
    for path in ("/nl/contact", "/", "/fr/return?x=1"):
        response, body = _get(proxy, path)
        assert response.getheader("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in response.getheader("Vary", ""), path
        assert gzip.decompress(body) == PAGE
        assert len(body) < len(PAGE) / 4
        plain, body = _get(proxy, path, gzip_ok=False)
        assert plain.getheader("Content-Encoding") is None and body == PAGE
    for path in STAFF_PAGES:
        response, body = _get(proxy, path)
        assert response.getheader("Content-Encoding") is None, f"{path} was compressed"
        assert body == PAGE, path


def test_precompressed_static_files_pass_once_compressed_and_others_are_gzipped(proxy):
    response, body = _get(proxy, "/static/build/css/site.3f2a9c1d.css")
    assert response.getheader("Content-Encoding") == "gzip"
    assert body == PACKED_CSS, "nginx must pass the app's .gz on as it is"
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    response, body = _get(proxy, "/static/build/css/site.3f2a9c1d.css", gzip_ok=False)
    assert response.getheader("Content-Encoding") is None and body == CSS
    # A file under its own name (no build) is compressed by nginx, for the portal.
    response, body = _get(proxy, "/static/css/site.css")
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == CSS
