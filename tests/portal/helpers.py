from sqlalchemy import select

from core.db import db
from core.models import Municipality


def municipality_id(app, name: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Municipality.id).where(Municipality.name == name)))
