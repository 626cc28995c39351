"""Talk now under load: 300 open conversations, 50 of them active, beside
the portal's pages, on PostgreSQL and Redis with the production serving: the
page server (gunicorn.conf.py, sync workers) and the live server
(gunicorn.live.conf.py, gthread), as behind the shipped nginx.

Prints the portal's page p95 without and with the conversations, the latency
of a line from the person to the team (from her POST leaving to the member's
stream delivering it), what sending costs, and the live server's memory per
open conversation, with the issue's targets: the portal's p95 grows by at
most 50 %, the latency p95 stays under 1 s.

- Pages: /nl/ and /nl/contact, asked at a fixed rate (an open loop, so the
  load does not fall when the server slows down), PAGE_RATE a second for
  FJC_BENCH_TALK_SECONDS (default 30).
- Conversations: 300 people start one (each from an address of her own);
  five members, signed in with their second factor, each with the talk list
  open (its stream), take 50 of them and hold each one's stream; the other
  250 wait in line. Each of the 50 writes a line every 2 s. 355 streams in
  all, held by one asyncio client (raw sockets, cheap beside the servers).
- Rate limits off (FJC_RATELIMIT_ENABLED=false): a line every 2 s is over the
  20 a minute one conversation may send, and all of it comes from loopback.
- Memory: the live workers' resident memory (VmRSS) with the 300 open, less
  the same with the team's lists alone, divided by 300.

Needs PostgreSQL (FJC_TEST_DATABASE_URL, default the test database on
127.0.0.1) and Redis (FJC_BENCH_REDIS_URL, default database 14 on
127.0.0.1); without either it says so and stops. `python -m bench.talk`.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bench.serving import (
    LIVE_CONFIG,
    AsyncEventStream,
    Server,
    SseEvent,
    TalkMember,
    TalkPerson,
    add_members,
    always_open_centre_file,
    cpu_seconds,
    pids_named,
    production_env,
    rss_mib,
)

CONVERSATIONS = int(os.environ.get("FJC_BENCH_CONVERSATIONS", "300"))
ACTIVE = int(os.environ.get("FJC_BENCH_ACTIVE", "50"))
MEMBERS = 5
# 0: the members close their talk list before the measurement (their
# conversations' streams stay): how much the lists cost.
BOARDS = os.environ.get("FJC_BENCH_BOARDS", "1") != "0"
SEND_EVERY_S = 2.0
MEASURE_S = int(os.environ.get("FJC_BENCH_TALK_SECONDS", "30"))
PAGE_RATE = 20  # portal pages a second, whatever the answers take
PAGES = ("/nl/", "/nl/contact")
# The targets of issue 21.
PAGE_GROWTH_MAX = 0.50
LATENCY_P95_MAX_S = 1.0
# After the last line is sent, how long the bench waits for lines on their way:
# longer than the pool's 30 s wait for a connection, so "not arrived" is lost.
ARRIVAL_WAIT_S = 35
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway bench account
PAGE_WORKERS = 2 * (os.cpu_count() or 1) + 1  # gunicorn.conf.py's default
# People starting at the same moment while the conversations are set up.
STARTING_AT_ONCE = 4


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _ms(values: list[float]) -> str:
    if not values:
        return "none"
    return (
        f"p50 {_percentile(values, 0.50) * 1000:.0f} ms, p95 {_percentile(values, 0.95) * 1000:.0f}"
        f" ms, max {max(values) * 1000:.0f} ms"
    )


# -- raw HTTP in the loop -------------------------------------------------------


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _exchange(port: int, raw: bytes, timeout: float = 30) -> int:
    """Send one request, read the answer to the end; its status (0: broken)."""
    writer = None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(raw)
        answer = await asyncio.wait_for(reader.read(), timeout)
        return int(answer.split(b" ", 2)[1])
    except (OSError, TimeoutError, IndexError, ValueError):
        return 0
    finally:
        if writer is not None:
            writer.close()


@dataclass
class Pages:
    latencies: list[float] = field(default_factory=list)
    failed: int = 0


async def _portal_pages(port: int, seconds: float) -> Pages:
    """PAGE_RATE GETs a second, each on time whatever the others take."""
    found = Pages()
    headers = {"X-Forwarded-For": "198.51.100.250", "X-Forwarded-Proto": "https"}

    async def one(path: str) -> None:
        started = time.monotonic()
        status = await _exchange(port, _request(port, "GET", path, headers))
        if status == 200:
            found.latencies.append(time.monotonic() - started)
        else:
            found.failed += 1

    tasks = []
    start = time.monotonic()
    for n in range(int(PAGE_RATE * seconds)):
        await asyncio.sleep(max(0.0, start + n / PAGE_RATE - time.monotonic()))
        tasks.append(asyncio.create_task(one(PAGES[n % len(PAGES)])))
    await asyncio.gather(*tasks)
    return found


# -- the conversations ------------------------------------------------------------


@dataclass
class Lines:
    sent_at: dict[str, float] = field(default_factory=dict)
    arrived: dict[str, float] = field(default_factory=dict)
    posts: list[float] = field(default_factory=list)
    refused: int = 0

    def on_member_event(self, event: SseEvent) -> None:
        if event.kind != "line" or not isinstance(event.data, dict):
            return
        line = event.data.get("text")
        if line in self.sent_at and line not in self.arrived:
            self.arrived[line] = event.at

    def latencies(self) -> list[float]:
        return [self.arrived[line] - self.sent_at[line] for line in self.arrived]


def _send_request(person: TalkPerson, line: str, client_id: str) -> bytes:
    port, path = person.browser.port, f"/{person.lang}/talk/send"
    body = urlencode({"csrf_token": person.csrf, "body": line, "client_id": client_id}).encode()
    headers = person.browser.headers(
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1:{port}{path}",
            "Accept": "application/json",
        }
    )
    return _request(port, "POST", path, headers, body)


async def _writes(person: TalkPerson, number: int, lines: Lines, until: float) -> None:
    """She writes a line every SEND_EVERY_S, from a random moment of the first."""
    await asyncio.sleep(random.uniform(0, SEND_EVERY_S))  # noqa: S311 - spreading the load
    n = 0
    while time.monotonic() < until:
        line = f"bench line {number}-{n}"
        started = time.monotonic()
        lines.sent_at[line] = started
        status = await _exchange(person.browser.port, _send_request(person, line, f"{number}-{n}"))
        lines.posts.append(time.monotonic() - started)
        if status != 201:
            lines.refused += 1
        n += 1
        await asyncio.sleep(max(0.0, started + SEND_EVERY_S - time.monotonic()))


def _newest_conversation(app) -> int:
    from core.model import Conversation
    from web.db import db

    with app.app_context():
        found = db.session.scalar(select(Conversation.id).order_by(Conversation.id.desc()))
        db.session.rollback()
    return found


def _live_rss(live: Server) -> float:
    return sum(rss_mib(pid) for pid in live.worker_pids())


async def _settle(streams: list[AsyncEventStream], timeout: float = 60) -> int:
    """Wait until every stream answered once; returns how many did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(stream.statuses for stream in streams):
            break
        await asyncio.sleep(0.2)
    return sum(bool(stream.statuses) for stream in streams)


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Cpu:
    """CPU seconds the servers (and this client) use between two moments."""

    def __init__(self, pages: Server, live: Server) -> None:
        self._groups = {
            "page workers": pages.worker_pids,
            "live workers": live.worker_pids,
            "PostgreSQL (all on the machine)": lambda: pids_named("postgres"),
            "Redis": lambda: pids_named("redis-server"),
            "this client": lambda: [os.getpid()],
        }
        self._start = self._now()
        self._started = time.monotonic()

    def _now(self) -> dict[str, float]:
        used = {name: sum(map(cpu_seconds, pids())) for name, pids in self._groups.items()}
        return used | {"the whole machine": _machine_busy_seconds()}

    def used(self) -> str:
        elapsed = time.monotonic() - self._started
        now = self._now()
        return ", ".join(f"{name} {(now[name] - self._start[name]) / elapsed:.2f}" for name in now)


