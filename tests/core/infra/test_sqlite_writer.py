"""SQLite's writers take turns at the lock file beside the database: a waiting
writer starts as soon as the holder commits or rolls back, nothing is lost,
and a writer never waits for its own thread."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import text

from core.infra import sqlite_writer
from core.infra.db import Sessions, make_engine, write_transaction


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "writers.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT NOT NULL)"))
    yield path, Sessions(engine)
    engine.dispose()


def _bodies(sessions: Sessions) -> list[str]:
    with sessions.engine.connect() as connection:
        return sorted(connection.execute(text("SELECT body FROM note")).scalars())


def _lock_is_free(path) -> bool:
    fd = os.open(sqlite_writer.lock_path_of(str(path)), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing gives back a lock taken here
    return True


def test_a_second_writer_waits_for_the_first_commit_then_writes(database):
    path, sessions = database
    holding = threading.Event()
    release = threading.Event()
    second_done = threading.Event()

    def first():
        with write_transaction(sessions) as session:
            session.execute(text("INSERT INTO note VALUES ('first')"))
            holding.set()
            release.wait(5)

    def second():
        with write_transaction(sessions) as session:
            session.execute(text("INSERT INTO note VALUES ('second')"))
        second_done.set()

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert holding.wait(5)
    assert not _lock_is_free(path)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    assert not second_done.wait(0.2), "the second writer went ahead of the first"
    release.set()
    assert second_done.wait(5)
    for thread in threads:
        thread.join(5)
    assert _bodies(sessions) == ["first", "second"]
    assert _lock_is_free(path)


def test_a_rolled_back_writer_gives_the_lock_back(database):
    path, sessions = database
    with pytest.raises(RuntimeError), write_transaction(sessions) as session:
        session.execute(text("INSERT INTO note VALUES ('undone')"))
        assert not _lock_is_free(path)
        raise RuntimeError("the request failed")
    assert _lock_is_free(path)
    assert _bodies(sessions) == []


def test_a_thread_holding_the_lock_does_not_wait_for_itself(database):
    path, sessions = database
    with write_transaction(sessions) as session:
        session.execute(text("INSERT INTO note VALUES ('outer')"))
        other = sessions.engine.raw_connection()
        try:
            started = time.monotonic()
            other.dbapi_connection.take_write_turn()
            assert time.monotonic() - started < 1
        finally:
            other.close()
    assert _bodies(sessions) == ["outer"]


def test_a_lock_held_too_long_leaves_the_wait_to_sqlite(tmp_path):
    path = tmp_path / "held.sqlite3"
    holder = os.open(sqlite_writer.lock_path_of(str(path)), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        impatient = sqlite_writer.connection_class(sqlite_writer.lock_path_of(str(path)), 0.05)
        connection = impatient(str(path))
        started = time.monotonic()
        connection.take_write_turn()
        assert 0.05 <= time.monotonic() - started < 1
        connection.execute("BEGIN IMMEDIATE")  # SQLite itself is free: no writer holds it
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        connection.close()
    finally:
        os.close(holder)
