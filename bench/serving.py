"""Real gunicorn processes on loopback, and a small HTTP client that talks to
them as a browser behind the reverse proxy would (used by bench/ and tests/load).

The client keeps its own cookies instead of http.cookiejar's, because the
production cookie is `Secure` (`__Host-fjc`) and a cookie jar would not send it
back over the plain-http loopback connection; it sends `X-Forwarded-Proto:
https` instead, which the app trusts with FJC_PROXY_COUNT=1, as it would from
the proxy that terminates TLS.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = PROJECT_ROOT / "gunicorn.conf.py"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SENT_PAGE = re.compile(r"^/[a-z]{2}/sent$")
RETURN_CODE_RE = re.compile(r'<p class="code" dir="ltr">([0-9 ]+)</p>')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The child processes of `pid` (gunicorn's workers), from /proc."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(part) for part in task.read_text().split())
        except OSError:
            continue
    return found


def stop_process_tree(process: subprocess.Popen, *, timeout: float) -> None:
    """SIGTERM a server's master, SIGKILL it after `timeout`, and then any
    worker of it still alive: none may outlive the run."""
    workers = children(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM, the process's peak resident memory, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """`gunicorn -c gunicorn.conf.py APP` on 127.0.0.1:<free port>, stopped by stop()."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        workers: int = 4,
        app: str = "wsgi:app",
        log_path: Path,
        start_timeout: float = 60,
    ):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        # The caller's own FJC_* settings (a developer's shell) must not leak in.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("FJC_")}
        full_env = {**inherited, **env}
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(GUNICORN_CONFIG),
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                app,
            ],
            cwd=PROJECT_ROOT,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.workers = workers
        try:
            self._wait_until_up(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                status, _headers, _body = request(self.port, "GET", "/healthz", timeout=2)
            except OSError:
                status = None
            if status == 200 and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop_process_tree(self.process, timeout=15)
        self._log.close()


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, str]:
    """One request on a new connection (sync workers close it after each response)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Browser:
    """One visitor: its cookies, its address as the proxy reports it, https."""

    def __init__(self, port: int, client_address: str = "192.0.2.10"):
        self.port = port
        self.client_address = client_address
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {
            "X-Forwarded-For": self.client_address,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value and "expires=thu, 01 jan 1970" not in line.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)

    def get(self, path: str) -> tuple[int, str]:
        status, headers, body = request(self.port, "GET", path, headers=self._headers())
        self._keep_cookies(headers)
        return status, body

    def post(self, path: str, fields: Mapping[str, str | list[str]]) -> tuple[int, str]:
        body = urlencode(fields, doseq=True).encode()
        status, headers, text = request(
            self.port,
            "POST",
            path,
            body=body,
            headers=self._headers(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    # Over https Flask-WTF wants a same-origin Referer, as a browser sends.
                    "Referer": f"https://127.0.0.1:{self.port}{path}",
                }
            ),
        )
        self._keep_cookies(headers)
        location = headers.get("Location") or ""
        if status == 303 and SENT_PAGE.match(location):
            # A sent form's page (its return code) comes by redirect, as in a browser.
            return self.get(location)
        return status, text

    def csrf_token(self, path: str) -> str:
        status, body = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        found = CSRF_RE.search(body)
        if not found:
            raise RuntimeError(f"GET {path}: no CSRF token")
        return found.group(1)


def production_env(database_url: str, data_key: str, *, redis_url: str | None) -> dict[str, str]:
    """The environment of a production process behind one proxy."""
    env = {
        "FJC_ENV": "production",
        "FJC_DATABASE_URL": database_url,
        "FJC_SECRET_KEY": "load-test-secret-key-shared-by-all-instances",
        "FJC_DATA_KEYS": data_key,
        "FJC_INDEX_KEY": "test-index-key",
        "FJC_AUDIT_KEY": "load-test-audit-key-shared-by-all-instances",
        "FJC_PUBLIC_URL": "https://fjc.example",
        "FJC_PROXY_COUNT": "1",
        "FJC_EXIT_URL": "https://exit.example/",
    }
    if redis_url:
        env["FJC_REDIS_URL"] = redis_url
    return env


DOORS = ("contact", "question", "referral")


def door_fields(door: str, marker: str) -> dict[str, str]:
    """A valid form for one of the three doors; `marker` is its story (and e-mail)."""
    if door == "contact":
        return {"email": f"{marker}@example.be", "story": marker}
    if door == "question":
        return {"question": marker}
    return {
        "referrer_organisation": "CAW Load",
        "referrer_name": "Load Test",
        "referrer_email": f"ref-{marker}@example.be",
        "client_consent": "agrees",
        "urgency": "normal",
        "email": f"{marker}@example.be",
        "story": marker,
    }
