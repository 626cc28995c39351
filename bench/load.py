"""Load: wrk (Debian's package) replays recorded journeys against gunicorn with
the production settings (gunicorn.conf.py, FJC_ENV=production behind one
proxy), taking turns with a minimal Flask app served the same way: the ceiling
of this machine. Each scenario runs in FJC_BENCH_ROUNDS slices (3), each right
after a slice of the ceiling as long. Prints requests per second and p50/p95/
p99 latency (medians of the slices), the ratio to the ceiling (the median of
the slices' ratios, and their lowest and highest), the peak resident memory of
a worker (VmHWM), and the peak memory after a burst of simultaneous sign-ins
(argon2id).

Runs on SQLite, and on PostgreSQL too when FJC_TEST_DATABASE_URL (default: the
test database on 127.0.0.1) answers. Rate limits are off (FJC_RATELIMIT_ENABLED=
false): all the load comes from one address. `python -m bench.load`.

FJC_BENCH_SECONDS sets the duration of each scenario; FJC_BENCH_ONLY (words,
comma-separated, e.g. "doors,return") runs only the scenarios whose label
holds one of them, and FJC_BENCH_BACKENDS ("SQLite", "PostgreSQL") only
those backends: for comparing two versions of one part.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography.fernet import Fernet

from bench.harness import postgres_schema
from bench.serving import (
    DOORS,
    Browser,
    Server,
    door_fields,
    peak_rss_mib,
    production_env,
)

DURATION_S = int(os.environ.get("FJC_BENCH_SECONDS", "10"))
# Each scenario's time is cut into this many slices, each right after a slice
# of the ceiling of the same length: the machine's speed drifts within a run
# (its ceiling moved 5,800 -> 7,200 a second in one session), and a ratio of
# two figures measured a minute apart took that drift for the app's.
ROUNDS = max(1, int(os.environ.get("FJC_BENCH_ROUNDS", "3")))
ONLY = [word for word in os.environ.get("FJC_BENCH_ONLY", "").split(",") if word]
BACKENDS = [word for word in os.environ.get("FJC_BENCH_BACKENDS", "").split(",") if word]
CONNECTIONS = 16
VISITORS = 32
RETURNING = 100  # requests made beforehand, whose codes the return visits use
BACKGROUND = 2_000  # closed requests, so the queue is not empty
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway bench account

LUA = r"""
local entries = {ENTRIES}
-- Each wrk run counts from 1 again: the run's own prefix keeps its
-- submission ids apart from an earlier slice's (a repeated id is a replay).
local run = "{RUN}"
local i = 0
local n = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("tid", made)
end
function request()
  i = i % #entries + 1
  n = n + 1
  local e = entries[i]
  local body = e[4]
  if body ~= nil then body = body:gsub("__SID__", run .. "t" .. tid .. "-" .. n) end
  return wrk.format(e[1], e[2], e[3], body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FJC-RESULT %d %d %d %d %f %f %f\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def _script(entries: list[tuple[str, str, dict[str, str], str | None]]) -> str:
    rendered = []
    for method, path, headers, body in entries:
        header_lua = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()
        )
        body_lua = _lua_string(body) if body is not None else "nil"
        rendered.append(
            f"{{{_lua_string(method)}, {_lua_string(path)}, {{{header_lua}}}, {body_lua}}}"
        )
    entries_lua = "{" + ",\n".join(rendered) + "}"
    return LUA.replace("{RUN}", secrets.token_hex(4)).replace("{ENTRIES}", entries_lua)


def _headers(browser: Browser, path: str | None = None) -> dict[str, str]:
    headers = {
        "X-Forwarded-For": browser.client_address,
        "X-Forwarded-Proto": "https",
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
    }
    if path is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"https://127.0.0.1:{browser.port}{path}"
    return headers


