"""Talk now when a live worker dies: SIGKILL of the gthread worker that holds
the person's stream, in the middle of a conversation, on a throwaway
PostgreSQL with Redis and the production serving (a page server and the
live server of gunicorn.live.conf.py).

Her stream breaks; like a browser's EventSource it comes back after the
server's `retry` with Last-Event-ID, the last line it has. The lines written
while it was down (by the team and by her) arrive then, each exactly once
and in order, and every line acknowledged to its sender is in the database,
and on both streams. A sender whose answer was lost sends the same line
again with the same client id, and it is stored once.

And neither server's log holds a message's text or a client's address."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

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
from core.network.centres import NETWORK_EXTENSION, ensure_centres
from tests.conftest import TEST_DATA_KEY, TEST_PASSWORD
from tests.faults.conftest import stop_gunicorn, wait_until
from web.db import db

pytestmark = [pytest.mark.xdist_group("faults"), pytest.mark.usefixtures("real_time")]

PERSON_ADDRESS = "203.0.113.81"
MEMBER_ADDRESS = "203.0.113.82"
# Lines each side writes while her stream is down.
WHILE_DOWN = 3


class Talk:
    """One instance (page server and live server) on a throwaway PostgreSQL
    and Redis, the centre open day and night (gunicorn reads the real clock)."""

    def __init__(self, pages: Server, live: Server, app) -> None:
        self.pages, self.live, self.app = pages, live, app
        self.members = 0

    def member(self) -> TalkMember:
        self.members += 1
        [(email, code)] = add_members(self.app, [f"Member{self.members}"], TEST_PASSWORD)
        member = TalkMember(self.pages.port, address=MEMBER_ADDRESS)
        member.sign_in(email, TEST_PASSWORD, code)
        member.set_available()
        return member

    def newest_conversation(self) -> int:
        with self.app.app_context():
            found = db.session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
            db.session.rollback()
        return found

    def stored(self, conversation_id: int) -> list[tuple[int, str | None]]:
        """(seq, text) of every line, in order; None for what happened."""
        with self.app.app_context():
            rows = db.session.scalars(
                select(ConversationMessage)
                .where(ConversationMessage.conversation_id == conversation_id)
                .order_by(ConversationMessage.seq)
            )
            found = [(row.seq, row.body) for row in rows]
            db.session.rollback()
        return found

    def logs(self) -> str:
        return "".join(
            server.log_path.read_text(encoding="utf-8", errors="replace")
            for server in (self.pages, self.live)
        )


@pytest.fixture(scope="module")
def talk(make_postgres, make_redis, start_gunicorn, reader, tmp_path_factory):
    postgres, redis = make_postgres(), make_redis()
    root = tmp_path_factory.mktemp("talk")
    centre_file = always_open_centre_file(root / "centre.json")
    app = reader(postgres.url, FJC_CENTRE_FILE=str(centre_file))
    with app.app_context(), db.writing() as session:
        ensure_centres(session, app.extensions[NETWORK_EXTENSION])
    pages = start_gunicorn(
        postgres.url, redis_url=redis.url, workers=2, FJC_CENTRE_FILE=str(centre_file)
    )
    env = production_env(postgres.url, TEST_DATA_KEY, redis_url=redis.url)
    env["FJC_CENTRE_FILE"] = str(centre_file)
    live = Server(env, workers=2, log_path=root / "live.log", config=LIVE_CONFIG)
    yield Talk(pages, live, app)
    stop_gunicorn(live)


def _conversation(talk: Talk):
    """A person who started, a member who took it, both streams open."""
    member = talk.member()
    person = TalkPerson(talk.pages.port, address=PERSON_ADDRESS)
    person.start()
    conversation_id = talk.newest_conversation()
    member.take(conversation_id)
    hers = EventStream(person.browser, person.events_path, port=talk.live.port).start()
    theirs = EventStream(
        member.browser, member.conversation_events(conversation_id), port=talk.live.port
    ).start()
    return person, member, conversation_id, hers, theirs


def _has(stream: EventStream, texts: list[str]) -> bool:
    got = {event.data.get("text") for event in stream.lines()}
    return all(text in got for text in texts)


def _seqs(stream: EventStream) -> list[int]:
    return [event.id for event in stream.lines()]


def test_a_killed_live_worker_loses_no_line_and_doubles_none(talk):
    run = f"kl-{secrets.token_hex(3)}"
    person, member, conversation_id, hers, theirs = _conversation(talk)
    acknowledged: dict[str, int] = {}  # text -> seq its sender was told
    try:

        def she_writes(text: str) -> None:
            status, answer = person.send(text, client_id=f"{text}-id")
            assert status == 201, answer
            acknowledged[text] = answer["seq"]

        def they_write(text: str) -> None:
            status, answer = member.send(conversation_id, text, client_id=f"{text}-id")
            assert status == 201, answer
            acknowledged[text] = answer["seq"]

        for n in range(2):
            she_writes(f"{run} before {n}")
            they_write(f"{run} answer before {n}")
        assert hers.wait_for(lambda s: _has(s, list(acknowledged)), 10), talk.live.log_tail()
        last_seen = hers.last_id
        assert last_seen == max(acknowledged.values())

        holder = socket_owner(talk.live.port, hers.local_port, talk.live.worker_pids())
        assert holder is not None, "no live worker holds her stream"
        drops = hers.drops
        os.kill(holder, signal.SIGKILL)
        killed_at = time.monotonic()
        assert hers.wait_for(lambda s: s.drops > drops, 5), "her stream did not break"
        # Her stream is down (it comes back after retry: 1 s): both write.
        connections = hers.connections
        down = []
        for n in range(WHILE_DOWN):
            down += [f"{run} while down {n}", f"{run} answer while down {n}"]
            she_writes(down[-2])
            they_write(down[-1])

        assert hers.wait_for(lambda s: _has(s, down), 15), talk.live.log_tail()
        caught_up = time.monotonic() - killed_at
        assert theirs.wait_for(lambda s: _has(s, list(acknowledged)), 15), talk.live.log_tail()
    finally:
        hers.close()
        theirs.close()

    # It came back with the last line it had, to a worker that lives.
    assert hers.sent_ids[connections] == last_seen
    assert hers.statuses[-1] == 200
    # Nothing acknowledged is lost: the database holds each line at the seq
    # its sender was told, and each stream got every line once, in order.
    stored = talk.stored(conversation_id)
    at_seq = dict(stored)
    for text, seq in acknowledged.items():
        assert at_seq.get(seq) == text, (
            f"{text!r} acknowledged as {seq}, stored {at_seq.get(seq)!r}"
        )
    assert [seq for seq, _ in stored] == list(range(1, len(stored) + 1))
    assert _seqs(hers) == [seq for seq, _ in stored], "her stream lost or doubled a line"
    assert _seqs(theirs) == [seq for seq, _ in stored], "the member's stream lost or doubled"
    # gunicorn replaced the killed worker.
    assert wait_until(lambda: holder not in talk.live.worker_pids(), 10)
    assert wait_until(lambda: len(talk.live.worker_pids()) == 2, 30), talk.live.log_tail()

    logs = talk.logs()
    assert "portal.talk_events" in logs and "portal.talk_send" in logs
    for secret in (run, PERSON_ADDRESS, MEMBER_ADDRESS):
        assert secret not in logs, f"{secret} is in a server's log"
    print(
        f"\nSIGKILL of the live worker holding her stream: back with Last-Event-ID "
        f"{last_seen}, the {len(down)} lines written meanwhile there {caught_up:.1f} s after "
        f"the kill, {len(stored)} lines on each stream, once each"
    )


def _post_and_hang_up(person: TalkPerson, text: str, client_id: str) -> None:
    """Her POST reaches the server; its answer never reaches her (the phone
    lost its signal): the connection is gone before the answer comes."""
    body = urlencode({"csrf_token": person.csrf, "body": text, "client_id": client_id}).encode()
    port = person.browser.port
    headers = person.browser.headers(
        {
            "Host": f"127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
            "Referer": f"https://127.0.0.1:{port}/{person.lang}/talk/send",
            "Accept": "application/json",
            "Connection": "close",
        }
    )
    head = f"POST /{person.lang}/talk/send HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode("latin-1") + body)


def _count(talk: Talk, conversation_id: int, text: str) -> int:
    return sum(body == text for _, body in talk.stored(conversation_id))


def test_a_line_sent_again_after_its_answer_was_lost_is_stored_once(talk):
    run = f"la-{secrets.token_hex(3)}"
    person, _member, conversation_id, hers, theirs = _conversation(talk)
    hers.close()
    theirs.close()

    text = f"{run} my answer was lost"
    _post_and_hang_up(person, text, client_id=f"{run}-one")
    assert wait_until(lambda: _count(talk, conversation_id, text) == 1, 10), talk.pages.log_tail()
    status, answer = person.send(text, client_id=f"{run}-one")
    assert status == 200, answer  # "stored before": the same line, not a new one
    [(seq, _)] = [(s, b) for s, b in talk.stored(conversation_id) if b == text]
    assert answer["seq"] == seq

    # Sent twice at the same moment (two tabs, a double tap): one line.
    twice = f"{run} sent twice at once"
    start = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def send() -> None:
        start.wait(10)
        answers.append(person.send(twice, client_id=f"{run}-two"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(status for status, _ in answers) == [200, 201], answers
    assert len({answer["seq"] for _, answer in answers}) == 1
    assert _count(talk, conversation_id, twice) == 1
    with talk.app.app_context():
        lines = db.session.scalar(
            select(func.count(ConversationMessage.id)).where(
                ConversationMessage.conversation_id == conversation_id
            )
        )
        db.session.rollback()
    assert lines == 3  # taken, and the two lines, each once
    assert run not in talk.logs()