@dataclass
class Result:
    idle: Pages
    busy: Pages
    lines: Lines
    rss_idle: float
    rss_open: float
    streams: int
    connected: int
    drops: int
    not_ok: int
    cpu_idle: str
    cpu_busy: str


async def _scenario(pages: Server, live: Server, app, members: list[TalkMember]) -> Result:
    loop = asyncio.get_running_loop()
    tasks: dict[AsyncEventStream, asyncio.Task] = {}

    def hold(stream: AsyncEventStream) -> AsyncEventStream:
        tasks[stream] = asyncio.create_task(stream.run())
        return stream

    boards = [
        hold(AsyncEventStream(live.port, m.events_path, m.browser.headers())) for m in members
    ]
    await _settle(boards)
    # Warm up both servers' workers (templates, connections) before measuring.
    await _portal_pages(pages.port, 3)
    await asyncio.sleep(2)
    rss_idle = _live_rss(live)
    cpu = Cpu(pages, live)
    idle = await _portal_pages(pages.port, MEASURE_S)
    cpu_idle = cpu.used()

    # The 50 who will write start one by one (each then has a known id), the
    # others in parallel; each opens her stream as soon as she started.
    people: list[TalkPerson] = []
    streams: list[AsyncEventStream] = list(boards)
    ids: list[int] = []

    def start(n: int) -> TalkPerson:
        person = TalkPerson(pages.port, address=f"10.{n // 250}.{n % 250}.{n % 7 + 1}")
        person.start()
        return person

    def listen(person: TalkPerson) -> None:
        people.append(person)
        streams.append(
            hold(AsyncEventStream(live.port, person.events_path, person.browser.headers()))
        )

    with ThreadPoolExecutor(max_workers=STARTING_AT_ONCE) as pool:
        for n in range(ACTIVE):
            listen(await loop.run_in_executor(pool, start, n))
            ids.append(await loop.run_in_executor(pool, _newest_conversation, app))
        waiting = list(range(ACTIVE, CONVERSATIONS))
        for first in range(0, len(waiting), STARTING_AT_ONCE):
            chunk = waiting[first : first + STARTING_AT_ONCE]
            for person in await asyncio.gather(
                *(loop.run_in_executor(pool, start, n) for n in chunk)
            ):
                listen(person)
        lines = Lines()
        for n, conversation_id in enumerate(ids):
            member = members[n % len(members)]
            await loop.run_in_executor(pool, member.take, conversation_id)
            streams.append(
                hold(
                    AsyncEventStream(
                        live.port,
                        member.conversation_events(conversation_id),
                        member.browser.headers(),
                        lines.on_member_event,
                    )
                )
            )
    connected = await _settle(streams)
    if not BOARDS:
        for board in boards:
            tasks[board].cancel()
    await asyncio.sleep(5)
    rss_open = _live_rss(live)
    cpu = Cpu(pages, live)

    until = time.monotonic() + MEASURE_S
    writers = [
        asyncio.create_task(_writes(person, n, lines, until))
        for n, person in enumerate(people[:ACTIVE])
    ]
    busy = await _portal_pages(pages.port, MEASURE_S)
    await asyncio.gather(*writers)
    cpu_busy = cpu.used()
    # The last lines on their way: a line that does not come counts as missing.
    deadline = time.monotonic() + ARRIVAL_WAIT_S
    while len(lines.arrived) < len(lines.sent_at) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    rss_open = max(rss_open, _live_rss(live))
    for task in tasks.values():
        task.cancel()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    return Result(
        idle=idle,
        busy=busy,
        lines=lines,
        rss_idle=rss_idle,
        rss_open=rss_open,
        streams=len(streams),
        connected=connected,
        drops=sum(stream.drops for stream in streams),
        not_ok=sum(any(status != 200 for status in s.statuses) for s in streams),
        cpu_idle=cpu_idle,
        cpu_busy=cpu_busy,
    )


