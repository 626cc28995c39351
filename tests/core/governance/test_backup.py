"""backup / restore: an encrypted, consistent copy taken while the app writes,
and a restore that gives back exactly the rows of that moment."""

import stat
import threading

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text

from core.governance import backup as backup_module
from core.governance.backup import MAGIC, BackupError, backup, restore, server_major
from core.identity.staff import create_staff
from core.infra.db import make_engine
from core.infra.migrations import upgrade
from core.intake.intakes import SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message
from core.model import Base, Intake, IntakeKind
from core.network.centres import ensure_default_centre
from tests.conftest import TEST_DATA_KEY, TEST_PASSWORD, make_test_app
from web.db import db

MARKER = "BACKUP-51d2-marker"
TABLES = [table.name for table in Base.metadata.sorted_tables] + ["alembic_version"]


@pytest.fixture
def fresh_app(backend, tmp_path):
    """An app on a database of its own: restore replaces the whole database."""
    url = backend.new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = make_test_app(url, tmp_path)
    with app.app_context(), db.writing() as session:
        ensure_default_centre(session)
    yield app
    with app.app_context():
        db.get_engine().dispose()


def _write(app, n: int) -> int:
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(
                kind=IntakeKind.CONTACT,
                language="nl",
                contact=SafeContact(name=f"{MARKER} {n}", phone="0470 12 34 56"),
                story=f"story {MARKER} {n}",
            ),
        )
        # Two messages in the same transaction: a torn snapshot would show one.
        add_requester_message(session, intake, f"first {n}")
        add_requester_message(session, intake, f"second {n}")
        return intake.id


def _rows(app) -> dict[str, list[tuple]]:
    """Every table's raw rows (tokens as stored), in primary-key order."""
    with app.app_context():
        engine = db.get_engine()
        with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(text(f"SELECT * FROM {name} ORDER BY 1"))  # noqa: S608
                ]
                for name in TABLES
            }


def _seed(app) -> None:
    for n in range(3):
        _write(app, n)
    with app.app_context(), db.writing() as session:
        create_staff(
            session, email="ann@fjc.example", name="Ann", role="admin", password=TEST_PASSWORD
        )


def test_backup_is_encrypted_private_and_restores_the_same_rows(fresh_app, tmp_path):
    _seed(fresh_app)
    before = _rows(fresh_app)
    path = tmp_path / "fjc.backup"
    runner = fresh_app.test_cli_runner()

    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert f"backup written: {path}" in made.output
    content = path.read_bytes()
    assert content.startswith(MAGIC)
    assert MARKER.encode() not in content and b"ann@fjc.example" not in content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))

    _write(fresh_app, 99)  # written after the backup: a restore must drop it
    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--force" in refused.output

    restored = runner.invoke(args=["restore", str(path), "--force"])
    assert restored.exit_code == 0, restored.output
    after = _rows(fresh_app)
    audit_rows = after.pop("audit_events")
    assert after == {name: rows for name, rows in before.items() if name != "audit_events"}
    # The restore itself is the one event added on top of the backup's trail.
    assert audit_rows[: len(before["audit_events"])] == before["audit_events"]
    assert len(audit_rows) == len(before["audit_events"]) + 1
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 3
        assert db.session.get(Intake, 1).story == f"story {MARKER} 0"
        db.session.close()
    # Sequences came back too: the next request gets a new id, not a clash.
    assert _write(fresh_app, 100) == 4


def test_a_database_with_only_reference_data_is_restored_without_force(
    fresh_app, backend, tmp_path
):
    _seed(fresh_app)
    path = tmp_path / "fjc.backup"
    with fresh_app.app_context():
        backup(db.get_engine(), [TEST_DATA_KEY], path)
        before = _rows(fresh_app)
        with db.writing() as session:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in {"centres", "municipalities"}:
                    session.execute(table.delete())
        restore(db.get_engine(), [TEST_DATA_KEY], path)
    assert _rows(fresh_app) == before


