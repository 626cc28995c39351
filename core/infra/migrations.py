"""Alembic, driven from code: no alembic.ini, the app's engine is the source."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from core.infra.config import PROJECT_ROOT

SCRIPT_LOCATION = PROJECT_ROOT / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def refresh_statistics(engine: Engine) -> None:
    """Table statistics for the query planner. SQLite keeps none until ANALYZE
    runs, and then plans one centre's queue among nine by guesswork (0.8 s
    instead of 0.09 s in bench/scale.py); PostgreSQL's autovacuum keeps its own,
    and an ANALYZE after a migration only brings them up to date sooner."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