# -- setting up, printing -----------------------------------------------------------


def _seed(database_url: str, data_key: str, centre_file: Path, workdir: Path):
    """Migrate, load the always-open centre, add the members; the app reads ids back."""
    from app import create_app
    from core.infra.migrations import upgrade
    from core.network.centres import NETWORK_EXTENSION, ensure_centres
    from web.db import db

    app = create_app(
        {
            "FJC_ENV": "test",
            "FJC_DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "FJC_DATA_KEYS": [data_key],
            "FJC_INDEX_KEY": "test-index-key",
            "INSTANCE_DIR": str(workdir),
            "FJC_CENTRE_FILE": str(centre_file),
        }
    )
    with app.app_context():
        upgrade(db.get_engine())
        with db.writing() as session:
            ensure_centres(session, app.extensions[NETWORK_EXTENSION])
    names = [f"Member{n}" for n in range(MEMBERS)]
    return app, add_members(app, names, PASSWORD)


def _postgres() -> tuple[str, object, str] | None:
    from core.infra.db import make_engine

    base = os.environ.get("FJC_TEST_DATABASE_URL") or DEFAULT_PG_URL
    try:
        admin = make_engine(base)
        schema = f"fjc_bench_talk_{secrets.token_hex(4)}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - reported, then skipped
        print(f"\ntalk: skipped, PostgreSQL at {base} is not reachable ({type(exc).__name__})")
        return None
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), admin, schema