def _form(fields: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(fields)


def _wrk(port: int, entries, workdir: Path, seconds: int = DURATION_S) -> dict[str, float]:
    script = workdir / f"s{secrets.token_hex(4)}.lua"
    script.write_text(_script(entries), encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    found = re.search(r"FJC-RESULT (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)", result.stdout)
    if not found:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    requests, duration_us, broken, status_errors, p50, p95, p99 = map(float, found.groups())
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
        "errors": broken + status_errors,
    }


def _peak_worker_mib(server: Server) -> float:
    return max(_worker_peaks(server))


def _worker_peaks(server: Server) -> tuple[float, float]:
    """The lowest and the highest peak resident memory among the workers: a
    worker that verified a password has reached argon2's 64 MiB, others not."""
    peaks = [peak_rss_mib(pid) or 0.0 for pid in server.worker_pids()]
    return min(peaks), max(peaks)


def _seed(database_url: str, data_key: str, workdir: Path) -> tuple[list[str], list[int], str]:
    """seed_data() in an app of its own on `database_url`."""
    from app import create_app
    from web.db import db

    app = create_app(
        {
            "FJC_ENV": "test",
            "FJC_DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "FJC_DATA_KEYS": [data_key],
            "FJC_INDEX_KEY": "test-index-key",
            "INSTANCE_DIR": str(workdir),
        }
    )
    seeded = seed_data(app)
    with app.app_context():
        db.get_engine().dispose()
    return seeded


def seed_data(app) -> tuple[list[str], list[int], str]:
    """Migrate, add the centre, BACKGROUND closed requests, RETURNING open ones
    with known codes and a coordinator with a second factor, and refresh the
    planner's statistics; return the codes, the open requests' ids and a
    recovery code."""
    from sqlalchemy import insert, select

    from core.identity import two_factor
    from core.identity.staff import create_staff
    from core.infra import clock
    from core.infra.migrations import refresh_statistics, upgrade
    from core.intake.intakes import SafeContact, Submission, submit
    from core.intake.return_codes import display
    from core.model import Centre, Intake, IntakeKind, IntakeStatus
    from core.network.centres import ensure_default_centre
    from web.db import db

    with app.app_context():
        upgrade(db.get_engine())
        with db.writing() as session:
            ensure_default_centre(session)
            centre_id = session.scalar(select(Centre.id))
            session.execute(
                insert(Intake),
                [
                    {
                        "centre_id": centre_id,
                        "kind": IntakeKind.CONTACT,
                        "status": IntakeStatus.CLOSED,
                        "language": "nl",
                        "danger_now": False,
                        "return_code_key": f"bench-{n}",
                    }
                    for n in range(BACKGROUND)
                ],
            )
            codes, ids = [], []
            for n in range(RETURNING):
                intake, code = submit(
                    session,
                    Submission(
                        kind=IntakeKind.CONTACT,
                        language="nl",
                        contact=SafeContact(email=f"r{n}@example.be"),
                        story="Bench request",
                    ),
                )
                session.flush()
                codes.append(display(code))
                ids.append(intake.id)
            staff = create_staff(
                session,
                email="bench@fjc.example",
                name="Bench",
                role="coordinator",
                password=PASSWORD,
            )
            two_factor.begin_enrolment(staff)
            staff.totp_confirmed_at = clock.now()
            recovery = two_factor.new_recovery_codes(session, staff)[0]
        # As a running installation has them: `migrate` ends with ANALYZE at
        # every deploy, and PostgreSQL's autovacuum analyses a table within a
        # minute of this many writes. Without them the first slices of a run
        # were planned by guesswork (PostgreSQL scanned the centre's 2,100
        # requests for its 100 open ones, 0.51 ms instead of 0.26) and later
        # ones, after autovacuum woke, were not.
        refresh_statistics(db.get_engine())
    return codes, ids, recovery


def _scenarios(port: int, codes: list[str], ids: list[int], recovery: str):
    visitors = []
    for n in range(VISITORS):
        browser = Browser(port, client_address=f"198.51.100.{n + 1}")
        tokens = {door: browser.csrf_token(f"/nl/{door}") for door in DOORS}
        tokens["return"] = browser.csrf_token("/nl/return")
        visitors.append((browser, tokens))
    staff = Browser(port, client_address="198.51.100.200")
    token = staff.csrf_token("/staff/login")
    staff.post(
        "/staff/login", {"csrf_token": token, "email": "bench@fjc.example", "password": PASSWORD}
    )
    token = staff.csrf_token("/staff/login/code")
    status, _ = staff.post("/staff/login/code", {"csrf_token": token, "code": recovery})
    if status != 302:
        raise RuntimeError(f"bench staff could not sign in ({status})")

    pages = ["/nl/", "/nl/contact", "/nl/question", "/nl/referral", "/nl/return", "/nl/safety"]
    portal = [("GET", p, _headers(b), None) for b, _ in visitors for p in pages]

    def door_post(browser, tokens, door):
        fields = {"csrf_token": tokens[door], "submission_id": "__SID__"}
        fields |= door_fields(door, "bench-__SID__")
        return ("POST", f"/nl/{door}", _headers(browser, f"/nl/{door}"), _form(fields))

    doors = [door_post(b, t, door) for b, t in visitors for door in DOORS]

    def return_post(n, browser, tokens):
        body = _form({"csrf_token": tokens["return"], "code": codes[n % len(codes)]})
        return ("POST", "/nl/return", _headers(browser, "/nl/return"), body)

    returns = []
    for n, (browser, tokens) in enumerate(visitors):
        returns += [("GET", "/nl/return", _headers(browser), None), return_post(n, browser, tokens)]
    queue = []
    for n in range(20):
        queue += [
            ("GET", "/staff/", _headers(staff), None),
            ("GET", f"/staff/?page={n % 3 + 1}", _headers(staff), None),
            ("GET", f"/staff/intakes/{ids[n]}", _headers(staff), None),
        ]
    # A visitor's journey: landing, the form, sending it, coming back with a code;
    # now and then a staff member looks at the queue.
    journey = []
    for n, (browser, tokens) in enumerate(visitors):
        door = DOORS[n % 3]
        journey += [
            ("GET", "/nl/", _headers(browser), None),
            ("GET", f"/nl/{door}", _headers(browser), None),
            door_post(browser, tokens, door),
            ("GET", "/nl/return", _headers(browser), None),
            return_post(n, browser, tokens),
            ("GET", "/staff/", _headers(staff), None),
        ]
    # The queue before the doors: each door's POST adds an open request, and
    # after 10 s of doors the queue would rank thousands, not the seeded 100
    # (its figure then followed the doors' speed, not its own).
    return [
        ("portal pages (6 GETs)", portal),
        ("staff queue + request", queue),
        ("the three doors (POST)", doors),
        ("return visits", returns),
        ("mixed journey", journey),
    ]


def _login_burst(server: Server) -> float:
    """2 x workers sign-ins at the same moment (unknown e-mails: the same argon2
    work as a real one); the peak resident memory of a worker afterwards."""
    count = 2 * server.workers
    prepared = []
    for n in range(count):
        browser = Browser(server.port, client_address=f"198.51.100.{150 + n}")
        prepared.append((browser, browser.csrf_token("/staff/login")))

    def _login(item):
        browser, token = item
        fields = {"csrf_token": token, "email": f"nobody{secrets.token_hex(3)}@x.be"}
        return browser.post("/staff/login", fields | {"password": "wrong password, long"})[0]

    with ThreadPoolExecutor(max_workers=count) as pool:
        statuses = list(pool.map(_login, prepared))
    assert all(status == 200 for status in statuses), statuses
    return _peak_worker_mib(server)


# Issue #22's targets: a share of the ceiling, or acknowledged requests a
# second (the doors, per backend). None: measured, no target.
SHARE_TARGETS = {
    "portal pages (6 GETs)": 0.25,
    "return visits": 0.25,
    "staff queue + request": 0.08,
}
DOOR_TARGETS = {"SQLite": 300, "PostgreSQL": 400}
DOORS_LABEL = "the three doors (POST)"


def _verdict(backend: str, label: str, rps: float, ratio: float) -> str:
    if label in SHARE_TARGETS:
        target = SHARE_TARGETS[label]
        return f"{'meets' if ratio >= target else 'misses'} >= {target:.0%} of the ceiling"
    if label == DOORS_LABEL:
        target = DOOR_TARGETS[backend]
        return f"{'meets' if rps >= target else 'misses'} >= {target}/s"
    return ""


def _median_figures(slices: list[dict[str, float]]) -> dict[str, float]:
    """The slices' medians; errors added up."""
    merged = {key: statistics.median(s[key] for s in slices) for key in slices[0]}
    merged["errors"] = sum(s["errors"] for s in slices)
    return merged


CEILING_ENTRIES = [("GET", "/", {}, None)]


def _paired(app_port: int, entries, ceiling_port: int, workdir: Path):
    """ROUNDS slices of the ceiling, each followed by a slice of the scenario
    as long: the scenario's figures (medians of its slices), the ratio of
    each slice to the ceiling's slice just before it, and the ceiling's slices."""
    seconds = max(1, round(DURATION_S / ROUNDS))
    ceilings, slices = [], []
    for _ in range(ROUNDS):
        ceilings.append(_wrk(ceiling_port, CEILING_ENTRIES, workdir, seconds))
        slices.append(_wrk(app_port, entries, workdir, seconds))
    ratios = [s["rps"] / c["rps"] for s, c in zip(slices, ceilings, strict=True)]
    return _median_figures(slices), ratios, ceilings


def _print_row(
    label: str, figures: dict[str, float], ratios: list[float] | None, peaks, verdict=""
):
    if ratios:
        ratio = f"{statistics.median(ratios):>7.1%}"
        spread = f"{min(ratios) * 100:>4.0f}-{max(ratios) * 100:<3.0f}"
    else:
        ratio, spread = "      -", "        "
    low, high = peaks
    print(
        f"  {label:<26}{figures['rps']:>8.0f}{figures['p50']:>8.1f}{figures['p95']:>8.1f}"
        f"{figures['p99']:>8.1f}{int(figures['errors']):>7}{ratio}{spread}"
        f"{low:>6.0f}-{high:<6.0f} {verdict}"
    )


def _run_backend(name: str, database_url: str, workdir: Path, workers: int) -> None:
    data_key = Fernet.generate_key().decode()
    codes, ids, recovery = _seed(database_url, data_key, workdir)
    env = production_env(database_url, data_key, redis_url=None)
    env["FJC_RATELIMIT_ENABLED"] = "false"
    # Both served at once, taking turns: the idle one only waits in accept().
    ceiling_server = Server(
        {"FJC_ENV": "production"},
        workers=workers,
        app="bench.minimal_app:app",
        log_path=workdir / "minimal.log",
    )
    server = None
    try:
        server = Server(env, workers=workers, log_path=workdir / f"{name}.log")
        print(
            f"\nload on {name}: wrk, {DURATION_S} s per scenario in {ROUNDS} slices, each "
            f"after as long of the ceiling, {CONNECTIONS} connections, "
            f"{workers} gunicorn sync workers, production settings"
        )
        print(
            f"  {'scenario':<26}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
            f"{'errors':>7}{'ratio':>7}{'slices':>8} {'peak RSS MiB':<13}target"
        )
        all_ceilings = []
        for label, entries in _scenarios(server.port, codes, ids, recovery):
            if ONLY and not any(word in label for word in ONLY):
                continue
            figures, ratios, ceilings = _paired(server.port, entries, ceiling_server.port, workdir)
            all_ceilings += ceilings
            ratio = statistics.median(ratios)
            verdict = _verdict(name, label, figures["rps"], ratio)
            _print_row(label, figures, ratios, _worker_peaks(server), verdict)
        if all_ceilings:
            _print_row(
                "minimal Flask (ceiling)",
                _median_figures(all_ceilings),
                None,
                _worker_peaks(ceiling_server),
                f"median of its {len(all_ceilings)} slices",
            )
        if ONLY:
            return
        peak = _login_burst(server)
        print(
            f"  {2 * workers} sign-ins at once (argon2id, 64 MiB each, at most one per worker): "
            f"peak RSS of a worker {peak:.0f} MiB, all {workers} workers at most "
            f"{peak * workers:.0f} MiB"
        )
    finally:
        if server is not None:
            server.stop()
        ceiling_server.stop()


def main() -> None:
    if shutil.which("wrk") is None:
        print(
            "\nload: skipped, wrk is not installed "
            "(`apt-get install wrk`, or `make bench-load` installs it)"
        )
        return
    workers = 2 * (os.cpu_count() or 1) + 1  # gunicorn.conf.py's default
    workdir = Path(tempfile.mkdtemp(prefix="fjc-load-"))
    try:
        if not BACKENDS or "SQLite" in BACKENDS:
            _run_backend("SQLite", f"sqlite:///{workdir / 'load.sqlite3'}", workdir, workers)
        if BACKENDS and "PostgreSQL" not in BACKENDS:
            return
        with postgres_schema("load") as url:
            if url is not None:
                _run_backend("PostgreSQL", url, workdir, workers)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
