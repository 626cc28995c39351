"""Throwaway PostgreSQL and Redis servers on free loopback ports, for tests
that stop, kill and restart them: the shared servers on 5432 and 6379 are
never touched.

Each server is a direct child of the test process, so the test knows its pid
(to SIGKILL it) and can wait for it. PostgreSQL refuses to run as root: when
the tests run as root, its directories belong to the `postgres` user and the
server runs as that user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.serving import children, free_port

PG_BIN = Path(os.environ.get("FJC_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = Path(shutil.which("redis-server") or "/usr/bin/redis-server")
PG_USER = "postgres"
STOP_TIMEOUT = 30


def missing_binaries() -> str | None:
    """None when the servers can be started here, else what is missing."""
    needed = [PG_BIN / "initdb", PG_BIN / "postgres", REDIS_SERVER]
    missing = [str(path) for path in needed if not os.access(path, os.X_OK)]
    if missing:
        return f"not found or not executable: {', '.join(missing)}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            return f"running as root, and there is no {PG_USER!r} user to run PostgreSQL as"
    return None


def wait_until(check: Callable[[], object], timeout: float, interval: float = 0.05):
    """The first truthy value of check() within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def _pg_owner() -> dict:
    """Popen arguments and ids that make PostgreSQL run as `postgres` under root."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(PG_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def give_to_postgres(path: Path) -> None:
    """chown -R postgres: (only under root; otherwise the files are already ours)."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(PG_USER)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


def scratch_dir(prefix: str) -> Path:
    """A directory outside pytest's tmp_path: that one sits in a 0700 root-owned
    directory the `postgres` user cannot enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def _stop_process(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def _alive(pid: int) -> bool:
    """Running, or stopped, but not a zombie waiting for its new parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _wait_gone(pids: list[int], timeout: float) -> None:
    """Wait until none of `pids` is alive (orphans reaped by someone else)."""

    def _all_gone() -> bool:
        return not any(_alive(pid) for pid in pids)

    if wait_until(_all_gone, timeout):
        return
    # Whatever still stands after the wait must not outlive the test (only
    # those: a pid that is gone may already be another process's).
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class PostgresCluster:
    """One PostgreSQL cluster: `postgres -D data_dir` on 127.0.0.1:port, TCP only."""

    def __init__(self, data_dir: Path, log_path: Path, *, port: int | None = None):
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log = None

    @staticmethod
    def initdb(data_dir: Path, log_path: Path, *, wal_dir: Path | None = None) -> None:
        """A new cluster with trust authentication for `postgres` (loopback only)."""
        for path in (data_dir, wal_dir):
            if path is not None:
                path.mkdir(parents=True, exist_ok=True)
                give_to_postgres(path)
                path.chmod(0o700)
        command = [
            str(PG_BIN / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            PG_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            # 1 MiB WAL segments instead of 16: a copy of the cluster is small
            # enough to fit a small tmpfs.
            "--wal-segsize=1",
        ]
        if wal_dir is not None:
            command += ["--waldir", str(wal_dir)]
        with open(log_path, "ab") as log:
            subprocess.run(  # noqa: S603 - fixed arguments
                command, check=True, stdout=log, stderr=subprocess.STDOUT, **_pg_owner()
            )

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/postgres"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30) -> None:
        self._log = self._log or open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(PG_BIN / "postgres"),
                "-D",
                str(self.data_dir),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                # The tests kill processes, never the machine: the kernel keeps
                # every write a killed server made, so fsync would only cost time.
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            **_pg_owner(),
        )
        if not self.wait_ready(timeout):
            raise RuntimeError(f"PostgreSQL did not start in {timeout} s:\n{self.log_tail()}")

    def ready(self) -> bool:
        import psycopg

        if not self.running:
            return False
        try:
            with psycopg.connect(
                host="127.0.0.1", port=self.port, user=PG_USER, dbname="postgres", connect_timeout=2
            ) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def wait_ready(self, timeout: float) -> bool:
        def _ready_or_dead():
            if not self.running:
                return "dead"
            return self.ready()

        return wait_until(_ready_or_dead, timeout) is True

    def stop(self) -> None:
        """Fast shutdown (SIGINT): open transactions are rolled back, sessions cut."""
        if self.process is not None:
            _stop_process(self.process, signal.SIGINT)

    def kill(self) -> None:
        """SIGKILL of the postmaster; its orphaned backends notice and exit, and
        a new postmaster must wait for them (they still hold the shared memory)."""
        if self.process is None or self.process.poll() is not None:
            return
        backends = children(self.process.pid)
        self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT)
        _wait_gone(backends, timeout=15)

    def close(self) -> None:
        """Stop for good, whatever state the server is in."""
        if self.process is not None and self.process.poll() is None:
            backends = children(self.process.pid)
            self.stop()
            _wait_gone(backends, timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        if self._log is not None:
            self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def copy_cluster(source: Path, target: Path, *, wal_dir: Path | None = None) -> None:
    """A copy of a stopped cluster's data directory, owned as the server needs;
    with `wal_dir`, its WAL lives there instead (what `initdb --waldir` does)."""
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    if wal_dir is not None:
        wal_dir.mkdir(parents=True, exist_ok=True)
        for segment in (target / "pg_wal").iterdir():
            shutil.move(segment, wal_dir / segment.name)
        (target / "pg_wal").rmdir()
        (target / "pg_wal").symlink_to(wal_dir)
        give_to_postgres(wal_dir)
        wal_dir.chmod(0o700)
    give_to_postgres(target)
    target.chmod(0o700)


class RedisServer:
    """`redis-server` on 127.0.0.1:port, nothing saved to disk."""

    def __init__(self, work_dir: Path, log_path: Path, *, port: int | None = None):
        self.work_dir = work_dir
        self.log_path = log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 15) -> None:
        self._log = self._log or open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(REDIS_SERVER),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.work_dir),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        if not wait_until(lambda: self.ready() or not self.running, timeout) or not self.running:
            raise RuntimeError(f"Redis did not start in {timeout} s:\n{self.log_tail()}")

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process, signal.SIGTERM)

    def close(self) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 20) -> str:
        if self._log is not None:
            self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


class Tmpfs:
    """A small tmpfs mounted on `path` (root only), unmounted by close()."""

    def __init__(self, path: Path, size_mib: int):
        self.path = path
        self.size_mib = size_mib
        self.mounted = False

    def mount(self) -> str | None:
        """None once mounted, else why it could not be."""
        self.path.mkdir(parents=True, exist_ok=True)
        options = f"size={self.size_mib}m,mode=0755"
        try:
            result = subprocess.run(  # noqa: S603 - fixed arguments
                ["mount", "-t", "tmpfs", "-o", options, "tmpfs", self.path],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:  # no mount(8) here
            return f"{type(exc).__name__}: {exc}"
        if result.returncode != 0:
            return (result.stderr or result.stdout).strip() or f"mount exited {result.returncode}"
        self.mounted = True
        return None

    def fill(self, name: str = "junk") -> Path:
        """Write a junk file until the file system is full; returns its path."""
        junk = self.path / name
        fd = os.open(junk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            # Unbuffered writes, big then page-sized, so that the last free pages go too.
            for size in (1 << 20, 4096):
                block = b"\0" * size
                with contextlib.suppress(OSError):
                    while os.write(fd, block):
                        pass
        finally:
            os.close(fd)
        return junk

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def close(self) -> None:
        if self.mounted:
            # Lazy: a process that still has a file open there must not keep it mounted.
            subprocess.run(["umount", "-l", self.path], check=False)  # noqa: S603, S607
            self.mounted = False
