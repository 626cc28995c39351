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


def test_0009_gives_each_file_s_victim_her_request_s_rules_and_danger_its_new_weight(backend):
    """Files opened before the one safe-contact record: the first person, the
    victim, points at the oldest request of the file; "danger now" requests
    get the points it is worth now, so they stay on top of the queue."""
    from sqlalchemy import text

    engine = make_engine(backend.new_database_url())
    try:
        upgrade(engine, "0008")
        with engine.begin() as db:
            db.execute(
                text(
                    "INSERT INTO centres (id, slug, name, timezone, created_at) VALUES"
                    " (1, 'c', 'C', 'Europe/Brussels', '2026-11-01 00:00:00+00:00')"
                )
            )
            for intake_id, minutes, danger, points in ((1, 5, True, 120), (2, 1, False, 20)):
                db.execute(
                    text(
                        "INSERT INTO intakes (id, centre_id, kind, status, priority, language,"
                        " danger_now, return_code_key, created_at) VALUES (:id, 1, 'contact',"
                        " 'closed', :points, 'nl', :danger, :key, :at)"
                    ),
                    {
                        "id": intake_id,
                        "points": points,
                        "danger": danger,
                        "key": f"k{intake_id}",
                        "at": f"2026-11-30 09:0{minutes}:00+00:00",
                    },
                )
            db.execute(
                text(
                    "INSERT INTO cases (id, centre_id, year, sequence, number, track, status,"
                    " opened_at) VALUES (1, 1, 2026, 1, '2026-0001', 'track_2', 'open',"
                    " '2026-11-30 10:00:00+00:00')"
                )
            )
            db.execute(text("INSERT INTO case_intakes (case_id, intake_id) VALUES (1, 1), (1, 2)"))
            db.execute(
                text(
                    "INSERT INTO case_people (id, case_id, role, no_direct_contact) VALUES"
                    " (1, 1, 'victim', false), (2, 1, 'child', false)"
                )
            )
        upgrade(engine)
        with engine.connect() as db:
            people = dict(db.execute(text("SELECT id, contact_intake_id FROM case_people")).all())
            points = dict(db.execute(text("SELECT id, priority FROM intakes")).all())
        assert people == {1: 2, 2: None}  # request 2 is the older one
        assert points == {1: 1020, 2: 20}
    finally:
        engine.dispose()