def test_restore_refuses_a_file_it_cannot_decrypt_or_that_is_not_a_backup(fresh_app, tmp_path):
    _seed(fresh_app)
    path = tmp_path / "fjc.backup"
    with fresh_app.app_context():
        backup(db.get_engine(), [TEST_DATA_KEY], path)
    other_key = Fernet.generate_key().decode("ascii")
    stranger = make_test_app(
        fresh_app.config["FJC_DATABASE_URL"], tmp_path, FJC_DATA_KEYS=[other_key]
    )
    try:
        result = stranger.test_cli_runner().invoke(args=["restore", str(path), "--force"])
        assert result.exit_code == 1
        assert "cannot be decrypted with the keys in FJC_DATA_KEYS" in result.output
        assert len(result.output.strip().splitlines()) == 1

        damaged = tmp_path / "damaged.backup"
        content = bytearray(path.read_bytes())
        content[len(MAGIC) + 200] ^= 0x01
        damaged.write_bytes(bytes(content))
        not_backup = tmp_path / "notes.txt"
        not_backup.write_text("hello")
        runner = fresh_app.test_cli_runner()
        assert "cannot be decrypted" in runner.invoke(args=["restore", str(damaged)]).output
        plain = runner.invoke(args=["restore", str(not_backup), "--force"])
        assert plain.exit_code == 1 and "is not an FJC backup file" in plain.output
        missing = runner.invoke(args=["restore", str(tmp_path / "nope"), "--force"])
        assert missing.exit_code == 1 and "cannot read" in missing.output
    finally:
        with stranger.app_context():
            db.get_engine().dispose()
    # Nothing was touched by the refused restores.
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 3
        db.session.close()


def test_a_backup_made_before_a_key_rotation_restores_with_the_old_key_kept(fresh_app, tmp_path):
    _seed(fresh_app)
    path = tmp_path / "fjc.backup"
    with fresh_app.app_context():
        backup(db.get_engine(), [TEST_DATA_KEY], path)
    newer = Fernet.generate_key().decode("ascii")
    rotated = make_test_app(
        fresh_app.config["FJC_DATABASE_URL"], tmp_path, FJC_DATA_KEYS=[newer, TEST_DATA_KEY]
    )
    try:
        result = rotated.test_cli_runner().invoke(args=["restore", str(path), "--force"])
        assert result.exit_code == 0, result.output
    finally:
        with rotated.app_context():
            db.get_engine().dispose()


def test_backup_under_concurrent_writes_restores_a_consistent_snapshot(fresh_app, tmp_path):
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer():
        n = 0
        while not stop.is_set():
            try:
                written.append(_write(fresh_app, n))
            except BaseException as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)
                return
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20 and not errors:
            threading.Event().wait(0.01)
        at_start = len(written)
        path = tmp_path / "busy.backup"
        with fresh_app.app_context():
            backup(fresh_app.extensions["fjc_db"].engine, [TEST_DATA_KEY], path)
        at_end = len(written)
        while len(written) < at_end + 5 and not errors:
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert len(written) > at_end >= at_start, "the writer ran before, during and after"
    source = _rows(fresh_app)

    with fresh_app.app_context():
        restore(db.get_engine(), [TEST_DATA_KEY], path, force=True)
    restored = _rows(fresh_app)

    ids = [row[0] for row in restored["intakes"]]
    assert len(ids) >= at_start
    # A prefix of what was written: no request missing in the middle...
    assert ids == sorted(written)[: len(ids)]
    # ...every request with both of its messages, and each row exactly as written.
    messages = [row for row in restored["messages"]]
    assert sorted(row[1] for row in messages) == sorted(ids * 2)
    for name in ("intakes", "messages"):
        assert set(restored[name]) <= set(source[name]), name
    assert len(restored["messages"]) == 2 * len(ids)


def test_postgres_tools_of_another_major_version_are_refused(
    fresh_app, backend, tmp_path, monkeypatch
):
    if backend.name != "postgresql":
        pytest.skip("pg_dump is only used for PostgreSQL")
    with fresh_app.app_context():
        engine = db.get_engine()
        server = server_major(engine)
        monkeypatch.setattr(backup_module, "tool_major", lambda tool: server + 1)
        with pytest.raises(BackupError, match=f"install the client tools of version {server}"):
            backup(engine, [TEST_DATA_KEY], tmp_path / "x.backup")
    result = fresh_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "y.backup")])
    assert result.exit_code == 1
    assert f"is version {server + 1} but the PostgreSQL server is version {server}" in (
        result.output
    )
    assert not (tmp_path / "y.backup").exists()


def test_a_postgres_backup_is_not_restored_into_another_schema(fresh_app, backend, tmp_path):
    if backend.name != "postgresql":
        pytest.skip("schemas are a PostgreSQL matter")
    _seed(fresh_app)
    path = tmp_path / "fjc.backup"
    with fresh_app.app_context():
        backup(db.get_engine(), [TEST_DATA_KEY], path)
    elsewhere = make_test_app(backend.new_database_url(), tmp_path)
    try:
        result = elsewhere.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 1
        assert "holds schema" in result.output
    finally:
        with elsewhere.app_context():
            db.get_engine().dispose()
