"""Each centre's personal data under its own data keys (FJC_DATA_KEYS_<SLUG>):
the portal writes for the centre a request goes to, staff for the centre
they work for; rotate-keys puts every row under its own centre's newest key;
a transfer re-encrypts a record for the receiving centre; the key check
refuses a start that lost a centre's keys."""

from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Text, func, select, type_coerce

from app import ConfigError
from core.governance import key_check
from core.governance.backup import backup, restore
from core.infra.crypto import encrypting_centre
from core.infra.db import make_engine
from core.infra.migrations import upgrade
from core.intake.mailbox import add_requester_message
from core.model import (
    Base,
    Case,
    CaseIntake,
    CasePerson,
    Intake,
    KeyCanary,
    Message,
    SafetyPlan,
)
from core.network import rekey
from core.network.centre_rows import descends_from
from core.network.centres import NETWORK_EXTENSION, ensure_centres
from tests.backoffice.helpers import login
from tests.conftest import TEST_DATA_KEY, TEST_PASSWORD, make_test_app
from tests.core.network.network_setup import (
    NETWORK_FILE,
    centre,
    request_in,
    staff_at,
    whole_leuven_file,
)
from web.db import db

LEUVEN_KEY = Fernet.generate_key().decode("ascii")
ANTWERPEN_KEY = Fernet.generate_key().decode("ascii")
OWN_KEYS = {"leuven": [LEUVEN_KEY], "antwerpen": [ANTWERPEN_KEY]}


def opens(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def stored(session, model, column: str, where) -> list[str]:
    """The tokens as stored (not decrypted by the column type)."""
    found = getattr(model, column)
    return [
        t for t in session.scalars(select(type_coerce(found, Text)).where(where)) if t is not None
    ]


@pytest.fixture
def network(app_factory):
    return app_factory(FJC_CENTRE_FILE=NETWORK_FILE, FJC_CENTRE_DATA_KEYS=OWN_KEYS)


def test_a_request_from_a_leuven_municipality_is_stored_under_leuven_s_keys(network):
    with network.app_context(), db.writing() as session:
        leuven = request_in(session, "Herent")
        add_requester_message(session, leuven, "Nog iets.")
        mechelen = request_in(session, "Bonheiden")
        ids = leuven.id, mechelen.id
    with network.app_context():
        session = db.session
        for column in ("name", "phone", "story"):
            [token] = stored(session, Intake, column, Intake.id == ids[0])
            assert opens(LEUVEN_KEY, token) and not opens(TEST_DATA_KEY, token)
            [token] = stored(session, Intake, column, Intake.id == ids[1])
            # Mechelen has no keys of its own: FJC_DATA_KEYS.
            assert opens(TEST_DATA_KEY, token) and not opens(LEUVEN_KEY, token)
        [body] = stored(session, Message, "body", Message.intake_id == ids[0])
        assert opens(LEUVEN_KEY, body)
        assert session.get(Intake, ids[0]).story == "Mijn verhaal uit Leuven."


def test_staff_write_under_the_keys_of_the_centre_they_work_for(network):
    with network.app_context(), db.writing() as session:
        intake = request_in(session, "Leuven")
        coordinator = staff_at(session, "leuven")
        intake_id, email = intake.id, coordinator.email
    client = network.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert login(client, email, TEST_PASSWORD).status_code == 302
    page = f"/staff/intakes/{intake_id}"
    answer = client.submit(f"{page}/reply", {"body": "We bellen dinsdag."}, form_page=page)
    assert answer.status_code == 303
    # The request's context ended with it: nothing after it writes for Leuven.
    assert encrypting_centre() is None
    with network.app_context():
        [body] = stored(db.session, Message, "body", Message.intake_id == intake_id)
        assert opens(LEUVEN_KEY, body)


@contextmanager
def started(database_url, tmp_path, **settings):
    app = make_test_app(database_url, tmp_path, FJC_CENTRE_FILE=NETWORK_FILE, **settings)
    try:
        yield app
    finally:
        with app.app_context():
            db.get_engine().dispose()


def test_rotate_keys_puts_each_centre_s_rows_under_its_own_newest_key(
    network, database_url, tmp_path
):
    # Written before Leuven had keys of its own: under FJC_DATA_KEYS.
    with (
        started(database_url, tmp_path / "before") as before,
        before.app_context(),
        db.writing() as session,
    ):
        early = request_in(session, "Leuven").id
    # The process's key ring is the last app's: Leuven's keys again.
    with (
        started(database_url, tmp_path / "own", FJC_CENTRE_DATA_KEYS=OWN_KEYS) as own,
        own.app_context(),
        db.writing() as session,
    ):
        later = request_in(session, "Leuven").id
        mechelen = request_in(session, "Bonheiden").id
        [token] = stored(session, Intake, "story", Intake.id == later)
        assert opens(LEUVEN_KEY, token)
    new_leuven = Fernet.generate_key().decode("ascii")
    new_default = Fernet.generate_key().decode("ascii")
    with started(
        database_url,
        tmp_path / "rotating",
        FJC_DATA_KEYS=[new_default, TEST_DATA_KEY],
        FJC_CENTRE_DATA_KEYS={"leuven": [new_leuven, LEUVEN_KEY]},
    ) as rotating:
        result = rotating.test_cli_runner().invoke(args=["rotate-keys", "--batch-size", "1"])
        assert result.exit_code == 0, result.output
        assert "centre leuven: 6 values re-encrypted under its own newest key" in result.output
        with rotating.app_context():
            session = db.session
            for intake_id in (early, later):
                for token in stored(session, Intake, "story", Intake.id == intake_id):
                    assert opens(new_leuven, token)
            [token] = stored(session, Intake, "story", Intake.id == mechelen)
            assert opens(new_default, token)
    # The old keys can go: each centre's rows open with its newest key alone.
    with (
        started(
            database_url,
            tmp_path / "after",
            FJC_DATA_KEYS=[new_default],
            FJC_CENTRE_DATA_KEYS={"leuven": [new_leuven]},
        ) as after,
        after.app_context(),
    ):
        stories = [db.session.get(Intake, i).story for i in (early, later, mechelen)]
        assert stories == ["Mijn verhaal uit Leuven."] * 3


def test_a_transferred_request_is_re_encrypted_under_the_receiving_centre_s_keys(network):
    with network.app_context(), db.writing() as session:
        intake = request_in(session, "Leuven")
        add_requester_message(session, intake, "Ik ben verhuisd.")
        antwerpen = centre(session, "antwerpen")
        intake.centre_id = antwerpen.id  # what the transfer does
        count = rekey.rekey_intake(session, intake, antwerpen)
        intake_id = intake.id
    assert count >= 4  # name, phone, story, the message
    with network.app_context():
        session = db.session
        tokens = stored(session, Intake, "story", Intake.id == intake_id) + stored(
            session, Message, "body", Message.intake_id == intake_id
        )
        assert tokens and all(opens(ANTWERPEN_KEY, t) for t in tokens)
        assert not any(opens(LEUVEN_KEY, t) for t in tokens)


def test_a_transferred_case_file_is_re_encrypted_whole(network):
    with network.app_context(), db.writing() as session:
        coordinator = staff_at(session, "leuven")
        made = whole_leuven_file(session, coordinator)
        case = session.get(Case, made.case_id)
        mechelen = centre(session, "mechelen")
        rekey.rekey_case(session, case, mechelen)
    with network.app_context():
        session = db.session
        intake_ids = select(CaseIntake.intake_id).where(CaseIntake.case_id == made.case_id)
        tokens = (
            stored(session, CasePerson, "name", CasePerson.case_id == made.case_id)
            + stored(session, SafetyPlan, "content", SafetyPlan.case_id == made.case_id)
            + stored(session, Intake, "story", Intake.id.in_(intake_ids))
        )
        assert len(tokens) >= 4
        assert all(opens(TEST_DATA_KEY, t) and not opens(LEUVEN_KEY, t) for t in tokens)
        # Every table that hangs from a case file or a request was covered.
        cases = Base.metadata.tables["cases"]
        covered = {
            t.name for t in Base.metadata.sorted_tables if descends_from(t, cases, [1]) is not None
        }
        assert {"case_people", "safety_plans", "consultation_contributions"} <= covered


def _canaries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(KeyCanary.id)))