def _redis() -> str | None:
    import redis

    url = os.environ.get("FJC_BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - reported, then skipped
        print(f"\ntalk: skipped, Redis at {url} is not reachable ({type(exc).__name__})")
        return None
    finally:
        client.close()
    return url


def _verdict(ok: bool) -> str:
    return "meets" if ok else "misses"


def _print(result: Result, live: Server) -> None:
    idle_p95 = _percentile(result.idle.latencies, 0.95)
    busy_p95 = _percentile(result.busy.latencies, 0.95)
    growth = busy_p95 / idle_p95 - 1
    latencies = result.lines.latencies()
    latency_p95 = _percentile(latencies, 0.95)
    sent = len(result.lines.sent_at)
    missing = sent - len(result.lines.arrived)
    per_conversation = (result.rss_open - result.rss_idle) / CONVERSATIONS
    print(
        f"  portal pages ({' and '.join(PAGES)}, {PAGE_RATE}/s for {MEASURE_S} s):\n"
        f"    without conversations           {_ms(result.idle.latencies)}"
        f" ({len(result.idle.latencies)} answered, {result.idle.failed} failed)\n"
        f"    with {CONVERSATIONS} open, {ACTIVE} active        {_ms(result.busy.latencies)}"
        f" ({len(result.busy.latencies)} answered, {result.busy.failed} failed)"
    )
    print(
        f"  person -> team, POST sent to the member's stream: {_ms(latencies)}"
        f" ({sent} lines, {missing} not arrived within {ARRIVAL_WAIT_S} s, "
        f"{result.lines.refused} refused)"
    )
    print(f"  sending a line (the POST answered): {_ms(result.lines.posts)}")
    print(f"  CPU cores used without conversations: {result.cpu_idle}")
    print(f"  CPU cores used with them: {result.cpu_busy}")
    print(
        f"  streams: {result.connected} of {result.streams} connected, {result.drops} broken, "
        f"{result.not_ok} answered other than 200"
    )
    print(
        f"  live server memory (VmRSS, {len(live.worker_pids())} workers): "
        f"{result.rss_idle:.0f} MiB with the team's lists, {result.rss_open:.0f} MiB with "
        f"{CONVERSATIONS} open: {per_conversation * 1024:.0f} KiB per open conversation"
    )
    print(f"  portal p95 grows <= 50 %: {_verdict(growth <= PAGE_GROWTH_MAX)} ({growth:+.0%})")
    print(
        f"  latency p95 < 1 s: {_verdict(latency_p95 < LATENCY_P95_MAX_S and missing == 0)}"
        f" ({latency_p95 * 1000:.0f} ms)"
    )


def _print_errors(pages: Server, live: Server) -> None:
    for server, name in ((pages, "page server"), (live, "live server")):
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        failed = log.count('"status": 5')
        tracebacks = log.count("Traceback")
        if failed or tracebacks:
            print(f"  {name}: {failed} answers 5xx, {tracebacks} tracebacks in its log")
        if tracebacks:
            first = log[log.index("Traceback") :].splitlines()
            ends = next((n for n, line in enumerate(first) if line and line[0] not in " T"), 20)
            print("    the first: " + "\n    ".join(first[max(0, ends - 3) : ends + 1]))


def _run(database_url: str, redis_url: str, workdir: Path) -> None:
    data_key = Fernet.generate_key().decode()
    centre_file = always_open_centre_file(workdir / "centre.json")
    app, accounts = _seed(database_url, data_key, centre_file, workdir)
    env = production_env(database_url, data_key, redis_url=redis_url)
    env["FJC_RATELIMIT_ENABLED"] = "false"
    env["FJC_CENTRE_FILE"] = str(centre_file)
    pages = Server(env, workers=PAGE_WORKERS, log_path=workdir / "pages.log")
    live = None
    try:
        live = Server(env, workers=2, log_path=workdir / "live.log", config=LIVE_CONFIG)
        members = []
        for n, (email, code) in enumerate(accounts):
            member = TalkMember(pages.port, address=f"198.51.100.{200 + n}")
            member.sign_in(email, PASSWORD, code)
            member.set_available()
            members.append(member)
        lists = "open" if BOARDS else "closed while measuring"
        print(
            f"\ntalk on PostgreSQL + Redis: page server {PAGE_WORKERS} sync workers "
            f"(gunicorn.conf.py), live server 2 workers x 250 threads (gunicorn.live.conf.py), "
            f"{MEMBERS} members with the talk list {lists}; "
            f"load average {os.getloadavg()[0]:.1f} at the start"
        )
        result = asyncio.run(_scenario(pages, live, app, members))
        _print(result, live)
        _print_errors(pages, live)
        if os.environ.get("FJC_BENCH_KEEP_LOGS"):
            for server in (pages, live):
                shutil.copy(server.log_path, Path(os.environ["FJC_BENCH_KEEP_LOGS"]))
    finally:
        if live is not None:
            live.stop()
        pages.stop()
        with app.app_context():
            from web.db import db

            db.get_engine().dispose()


def main() -> None:
    redis_url = _redis()
    postgres = _postgres() if redis_url else None
    if postgres is None:
        return
    url, admin, schema = postgres
    workdir = Path(tempfile.mkdtemp(prefix="fjc-talk-"))
    try:
        _run(url, redis_url, workdir)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
