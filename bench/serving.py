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
import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = PROJECT_ROOT / "gunicorn.conf.py"
# The live server of "Talk now": gthread workers for the event streams (ADR 0034).
LIVE_CONFIG = PROJECT_ROOT / "gunicorn.live.conf.py"
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
    """`gunicorn -c gunicorn.conf.py APP` on 127.0.0.1:<free port>, stopped by stop().
    `config=LIVE_CONFIG` starts the live server instead (`threads` per worker)."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        workers: int = 4,
        app: str = "wsgi:app",
        log_path: Path,
        start_timeout: float = 60,
        config: Path = GUNICORN_CONFIG,
        threads: int | None = None,
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
                str(config),
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                *(
                    ["--threads", str(threads), "--worker-connections", str(threads)]
                    if threads
                    else []
                ),
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

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """What this browser sends with a request: its cookies, the proxy's headers."""
        return self._headers(extra)

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

    def post(
        self,
        path: str,
        fields: Mapping[str, str | list[str]],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """`headers`: more of them, e.g. the Accept of a page's JavaScript."""
        body = urlencode(fields, doseq=True).encode()
        status, answer_headers, text = request(
            self.port,
            "POST",
            path,
            body=body,
            headers=self._headers(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    # Over https Flask-WTF wants a same-origin Referer, as a browser sends.
                    "Referer": f"https://127.0.0.1:{self.port}{path}",
                    **(headers or {}),
                }
            ),
        )
        self._keep_cookies(answer_headers)
        location = answer_headers.get("Location") or ""
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


# -- server-sent events: the live streams of "Talk now" ------------------------


@dataclass
class SseEvent:
    """One event as a browser's EventSource hands it over."""

    kind: str
    data: Any  # the JSON the server sent
    id: int | None
    at: float  # time.monotonic() when it arrived


class SseParser:
    """The bytes of a text/event-stream body in, events out. Comments (the
    server's ": beat") are dropped; `retry_ms` is the server's last `retry:`."""

    def __init__(self) -> None:
        self._buffer = b""
        self._fields: dict[str, str] = {}
        self.retry_ms: int | None = None

    def feed(self, data: bytes, at: float) -> list[SseEvent]:
        self._buffer += data
        events = []
        while b"\n" in self._buffer:
            raw, _, self._buffer = self._buffer.partition(b"\n")
            line = raw.decode("utf-8").rstrip("\r")
            if not line:
                if "event" in self._fields or "data" in self._fields:
                    events.append(self._event(at))
                self._fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "retry" and value.isdigit():
                self.retry_ms = int(value)
            elif name == "data" and "data" in self._fields:
                self._fields["data"] += "\n" + value
            else:
                self._fields[name] = value
        return events

    def _event(self, at: float) -> SseEvent:
        raw = self._fields.get("data", "")
        try:
            data = json.loads(raw)
        except ValueError:
            data = raw
        ident = self._fields.get("id")
        return SseEvent(
            self._fields.get("event", "message"),
            data,
            int(ident) if ident and ident.isdigit() else None,
            at,
        )


class Dechunker:
    """HTTP/1.1 chunked transfer coding, undone as the bytes arrive."""

    def __init__(self) -> None:
        self._buffer = b""
        self._left = 0  # bytes of the current chunk still to come
        self._between = False  # the CRLF after a chunk is next
        self.done = False

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        out = []
        while not self.done:
            if self._left:
                piece = self._buffer[: self._left]
                out.append(piece)
                self._buffer = self._buffer[len(piece) :]
                self._left -= len(piece)
                if self._left:
                    break
                self._between = True
            if self._between:
                if len(self._buffer) < 2:
                    break
                self._buffer, self._between = self._buffer[2:], False
            if b"\r\n" not in self._buffer:
                break
            size_line, _, self._buffer = self._buffer.partition(b"\r\n")
            self._left = int(size_line.split(b";")[0], 16)
            self.done = self._left == 0
        return b"".join(out)


