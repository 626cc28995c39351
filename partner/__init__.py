"""The partner face: members of partner organisations (police, parket, CAW,
youth care, schools, ...) work inside the case files they are linked to,
seeing only what their organisation's basis allows. Every route denies by
default; it imports neither the portal nor the back office."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from partner import views  # noqa: F401 - registers every view on the blueprint
    from partner.blueprint import bp

    app.register_blueprint(bp)
