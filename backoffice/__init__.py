"""The back office for the FJC team. Every route denies by default."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from backoffice import views  # noqa: F401 - registers every view on the blueprint
    from backoffice.blueprint import bp

    app.register_blueprint(bp)
