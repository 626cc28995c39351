"""Production serving: `gunicorn -c gunicorn.conf.py wsgi:app` (make serve-prod).

Command-line options win over this file (`-b 0.0.0.0:8000`, `-w 8`).
docs/performance.md has the measurements behind these numbers.
"""

import os

# Where to listen; behind a reverse proxy on the same host, loopback is enough.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time per process. The work is CPU-bound
# (templates, Fernet, an argon2id hash at sign-in), so more threads would only
# queue on the GIL. It also bounds memory: at most `workers` argon2 hashes
# (64 MiB each) run at once, however many people sign in together.
# WEB_CONCURRENCY is gunicorn's usual variable for the count.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"

# Longer than SQLite's busy_timeout (15 s), so a worker waiting for the write
# lock is not killed while it waits; short enough that a stuck worker is replaced.
timeout = 30
graceful_timeout = 30
# Sync workers close the connection after each response; the proxy keeps the
# clients' connections open.
keepalive = 2

# A worker is replaced, gracefully, after about this many requests: a slow
# leak cannot grow without bound. The jitter keeps workers from all restarting
# at once. A new worker costs about a second of a core (imports, create_app);
# at the portal's measured peak (about 300 pages a second per worker) 5,000
# meant a restart every 17 s, a sixth of the load benchmark's return visits.
max_requests = 50000
max_requests_jitter = 5000

# No --preload: create_app builds the database engine and the rate-limit
# storage client, and their connections must not be shared across fork().
# Loading in each worker also lets `kill -HUP` pick up new code.
preload_app = False

# gunicorn 25.1+ opens a control socket at one path per user; a second
# master on the host (the live server, a second instance in the tests) would
# take it over. The server is run with signals (HUP, TERM), as before.
control_socket_disable = True

# The app alone reads X-Forwarded-* (FJC_PROXY_COUNT, werkzeug's ProxyFix), so
# gunicorn must not turn X-Forwarded-Proto into https on its own.
secure_scheme_headers = {}

# Errors to stderr; no access log: the app writes its own request lines, which
# leave out addresses and paths (web/logs.py).
accesslog = None
errorlog = "-"
loglevel = "info"


def on_starting(server):
    """Build the app once, before any worker, so a configuration error (or
    keys that cannot open the data) stops gunicorn at once with one line and
    exit status 3. Left to the workers, several fail together and gunicorn's
    halt can race with itself into a traceback and status 1.

    In a child process, not in the master: a master that imported the app
    would hand its modules to every worker it forks, so `kill -HUP` would keep
    running the old code, and its database connections would cross fork()."""
    if getattr(server.app, "app_uri", None) != "wsgi:app":
        return  # another app (bench.minimal_app): nothing of ours to check
    import subprocess
    import sys

    # wsgi.py prints the one line itself and exits 3 on a configuration error.
    checked = subprocess.run([sys.executable, "-c", "import wsgi"], check=False)  # noqa: S603
    if checked.returncode != 0:
        sys.exit(3)
