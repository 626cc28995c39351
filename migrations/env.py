"""Alembic environment: runs against the engine the app (or a test) hands over."""

from alembic import context
from sqlalchemy.types import TypeDecorator

from core.infra.db import BEGIN_IMMEDIATE_OPTION
from core.model import Base

config = context.config


def render_item(kind, obj, _autogen_context):
    """Write our column types as their plain SQL types, so a revision never
    depends on model code that may change after it was written."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    # Immediate write transactions on SQLite, as for every other write.
    engine = engine.execution_options(**{BEGIN_IMMEDIATE_OPTION: True})
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `flask --app wsgi migrate`")
run_migrations_online()
