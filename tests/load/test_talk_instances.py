"""Talk now across two instances: each a page server (sync workers) and a
live server (gthread, gunicorn.live.conf.py) of its own, as on two machines
behind one proxy, sharing one database and one Redis. The person talks on
instance A, the team member on instance B, and each one's stream receives
the other's lines within two seconds.

Two seconds proves the lines came through Redis, not by a poll: a stream
looks at the database without a signal only every 15 s (web.live
POLL_HEALTHY) while its Redis subscription is up, and the test checks that
each live server holds one (Redis's client list, and the socket's owner).
The replies are sent right after the stream delivered the line before, so a
stream that had lost its subscription (a poll every 2 s) would miss the mark.

Afterwards, no server's log holds a message's text or a client's address."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bench.serving import (
    LIVE_CONFIG,
    EventStream,
    Server,
    TalkMember,
    TalkPerson,
    add_members,
    always_open_centre_file,
    production_env,
    socket_owner,
)
from core.model import Conversation, ConversationMessage
from tests.conftest import TEST_DATA_KEY, TEST_PASSWORD, real_clock_now
from web.db import db

# Within this a line must reach the other side (the poll would take 15 s).
DELIVERED_WITHIN = 2.0
ROUNDS = 3
PERSON_ADDRESS = "203.0.113.71"
MEMBER_ADDRESS = "203.0.113.72"


@dataclass
class Instance:
    pages: Server
    live: Server


def _kill(server: Server) -> None:
    """SIGKILL, master first, then its workers: a stopping live server would
    wait 10 s (graceful_timeout) for its streams, and nothing is left to save."""
    workers = server.worker_pids()
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait(timeout=15)
    for pid in workers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.stop()


@pytest.fixture
def always_open(app_factory, tmp_path, clock):
    """The centre open day and night (gunicorn reads the real clock), for
    this test's app and servers; the suite's opening hours come back after."""
    # The rows this process writes (the member's account) are dated as the servers date theirs.
    clock.current = real_clock_now()
    centre_file = always_open_centre_file(tmp_path / "centre.json")
    yield app_factory(FJC_CENTRE_FILE=str(centre_file)), centre_file
    app_factory()  # loads the suite's centre file, and its hours, again


@pytest.fixture
def start_instance(database_url, tmp_path):
    """start_instance(redis_url, centre_file) -> a page server (2 sync workers)
    and a live server (the shipped live configuration) on this run's database."""
    started: list[Server] = []

    def _start(redis_url: str, centre_file) -> Instance:
        env = production_env(database_url, TEST_DATA_KEY, redis_url=redis_url)
        env["FJC_CENTRE_FILE"] = str(centre_file)
        n = len(started)
        pages = Server(env, workers=2, log_path=tmp_path / f"pages{n}.log")
        started.append(pages)
        live = Server(env, workers=2, log_path=tmp_path / f"live{n}.log", config=LIVE_CONFIG)
        started.append(live)
        return Instance(pages, live)

    yield _start
    for server in started:
        _kill(server)


def _newest_conversation(app) -> int:
    with app.app_context():
        found = db.session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
        db.session.rollback()
    return found


def _stored_lines(app, conversation_id: int) -> list[tuple[int, str, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id)
            .order_by(ConversationMessage.seq)
        )
        found = [(row.seq, row.sender, row.body) for row in rows]
        db.session.rollback()
    return found


def _arrived(stream: EventStream, text: str) -> float | None:
    for event in stream.lines():
        if event.data.get("text") == text:
            return event.at
    return None


def _has_event(stream: EventStream, code: str) -> bool:
    return any(event.data.get("event") == code for event in stream.lines())