def stream_request(port: int, path: str, headers: Mapping[str, str], last_id: int | None) -> bytes:
    """The GET an EventSource sends, with Last-Event-ID once it has one."""
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
    lines += ["Cache-Control: no-cache", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if last_id is not None:
        lines.append(f"Last-Event-ID: {last_id}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def response_head(raw: bytes) -> tuple[int, dict[str, str]]:
    """The status and (lower-cased) headers of an answer's head."""
    status_line, *header_lines = raw.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers


class StreamBody:
    """What one stream connection delivers after its head: bytes in, events
    out, chunked or not."""

    def __init__(self, headers: Mapping[str, str], parser: SseParser) -> None:
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self._dechunker = Dechunker() if chunked else None
        self._parser = parser

    @property
    def done(self) -> bool:
        return self._dechunker is not None and self._dechunker.done

    def feed(self, data: bytes, at: float) -> list[SseEvent]:
        if self._dechunker is not None:
            data = self._dechunker.feed(data)
        return self._parser.feed(data, at)


class EventStream:
    """A browser's EventSource on one stream, read by a thread of its own. When
    the stream ends or breaks it opens it again after the server's `retry`,
    with Last-Event-ID: the last id it has, as a browser does. It stops at an
    "end" event, at close(), or (reconnect=False) when its first stream ends.

    The request carries the browser's cookies and proxy headers at each
    connection; `port` is the live server's (the browser's pages are elsewhere)."""

    END = "end"

    def __init__(
        self,
        browser: Browser,
        path: str,
        *,
        port: int,
        last_id: int | None = None,
        reconnect: bool = True,
    ) -> None:
        self.browser, self.path, self.port = browser, path, port
        self.last_id = last_id
        self.reconnect = reconnect
        self.events: list[SseEvent] = []
        self.statuses: list[int] = []  # each connection's answer
        self.sent_ids: list[int | None] = []  # each connection's Last-Event-ID
        self.drops = 0  # connections that broke (not ended by the server)
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._socket: socket.socket | None = None
        # This end of the current connection (which worker holds it: socket_owner).
        self.local_port: int | None = None
        self._thread = threading.Thread(target=self._run, name=f"sse {path}", daemon=True)

    def start(self) -> EventStream:
        self._thread.start()
        return self

    @property
    def connections(self) -> int:
        return len(self.sent_ids)

    def lines(self) -> list[SseEvent]:
        with self._changed:
            return [event for event in self.events if event.kind == "line"]

    def of_kind(self, kind: str) -> list[SseEvent]:
        with self._changed:
            return [event for event in self.events if event.kind == kind]

    def wait_for(self, predicate: Callable[[EventStream], bool], timeout: float) -> bool:
        """Block until predicate(self) is true (checked at each event and
        connection), or `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    def close(self) -> None:
        self._stop.set()
        sock = self._socket
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        retry = 1.0
        while not self._stop.is_set():
            parser = SseParser()
            ended = self._one_connection(parser)
            if parser.retry_ms is not None:
                retry = parser.retry_ms / 1000
            if ended or not self.reconnect or self._stop.wait(retry):
                return

    def _one_connection(self, parser: SseParser) -> bool:
        """Read one stream to its end; True when an "end" event came."""
        with self._changed:
            self.sent_ids.append(self.last_id)
            self._changed.notify_all()
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        except OSError:
            self._dropped()
            return False
        self._socket = sock
        self.local_port = sock.getsockname()[1]
        try:
            sock.settimeout(None)  # a stream is quiet between beats
            sock.sendall(stream_request(self.port, self.path, self.browser.headers(), self.last_id))
            head, body = self._read_head(sock)
            if head is None:
                self._dropped()
                return False
            status, headers = response_head(head)
            with self._changed:
                self.statuses.append(status)
                self._changed.notify_all()
            if status != 200:
                return False
            reader = StreamBody(headers, parser)
            data = body
            while True:
                if data and self._received(reader.feed(data, time.monotonic())):
                    return True
                if reader.done:
                    return False
                data = sock.recv(65536)
                if not data:
                    # Closed after the whole answer (chunked: the last chunk came).
                    if headers.get("transfer-encoding", "").lower() == "chunked":
                        self._dropped()
                    return False
        except OSError:
            self._dropped()
            return False
        finally:
            self._socket = None
            sock.close()

    @staticmethod
    def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            piece = sock.recv(65536)
            if not piece:
                return None, b""
            data += piece
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest

    def _received(self, events: list[SseEvent]) -> bool:
        with self._changed:
            for event in events:
                self.events.append(event)
                if event.id is not None:
                    self.last_id = event.id
            self._changed.notify_all()
        return any(event.kind == self.END for event in events)

    def _dropped(self) -> None:
        with self._changed:
            self.drops += 1
            self._changed.notify_all()


class AsyncEventStream:
    """EventStream's sibling for many streams in one asyncio loop (the
    benchmark holds hundreds; a thread each would cost the machine the CPU
    it measures). `on_event(event)` is called for each event as it arrives.
    Reconnects after the server's retry with Last-Event-ID, until an "end"
    event or run()'s task is cancelled."""

    def __init__(
        self,
        port: int,
        path: str,
        headers: Mapping[str, str],
        on_event: Callable[[SseEvent], None] | None = None,
    ) -> None:
        self.port, self.path, self.headers = port, path, dict(headers)
        self.on_event = on_event
        self.last_id: int | None = None
        self.statuses: list[int] = []
        self.drops = 0
        self.events = 0

    async def run(self) -> None:
        import asyncio

        retry = 1.0
        while True:
            parser = SseParser()
            writer = None
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(stream_request(self.port, self.path, self.headers, self.last_id))
                head = await reader.readuntil(b"\r\n\r\n")
                status, headers = response_head(head[:-4])
                self.statuses.append(status)
                if status == 200:
                    body = StreamBody(headers, parser)
                    if await self._read(reader, body):
                        return
                    if headers.get("transfer-encoding", "").lower() == "chunked" and not body.done:
                        self.drops += 1  # cut before its last chunk: not an end

            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                self.drops += 1
            finally:
                if writer is not None:
                    writer.close()
            if parser.retry_ms is not None:
                retry = parser.retry_ms / 1000
            await asyncio.sleep(retry)

    async def _read(self, reader, body: StreamBody) -> bool:
        """Events until the stream ends; True when it was an "end" event."""
        while not body.done:
            data = await reader.read(65536)
            if not data:
                return False
            for event in body.feed(data, time.monotonic()):
                self.events += 1
                if event.id is not None:
                    self.last_id = event.id
                if self.on_event is not None:
                    self.on_event(event)
                if event.kind == EventStream.END:
                    return True
        return False


# -- Talk now: a person and a team member, as their browsers talk to the app ---

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL)
INPUT_RE = re.compile(r"<input\b([^>]*)>")
ATTRIBUTE_RE = re.compile(r'([\w-]+)="([^"]*)"')
JSON_ACCEPT = {"Accept": "application/json"}


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden inputs of the page's POST form to `action`, as a browser sends them."""
    for form_attributes, inner in FORM_RE.findall(page):
        attributes = dict(ATTRIBUTE_RE.findall(form_attributes))
        if attributes.get("action") != action:
            continue
        fields = {}
        for input_attributes in INPUT_RE.findall(inner):
            found = dict(ATTRIBUTE_RE.findall(input_attributes))
            if found.get("type") == "hidden" and found.get("name"):
                fields[found["name"]] = html.unescape(found.get("value", ""))
        return fields
    raise RuntimeError(f"no form to {action} on the page")


