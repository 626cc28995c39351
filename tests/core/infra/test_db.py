import threading

from sqlalchemy import Column, Integer, MetaData, Table, func, select, text

from core.infra.db import Sessions, make_engine
from core.intake.intakes import SafeContact, Submission, submit
from core.model import Intake, IntakeKind
from web.db import db


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def test_concurrent_read_then_write_transactions_never_hit_database_is_locked(tmp_path):
    """Each transaction reads, then writes: the pattern that fails with a deferred
    BEGIN under concurrency. With BEGIN IMMEDIATE every one of them commits."""
    engine = make_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    metadata = MetaData()
    counter = Table(
        "counter", metadata, Column("id", Integer, primary_key=True), Column("n", Integer)
    )
    metadata.create_all(engine)
    bound = Sessions(engine)
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work():
        start.wait()
        for _ in range(per_thread):
            session = bound.session(writing=True)
            try:
                seen = session.execute(select(func.count()).select_from(counter)).scalar_one()
                session.execute(counter.insert().values(n=seen))
                session.commit()
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
                session.rollback()
            finally:
                session.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with engine.connect() as connection:
        rows = connection.execute(select(counter.c.n).order_by(counter.c.n)).scalars().all()
    # Serialised: each transaction saw every earlier one, so the counts are 0..N-1.
    assert rows == list(range(threads * per_thread))
    engine.dispose()


def test_concurrent_submissions_are_all_stored_once(app):
    threads, per_thread = 6, 10
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(worker: int):
        start.wait()
        for n in range(per_thread):
            with app.app_context():
                try:
                    with db.writing() as session:
                        submit(
                            session,
                            Submission(
                                kind=IntakeKind.CONTACT,
                                language="nl",
                                contact=SafeContact(email=f"w{worker}n{n}@example.be"),
                                submission_id=f"{worker}-{n}",
                            ),
                        )
                except BaseException as exc:  # noqa: BLE001 - asserted below
                    errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with app.app_context():
        emails = sorted(db.session.scalars(select(Intake.email)))
    assert emails == sorted(
        f"w{w}n{n}@example.be" for w in range(threads) for n in range(per_thread)
    )
