"""SQLite's writers take turns at a lock the kernel hands on, not by sleeping.

SQLite lets one transaction write at a time. A second writer waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10, ... up to 100 ms between its tries,
whatever the holder is doing. A door's write transaction holds the lock for
about a millisecond; under load, five workers sending forms slept far longer
than they wrote (docs/performance.md, "SQLite's writers"). So a write
transaction (BEGIN IMMEDIATE) first takes an advisory lock (flock) on a file
beside the database, and gives it back the moment it commits or rolls back.
A waiter tries again after 50 µs, then ever less often, but never more than
half a millisecond apart.

The lock only orders writers that use it: SQLite's own busy timeout still
protects against the others (the sqlite3 shell, another program), and it is
what a writer falls back on after SQLITE_BUSY_TIMEOUT_MS, or when this thread
already holds the lock through another connection (taking it twice would
wait for itself).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

_FIRST_WAIT_S = 0.00005
_LONGEST_WAIT_S = 0.0005
_held_here = threading.local()  # how many write locks this thread holds


def _held_count() -> int:
    return getattr(_held_here, "count", 0)


def lock_path_of(database: str) -> Path:
    path = Path(database)
    return path.with_name(path.name + ".write-lock")


def connection_class(lock_path: Path, timeout_s: float) -> type[sqlite3.Connection]:
    """A sqlite3 connection class (sqlite3.connect's `factory`) whose write
    transactions take turns at the lock file `lock_path`."""

    class TakingTurnsAt(TakingTurns):
        _lock_path = lock_path
        _timeout_s = timeout_s

    return TakingTurnsAt


class TakingTurns(sqlite3.Connection):
    _lock_path: Path
    _timeout_s: float
    _lock_fd: int | None = None
    _holding = False

    def take_write_turn(self) -> None:
        """Wait for the lock file before BEGIN IMMEDIATE (core/infra/db.py)."""
        if self._holding or _held_count():
            return
        if self._lock_fd is None:
            # Each connection has its own open file: flock excludes open files,
            # so two connections of one process exclude each other too.
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        if not self._wait_for_lock(self._lock_fd):
            return  # SQLite's busy timeout decides from here
        self._holding = True
        _held_here.count = _held_count() + 1

    def _wait_for_lock(self, fd: int) -> bool:
        wait = _FIRST_WAIT_S
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(wait)
                wait = min(wait * 2, _LONGEST_WAIT_S)

    def _give_back(self) -> None:
        if not self._holding:
            return
        self._holding = False
        _held_here.count = _held_count() - 1
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            self._give_back()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
        finally:
            super().close()
