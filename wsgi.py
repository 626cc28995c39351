"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi <command>`."""

from app import create_app
from core.infra.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One line for the operator instead of a traceback.
    raise SystemExit(f"FJC configuration error: {exc}") from None
