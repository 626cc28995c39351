"""The live server: `gunicorn -c gunicorn.live.conf.py wsgi:app` (make serve-live).

It serves only the event streams of "Talk now" (the proxy sends it
`/<lang>/talk/events`, `/staff/talk/events` and `/staff/talk/<id>/events`;
deploy/nginx/fjc-site.conf), beside the page server of gunicorn.conf.py:
the same app, other workers. A stream holds its connection for up to
FJC_TALK_STREAM_SECONDS while it mostly waits, which would take a sync page
worker away from everyone else (ADR 0034).

Command-line options win over this file (`-b 127.0.0.1:8001`, `-w 4`).
docs/performance.md has the measurements behind these numbers.
"""

import os
import runpy
from pathlib import Path

# The rules that hold for every gunicorn of ours (no --preload, gunicorn
# trusts no X-Forwarded-* header itself, the configuration check at start)
# are read from the page server's file, so they cannot drift apart.
_pages = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))

# Beside the page server (GUNICORN_BIND, 127.0.0.1:8000), on loopback.
bind = os.environ.get("GUNICORN_LIVE_BIND", "127.0.0.1:8001")

# Threads: a stream is a thread that waits on a condition (web/live.py) and
# wakes for a signal to read a few rows; the GIL is free while it waits, so
# one process holds hundreds. Two processes: one per core for the short
# bursts of work, and a killed worker drops only half of the streams (the
# browsers come back with Last-Event-ID, to the other one at once).
workers = int(os.environ.get("LIVE_WORKERS") or 2)
worker_class = "gthread"
threads = int(os.environ.get("LIVE_THREADS") or 250)
# A gthread worker accepts up to worker_connections and queues the requests
# its threads cannot take, without bound: a stream accepted by a full worker
# would wait there until another stream ends. With no more connections than
# threads, a full worker stops accepting and the next stream waits in the
# listen queue for whichever worker has a free thread.
worker_connections = threads
# A stream holds no database connection while it waits, only during a look
# (web/live.py); but with hundreds of threads looking after one signal, five
# pooled connections make most of them queue. The workers inherit this.
os.environ.setdefault("FJC_DATABASE_POOL_SIZE", "20")
# The proxy closes each upstream connection after its answer, and a stream
# is one long answer: no connection waits idle for a next request here.
keepalive = 0

# The pages come first when both want the CPU: a person waits for the page
# she opened, while a line may take a little longer to arrive (its target
# is a second). The live workers run this much nicer than the page workers
# (0: the same priority). Measured with 300 open conversations on 2 cores
# (bench/talk.py): at 10 the portal's p95 stays within its 50 % and lines
# still arrive in well under a second. docs/performance.md, section Talk now.
_worker_nice = int(os.environ.get("LIVE_NICE") or 10)


def post_fork(server, worker):
    if _worker_nice:
        os.nice(_worker_nice)


# Not a bound on a stream: a gthread worker tells the master it is alive from
# its own loop, whatever its threads are doing. A stream ends by itself after
# FJC_TALK_STREAM_SECONDS (default 60) and the browser opens the next one.
timeout = 30
# On a restart (kill -HUP, a deploy) streams still open after this long are
# cut; each browser reconnects within a second with its Last-Event-ID.
graceful_timeout = 10

# Each stream is one request, and a stream of 60 s comes back every minute:
# with 300 open conversations a worker is replaced, gracefully, about every
# half hour, which also bounds the hub's record of the channels it has seen.
max_requests = _pages["max_requests"]
max_requests_jitter = _pages["max_requests_jitter"]

# gunicorn 25.1+ opens a control socket at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl); the page
# server's master beside it uses that path, and a second master there would
# take it over. The live server is run with signals (HUP, TERM), as the pages.
control_socket_disable = True

preload_app = _pages["preload_app"]
secure_scheme_headers = _pages["secure_scheme_headers"]
accesslog = _pages["accesslog"]
errorlog = _pages["errorlog"]
loglevel = _pages["loglevel"]
on_starting = _pages["on_starting"]
