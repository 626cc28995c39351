"""A signal that something changed, to every process that waits for it.

The database holds every line of a conversation; this only says "look
again" on a named channel, so no message text ever passes through here (or
through Redis). In one process a channel is a version number and a
condition; with FJC_REDIS_URL every instance's hub also subscribes to the
others through Redis pub/sub (one connection per process, whatever the
number of waiters). When Redis is gone the hub says so (`healthy`) and the
waiters fall back to asking the database every few seconds: slower, never
lost (ADR 0034)."""

from __future__ import annotations

import logging
import threading
from typing import Any

PREFIX = "fjc:live:"
_log = logging.getLogger("fjc.live")
# How long the subscriber waits for Redis before it tries again.
RECONNECT_SECONDS = 1.0
REDIS_TIMEOUT_SECONDS = 0.5


class _Channel:
    __slots__ = ("condition", "version", "waiters")

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.version = 0
        self.waiters = 0


class Hub:
    def __init__(self, redis_url: str | None = None) -> None:
        self._redis_url = redis_url
        self._channels: dict[str, _Channel] = {}
        self._lock = threading.Lock()
        self._publisher: Any = None
        self._subscriber: threading.Thread | None = None
        self._subscribed = threading.Event()
        self._stopping = threading.Event()

    @property
    def shared(self) -> bool:
        """Whether other processes hear this one (Redis is configured)."""
        return self._redis_url is not None

    @property
    def healthy(self) -> bool:
        """Signals reach every instance: no Redis needed (one process), or its
        subscription is up."""
        return self._redis_url is None or self._subscribed.is_set()

    def _channel(self, name: str) -> _Channel:
        # Kept once made (a few hundred bytes per conversation this process
        # saw): dropping one between a reader's version() and its wait() would
        # lose a signal. Workers are replaced after max_requests anyway.
        with self._lock:
            channel = self._channels.get(name)
            if channel is None:
                channel = self._channels[name] = _Channel()
            return channel

    def version(self, name: str) -> int:
        return self._channel(name).version

    def _bump(self, name: str) -> None:
        with self._lock:
            channel = self._channels.get(name)
        if channel is None:
            return  # nobody here waits for it
        with channel.condition:
            channel.version += 1
            channel.condition.notify_all()

    def publish(self, name: str) -> None:
        """Wake this process's waiters at once, and every other instance's
        through Redis. A lost Redis costs the others only their poll delay."""
        self._bump(name)
        if self._redis_url is None:
            return
        try:
            self._redis().publish(PREFIX + name, b"1")
        except Exception as exc:  # noqa: BLE001 - any Redis failure degrades the same way
            _log.warning("live signal not shared: %s", type(exc).__name__)

    def wait(self, name: str, seen: int, timeout: float) -> int:
        """Block until the channel's version passes `seen`, or `timeout`
        seconds; returns the version now."""
        self._ensure_subscriber()
        channel = self._channel(name)
        with channel.condition:
            channel.waiters += 1
            try:
                channel.condition.wait_for(lambda: channel.version != seen, timeout)
                return channel.version
            finally:
                channel.waiters -= 1

    def listening(self) -> int:
        """How many waiters this process holds (the benchmark's memory count)."""
        with self._lock:
            return sum(channel.waiters for channel in self._channels.values())

    def _redis(self):
        if self._publisher is None:
            import redis

            self._publisher = redis.Redis.from_url(
                str(self._redis_url),
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
        return self._publisher

    def _ensure_subscriber(self) -> None:
        if self._redis_url is None or self._subscriber is not None:
            return
        with self._lock:
            if self._subscriber is None:
                # A daemon thread per process, started by the first waiter:
                # after gunicorn's fork, never before it.
                self._subscriber = threading.Thread(
                    target=self._listen, name="fjc-live-subscriber", daemon=True
                )
                self._subscriber.start()

    def _listen(self) -> None:
        import redis

        while not self._stopping.is_set():
            client = redis.Redis.from_url(
                str(self._redis_url),
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=RECONNECT_SECONDS * 5,
                health_check_interval=2,
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(PREFIX + "*")
                self._subscribed.set()
                self._wake_everyone()  # what was missed while down: look again
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=RECONNECT_SECONDS)
                    if message and message.get("type") == "pmessage":
                        self._bump(message["channel"].decode()[len(PREFIX) :])
            except Exception as exc:  # noqa: BLE001 - reconnect whatever it was
                if self._subscribed.is_set():
                    _log.warning("live subscription lost: %s", type(exc).__name__)
                self._subscribed.clear()
                self._stopping.wait(RECONNECT_SECONDS)
            finally:
                try:
                    pubsub.close()
                    client.close()
                except Exception:  # noqa: BLE001, S110 - closing a dead connection
                    pass

    def _wake_everyone(self) -> None:
        with self._lock:
            names = list(self._channels)
        for name in names:
            self._bump(name)

    def close(self) -> None:
        self._stopping.set()


def poll_interval(hub: Hub, *, healthy: float, degraded: float) -> float:
    """How long a waiter sleeps before it asks the database anyway."""
    return healthy if hub.healthy else degraded
