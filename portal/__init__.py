"""The public portal: low-threshold, multilingual, safe on a shared phone."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal import views  # noqa: F401 - registers every view on the blueprint
    from portal.blueprint import bp

    app.register_blueprint(bp)
