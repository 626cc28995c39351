"""What the faces share: security headers, CSRF and rate limits, languages, the
Flask binding of the database, request logs, the layout and macros, error pages,
translated labels for the kernel's codes, and charts."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
