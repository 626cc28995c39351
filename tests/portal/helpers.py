from sqlalchemy import select

from core.model import Municipality
from web.db import db


def municipality_id(app, name: str) -> str:
    with app.app_context():
        return str(
            db.session.scalar(
                select(Municipality.id).where(Municipality.name == name, Municipality.active)
            )
        )
