"""A real browser against the app: servers on loopback and Debian's Chromium.

Used by the browser tests and by `bench/exit_latency.py`. Nothing here sends
traffic anywhere but 127.0.0.1: the app runs in a thread, and the "neutral
site" the quick exit goes to is a tiny server of our own.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright turns the back/forward cache off by default; a person's browser
# has it on, and the tests must see what happens with it.
KEEP_BFCACHE = ["--disable-back-forward-cache"]


def browser_problem() -> str | None:
    """None when the browser tests can run, else why not."""
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def launch(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        ignore_default_args=KEEP_BFCACHE,
    )


@dataclass(frozen=True)
class Hit:
    at: float  # time.perf_counter() when the request arrived
    method: str
    path: str
    navigation: bool  # a page load (Sec-Fetch-Mode: navigate), not a beacon or fetch


NEUTRAL_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>{title}</title></head><body><h1>{title}</h1>"
    "<p>Sunny, 21 degrees.</p></body></html>"
)


class NeutralSite:
    """The neutral site (FJC_EXIT_URL) and a page visited before the portal.

    `/` is the exit target. `/before` and `/other` are ordinary pages that a
    browser may keep in its back/forward cache.
    """

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                site.hits.append(
                    Hit(
                        time.perf_counter(),
                        self.command,
                        self.path,
                        self.headers.get("Sec-Fetch-Mode") == "navigate",
                    )
                )
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.path == "/favicon.ico":
                    self.send_response(204)
                    self.end_headers()
                    return
                title = {"/": "Weather", "/before": "News", "/other": "Recipes"}.get(
                    self.path, "Not found"
                )
                body = NEUTRAL_PAGE.format(title=title).encode()
                self.send_response(200 if title != "Not found" else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{port}"
        self.url = f"{self.origin}/"
        self.before_url = f"{self.origin}/before"
        self.other_url = f"{self.origin}/other"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def navigations(self, path: str = "/", since: float = 0.0) -> list[Hit]:
        return [h for h in self.hits if h.path == path and h.navigation and h.at >= since]

    def wait_for_navigation(self, since: float, timeout: float = 5.0) -> float:
        """When the first page load of the exit URL after `since` arrived."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            hits = self.navigations("/", since)
            if hits:
                return hits[0].at
            time.sleep(0.002)
        raise AssertionError(f"the neutral site was not opened within {timeout} s")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class LiveApp:
    """The Flask app served by werkzeug on 127.0.0.1 in a thread.

    Every request is noted (method, path, time) so tests can tell a page that
    was fetched again from one restored from the back/forward cache.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.hits: list[Hit] = []
        inner = app.wsgi_app

        def recording(environ, start_response):
            self.hits.append(
                Hit(
                    time.perf_counter(),
                    environ["REQUEST_METHOD"],
                    environ.get("PATH_INFO", ""),
                    environ.get("HTTP_SEC_FETCH_MODE") == "navigate",
                )
            )
            return inner(environ, start_response)

        self._server = make_server("127.0.0.1", 0, recording, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def requests(self, method: str, path: str, since: float = 0.0) -> list[Hit]:
        return [h for h in self.hits if h.method == method and h.path == path and h.at >= since]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def build_app(workdir, exit_url: str):
    """An app on a fresh, migrated SQLite database in `workdir`."""
    from cryptography.fernet import Fernet

    from app import create_app
    from core.infra.migrations import upgrade
    from core.network.centres import ensure_default_centre
    from web.db import db

    app = create_app(
        {
            "FJC_ENV": "test",
            "FJC_DATABASE_URL": f"sqlite:///{workdir / 'browser.sqlite3'}",
            "SECRET_KEY": "browser-" + os.urandom(8).hex(),
            "FJC_DATA_KEYS": [Fernet.generate_key().decode("ascii")],
            "FJC_INDEX_KEY": "browser-index-key",
            "INSTANCE_DIR": str(workdir / "instance"),
            "FJC_EXIT_URL": exit_url,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(db.get_engine())
        with db.writing() as session:
            ensure_default_centre(session)
    return app


def dispose_app(app) -> None:
    from web.db import db

    with app.app_context():
        db.get_engine().dispose()