def csrf_in(page: str) -> str:
    """The page's CSRF token, whatever the order of its input's attributes."""
    for input_attributes in INPUT_RE.findall(page):
        found = dict(ATTRIBUTE_RE.findall(input_attributes))
        if found.get("name") == "csrf_token" and found.get("value"):
            return html.unescape(found["value"])
    raise RuntimeError("no CSRF token on the page")


def answer_json(status: int, body: str) -> dict:
    try:
        found = json.loads(body)
    except ValueError:
        return {"status": status, "body": body[:300]}
    return found if isinstance(found, dict) else {"body": found}


class TalkPerson:
    """Her browser on the portal's pages (`port`: the page server); her stream
    is `events_path` on the live server."""

    def __init__(self, port: int, *, address: str, lang: str = "nl") -> None:
        self.browser = Browser(port, client_address=address)
        self.lang = lang
        self.csrf = ""

    @property
    def events_path(self) -> str:
        return f"/{self.lang}/talk/events"

    def start(self) -> None:
        """Says it is safe to write now and starts; raises when the page
        offers no start (the team is not there)."""
        path = f"/{self.lang}/talk"
        status, page = self.browser.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        fields = hidden_fields(page, f"{path}/start") | {"safe_now": "yes", "municipality": ""}
        status, _page = self.browser.post(f"{path}/start", fields)
        if status != 303:
            raise RuntimeError(f"POST {path}/start: {status}")
        self.reload()

    def reload(self) -> str:
        status, page = self.browser.get(f"/{self.lang}/talk")
        if status != 200:
            raise RuntimeError(f"GET /{self.lang}/talk: {status}")
        self.csrf = csrf_in(page)
        return page

    def send(self, text: str, client_id: str) -> tuple[int, dict]:
        """As the page's script sends a line: JSON back, {"seq": n} once stored."""
        fields = {"csrf_token": self.csrf, "body": text, "client_id": client_id}
        status, body = self.browser.post(f"/{self.lang}/talk/send", fields, headers=JSON_ACCEPT)
        return status, answer_json(status, body)


