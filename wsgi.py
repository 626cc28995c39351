"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi <command>`."""

import sys

from app import create_app
from core.infra.config import ConfigError

# Gunicorn stops (instead of starting new workers forever) when a worker exits
# with this status while it boots: a configuration error will not mend itself.
WORKER_BOOT_ERROR = 3

try:
    app = create_app()
except ConfigError as exc:
    # One line for the operator instead of a traceback.
    print(f"FJC configuration error: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(WORKER_BOOT_ERROR) from None
