from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.infra.db import make_engine
from core.infra.migrations import downgrade, upgrade
from core.model import Base


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_go_up_and_down_and_match_the_models(backend):
    engine = make_engine(backend.new_database_url())
    try:
        upgrade(engine)
        assert _tables(engine) == set(Base.metadata.tables)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        downgrade(engine, "base")
        assert _tables(engine) == set()
        upgrade(engine)
        assert _tables(engine) == set(Base.metadata.tables)
    finally:
        engine.dispose()