class TalkMember:
    """A team member's browser on the back office (`port`: the page server)."""

    def __init__(self, port: int, *, address: str) -> None:
        self.browser = Browser(port, client_address=address)
        self.csrf = ""

    events_path = "/staff/talk/events"

    @staticmethod
    def conversation_events(conversation_id: int) -> str:
        return f"/staff/talk/{conversation_id}/events"

    def sign_in(self, email: str, password: str, code: str | None = None) -> None:
        """The password, then (production) a recovery code as the second step."""
        token = self.browser.csrf_token("/staff/login")
        fields = {"csrf_token": token, "email": email, "password": password}
        status, _ = self.browser.post("/staff/login", fields)
        if status != 302:
            raise RuntimeError(f"sign-in: {status}")
        if code is not None:
            token = self.browser.csrf_token("/staff/login/code")
            status, _ = self.browser.post("/staff/login/code", {"csrf_token": token, "code": code})
            if status != 302:
                raise RuntimeError(f"second step: {status}")
        status, page = self.browser.get("/staff/talk")
        if status != 200:
            raise RuntimeError(f"GET /staff/talk: {status}")
        self.csrf = csrf_in(page)

    def set_available(self, available: bool = True) -> None:
        status, _ = self.browser.post(
            "/staff/talk/availability",
            {"csrf_token": self.csrf, "available": "1" if available else "0"},
        )
        if status != 303:
            raise RuntimeError(f"availability: {status}")

    def take(self, conversation_id: int) -> None:
        path = f"/staff/talk/{conversation_id}/take"
        status, _ = self.browser.post(path, {"csrf_token": self.csrf})
        if status != 303:
            raise RuntimeError(f"POST {path}: {status}")

    def send(self, conversation_id: int, text: str, client_id: str) -> tuple[int, dict]:
        fields = {"csrf_token": self.csrf, "body": text, "client_id": client_id}
        status, body = self.browser.post(
            f"/staff/talk/{conversation_id}/send", fields, headers=JSON_ACCEPT
        )
        return status, answer_json(status, body)


def socket_owner(local_port: int, remote_port: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the loopback TCP connection whose own end is
    `local_port` and whose other end is `remote_port` (/proc/net/tcp gives the
    socket's inode, a process's fd links name it)."""
    wanted = f"0100007F:{local_port:04X}", f"0100007F:{remote_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if (parts[1], parts[2]) == wanted:
            inode = parts[9]
            break
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return pid
    return None


def rss_mib(pid: int) -> float:
    """VmRSS, the process's resident memory now, in MiB (0 when it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def always_open_centre_file(path: Path) -> Path:
    """data/centre.json with every centre open day and night: real gunicorn
    reads the real clock, and a test or bench must find the team there on
    any day at any hour."""
    network = json.loads((PROJECT_ROOT / "data" / "centre.json").read_text(encoding="utf-8"))
    for centre in network["centres"]:
        centre["opening_hours"] = {day: ["00:00-24:00"] for day in WEEK}
    path.write_text(json.dumps(network), encoding="utf-8")
    return path


def add_members(app, names: list[str], password: str) -> list[tuple[str, str]]:
    """Coordinators with a second factor (TOTP switched on, as production
    requires); returns each one's e-mail and a recovery code for signing in."""
    from core.identity import two_factor
    from core.identity.staff import create_staff
    from core.infra import clock
    from web.db import db

    made = []
    with app.app_context(), db.writing() as session:
        for name in names:
            email = f"{name.lower()}@fjc.example"
            staff = create_staff(
                session, email=email, name=name, role="coordinator", password=password
            )
            two_factor.begin_enrolment(staff)
            staff.totp_confirmed_at = clock.now()
            made.append((email, two_factor.new_recovery_codes(session, staff)[0]))
    return made


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process used so far (0 when it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return 0.0


def pids_named(name: str) -> list[int]:
    """Every process of this name on the machine (/proc/*/comm), e.g. "postgres"."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() == name:
                found.append(int(comm.parent.name))
    return found