def _subscribed_workers(redis_url: str, pids: list[int]) -> list[int]:
    """Those of `pids` that hold a Redis pattern subscription (the hub's)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        subscribers = [c for c in client.client_list() if int(c.get("psub", 0)) > 0]
    finally:
        client.close()
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    owners = (socket_owner(int(c["addr"].rsplit(":", 1)[1]), port, pids) for c in subscribers)
    return [pid for pid in owners if pid is not None]


def _exchange(person, member, hers, theirs, conversation_id, run) -> list[float]:
    """ROUNDS lines each way; each must reach the other side in time."""
    latencies = []
    for n in range(ROUNDS):
        text = f"{run} she writes {n}"
        sent = time.monotonic()
        status, answer = person.send(text, client_id=f"{run}-p{n}")
        assert status == 201, answer
        assert theirs.wait_for(lambda s, t=text: _arrived(s, t), DELIVERED_WITHIN), (
            f"the member's stream on B did not get line {n} within {DELIVERED_WITHIN} s"
        )
        latencies.append(_arrived(theirs, text) - sent)
        # Right after her stream delivered her own line (it woke for it).
        assert hers.wait_for(lambda s, t=text: _arrived(s, t), DELIVERED_WITHIN)
        reply = f"{run} the team answers {n}"
        sent = time.monotonic()
        status, answer = member.send(conversation_id, reply, client_id=f"{run}-s{n}")
        assert status == 201, answer
        assert hers.wait_for(lambda s, t=reply: _arrived(s, t), DELIVERED_WITHIN), (
            f"her stream on A did not get reply {n} within {DELIVERED_WITHIN} s"
        )
        latencies.append(_arrived(hers, reply) - sent)
        assert theirs.wait_for(lambda s, t=reply: _arrived(s, t), DELIVERED_WITHIN)
    return latencies


def test_a_person_on_one_instance_and_the_team_on_another_talk_live_through_redis(
    always_open, start_instance, redis_url
):
    app, centre_file = always_open
    a, b = start_instance(redis_url, centre_file), start_instance(redis_url, centre_file)
    run = f"talk-{secrets.token_hex(4)}"
    [(email, code)] = add_members(app, ["Anna"], TEST_PASSWORD)
    streams: list[EventStream] = []
    try:
        member = TalkMember(b.pages.port, address=MEMBER_ADDRESS)
        member.sign_in(email, TEST_PASSWORD, code)
        member.set_available()
        board = EventStream(member.browser, member.events_path, port=b.live.port).start()
        streams.append(board)
        assert board.wait_for(lambda s: s.of_kind("changed"), 10), b.live.log_tail()

        person = TalkPerson(a.pages.port, address=PERSON_ADDRESS)
        person.start()
        hers = EventStream(person.browser, person.events_path, port=a.live.port).start()
        streams.append(hers)
        assert hers.wait_for(lambda s: s.of_kind("status"), 10), a.live.log_tail()
        assert hers.of_kind("status")[0].data["state"] == "waiting"

        conversation_id = _newest_conversation(app)
        member.take(conversation_id)
        theirs = EventStream(
            member.browser, member.conversation_events(conversation_id), port=b.live.port
        ).start()
        streams.append(theirs)
        # Taken on B: her stream on A hears it from Redis.
        assert hers.wait_for(lambda s: _has_event(s, "taken"), DELIVERED_WITHIN)
        assert hers.wait_for(lambda s: s.of_kind("status")[-1].data["state"] == "active", 5)
        assert theirs.wait_for(lambda s: _has_event(s, "taken"), 10)

        # Each live server listens on Redis, so a wait ends only by a signal or
        # after the healthy poll of 15 s.
        assert _subscribed_workers(redis_url, a.live.worker_pids()), "A's live server is deaf"
        assert _subscribed_workers(redis_url, b.live.worker_pids()), "B's live server is deaf"

        latencies = _exchange(person, member, hers, theirs, conversation_id, run)
    finally:
        for stream in streams:
            stream.close()

    # Every line once, in order, as the database holds them.
    stored = _stored_lines(app, conversation_id)
    assert [seq for seq, _, _ in stored] == list(range(1, len(stored) + 1))
    assert [e.id for e in hers.lines()] == [seq for seq, _, _ in stored]
    assert [e.id for e in theirs.lines()] == [seq for seq, _, _ in stored]
    texts = [body for _, sender, body in stored if sender != "system"]
    assert len(texts) == 2 * ROUNDS and len(set(texts)) == 2 * ROUNDS
    assert set(hers.statuses) == {200}

    # No message text and no client address in any server's log.
    logged = {
        a.pages: "portal.talk_send",
        a.live: "portal.talk_events",
        b.pages: "backoffice.talk_send",
        b.live: "backoffice.talk_conversation_events",
    }
    for server, endpoint in logged.items():
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        assert f'"endpoint": "{endpoint}"' in log, f"{server.log_path.name} logged no requests"
        for secret in (run, PERSON_ADDRESS, MEMBER_ADDRESS):
            assert secret not in log, f"{secret} in {server.log_path.name}"
    print(
        f"\nperson on A, team on B: {2 * ROUNDS} lines, latency "
        f"{', '.join(f'{x * 1000:.0f}' for x in latencies)} ms"
    )
