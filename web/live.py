"""Live pages: server-sent events over the hub (core.infra.live).

A stream sends what the database holds after the reader's last event id
(the browser's Last-Event-ID after a reconnect), then waits for a signal or
a poll interval, and asks again. It opens a short database session per look
and holds none while it waits, so hundreds of open streams need no more
connections than the pages do.

Streams are served by the live server (gunicorn's gthread workers,
gunicorn.live.conf.py, behind the same proxy: ADR 0034). A sync worker
(wsgi.multithread false: the page server, the test client) answers one look
and asks the browser to come back in a few seconds, so a stream that reached
the wrong server degrades to polling and never holds a page worker."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, request, stream_with_context
from sqlalchemy.orm import Session

from core.infra.live import Hub
from web.db import db

EXTENSION = "fjc_live"
# Seconds: a beat keeps proxies from closing an idle stream, and is also when
# the stream asks the database even without a signal.
POLL_HEALTHY = 15.0
# Without Redis between instances: ask the database this often instead.
POLL_DEGRADED = 2.0
# What a sync worker tells the browser: come back after this many ms.
RETRY_MS_POLLING = 3000
RETRY_MS_LIVE = 1000


@dataclass
class Event:
    """One server-sent event. `id` only for lines, so Last-Event-ID is always
    the last line the reader has."""

    kind: str
    data: dict
    id: int | None = None

    def encode(self) -> str:
        lines = []
        if self.id is not None:
            lines.append(f"id: {self.id}")
        lines.append(f"event: {self.kind}")
        lines.append("data: " + json.dumps(self.data, ensure_ascii=False, separators=(",", ":")))
        return "\n".join(lines) + "\n\n"


@dataclass
class Look:
    """What one look at the database found: events to send, the reader's new
    last id, and whether the stream is over (the conversation ended)."""

    events: list[Event] = field(default_factory=list)
    last_id: int = 0
    finished: bool = False
    # Run after the look's read session is closed (an audit row, say): a
    # write inside the look would hold two pooled connections at once, and
    # many streams doing that together wait on each other for the pool.
    after: Callable[[], None] | None = None


def conversation_channel(conversation_id: int) -> str:
    """Lines and changes of one conversation (both sides listen)."""
    return f"talk:c:{conversation_id}"


def centre_channel(centre_id: int) -> str:
    """A centre's waiting list changed (the team's talk page listens)."""
    return f"talk:centre:{centre_id}"


def init_app(app: Flask) -> None:
    app.config.setdefault("FJC_TALK_STREAM_SECONDS", 60)
    app.extensions[EXTENSION] = Hub(app.config.get("FJC_REDIS_URL"))


def hub() -> Hub:
    return current_app.extensions[EXTENSION]


def announce(*channels: str) -> None:
    """After the commit: tell every instance's readers to look again."""
    for channel in channels:
        hub().publish(channel)


def last_event_id() -> int:
    """The last line the reader has: the browser's Last-Event-ID header after
    a reconnect, else `after` (the page's newest line when it was made)."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    try:
        return max(int(raw), 0)
    except ValueError:
        return 0


def holds_connections() -> bool:
    return bool(request.environ.get("wsgi.multithread"))


def stream(
    channel: str,
    look: Callable[[Session, int], Look],
    *,
    beat: Callable[[], None] | None = None,
) -> Response:
    """An event-stream response. `look(session, last_id)` reads what is new;
    `beat()` notes that the reader is still there (its own transaction)."""
    live = holds_connections()
    lifetime = float(current_app.config["FJC_TALK_STREAM_SECONDS"])
    start_id = last_event_id()
    db.release()

    def generate() -> Iterator[str]:
        yield f"retry: {RETRY_MS_LIVE if live else RETRY_MS_POLLING}\n\n"
        last_id = start_id
        started = time.monotonic()
        last_beat = 0.0
        the_hub = hub()
        while True:
            version = the_hub.version(channel)
            if beat is not None and time.monotonic() - last_beat >= POLL_HEALTHY:
                beat()
                last_beat = time.monotonic()
            with db.reading() as session:
                found = look(session, last_id)
            if found.after is not None:
                found.after()
            for event in found.events:
                yield event.encode()
            last_id = found.last_id
            if found.finished or not live or time.monotonic() - started >= lifetime:
                return
            timeout = POLL_HEALTHY if the_hub.healthy else POLL_DEGRADED
            if the_hub.wait(channel, version, timeout) == version:
                yield ": beat\n\n"

    response = Response(stream_with_context(generate()), mimetype="text/event-stream")
    # Through nginx: no buffering of a stream (deploy/nginx).
    response.headers["X-Accel-Buffering"] = "no"
    return response
