"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi <command>`."""

from core import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    # One line for the operator instead of a traceback.
    raise SystemExit(f"FJC configuration error: {exc}") from None