def test_a_start_without_a_centre_s_keys_is_refused_once_its_data_uses_them(
    network, database_url, tmp_path
):
    with network.app_context(), db.writing() as session:
        request_in(session, "Leuven")
        key_check.check_or_seal(session)
    assert _canaries(network) == 3  # the installation's, Leuven's, Antwerpen's
    # A deploy that lost FJC_DATA_KEYS_LEUVEN: FJC_DATA_KEYS still opens the rest.
    with (
        pytest.raises(ConfigError) as refused,
        started(database_url, tmp_path / "lost", FJC_CHECK_KEYS=True),
    ):
        pass
    assert str(refused.value) == (
        "FJC_DATA_KEYS_LEUVEN cannot decrypt the data of centre leuven: "
        "the key it was written with is missing (add it after the newest)"
    )
    # A new Leuven key in front of the old one starts, and seals a canary under it.
    newer = {**OWN_KEYS, "leuven": [Fernet.generate_key().decode("ascii"), LEUVEN_KEY]}
    with started(database_url, tmp_path / "newer", FJC_CHECK_KEYS=True, FJC_CENTRE_DATA_KEYS=newer):
        pass
    assert _canaries(network) == 4
    with network.app_context():
        assert key_check.verify(db.session)


def test_without_centre_keys_there_is_one_canary_as_before(app):
    with app.app_context(), db.writing() as session:
        key_check.check_or_seal(session)
        key_check.check_or_seal(session)
    assert _canaries(app) == 1


def test_a_backup_keeps_each_centre_under_its_own_keys(backend, tmp_path):
    """One backup file for the installation; inside, Leuven's fields are still
    under Leuven's key, and a start after the restore without it is refused."""
    url = backend.new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with started(url, tmp_path / "first", FJC_CENTRE_DATA_KEYS=OWN_KEYS) as first:
        with first.app_context(), db.writing() as session:
            ensure_centres(session, first.extensions[NETWORK_EXTENSION])
            leuven = request_in(session, "Leuven").id
            key_check.check_or_seal(session)
        path = tmp_path / "fjc.backup"
        with first.app_context():
            backup(db.get_engine(), [TEST_DATA_KEY], path)
            with db.writing() as session:
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name not in {"centres", "municipalities"}:
                        session.execute(table.delete())
            restore(db.get_engine(), [TEST_DATA_KEY], path)
            [token] = stored(db.session, Intake, "story", Intake.id == leuven)
            assert opens(LEUVEN_KEY, token)
            db.session.close()
    with (
        pytest.raises(ConfigError, match="FJC_DATA_KEYS_LEUVEN cannot decrypt"),
        started(url, tmp_path / "without", FJC_CHECK_KEYS=True),
    ):
        pass
    with (
        started(url, tmp_path / "with", FJC_CHECK_KEYS=True, FJC_CENTRE_DATA_KEYS=OWN_KEYS) as app,
        app.app_context(),
    ):
        assert db.session.get(Intake, leuven).story == "Mijn verhaal uit Leuven."
        db.session.close()
