"""A centre that leaves the network, as a unit: `export-centre SLUG PATH` writes
every row of it, decrypted, to one file; `erase-centre SLUG` deletes every
row of it. Afterwards no row of any table refers to the erased centre or to
one of its rows, the audit trail is intact, and the other centres' data is
untouched and readable (issue 20, "Keys per centre")."""

from __future__ import annotations

import json
import secrets
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, tuple_

from core.casework import cases, safety_plans
from core.governance import key_check
from core.governance.centre_erasure import ERASED_EVENT, FORMER_STAFF_NAME
from core.governance.centre_export import FORMAT, export_centre, read_export
from core.intake import triage
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message
from core.model import (
    AuditEvent,
    Base,
    CaseEvent,
    CasePerson,
    Centre,
    CentreTransfer,
    ContactAttempt,
    ContactRulesChange,
    Feedback,
    Intake,
    IntakeKind,
    IntakeLink,
    MailboxSession,
    Municipality,
    RecoveryCode,
    Staff,
    StaffSession,
    TriageOutcome,
)
from core.network.centre_rows import KEPT_ON_ERASE, centre_tables, rows_of
from core.network.centres import add_member
from tests.conftest import make_test_app
from tests.core.network.network_setup import (
    BRUSSELS,
    NETWORK_FILE,
    REQUESTER,
    STORY,
    centre,
    leuven_of_everything,
    request_in,
    staff_at,
)
from web.db import db

LEUVEN_KEY = Fernet.generate_key().decode("ascii")
OWN_KEYS = {"leuven": [LEUVEN_KEY]}
MECHELEN_STORY = "Mijn verhaal uit Mechelen."
# A Leuven municipality Mechelen serves once Leuven has left (no other test
# names it: the inactive copy it leaves behind must not route anyone).
MOVED = "Bekkevoort"


@pytest.fixture
def network(app_factory):
    return app_factory(FJC_CENTRE_FILE=NETWORK_FILE, FJC_CENTRE_DATA_KEYS=OWN_KEYS)


def _leave(app_factory, tmp_path):
    """The installation after Leuven left the centre file and `migrate` ran
    (app_factory syncs the centres): Mechelen now also serves Bekkevoort."""
    network = json.loads(Path(NETWORK_FILE).read_text(encoding="utf-8"))
    network["centres"] = [c for c in network["centres"] if c["slug"] != "leuven"]
    mechelen = next(c for c in network["centres"] if c["slug"] == "mechelen")
    mechelen["municipalities"].append(MOVED)
    path = tmp_path / "without-leuven.json"
    path.write_text(json.dumps(network), encoding="utf-8")
    return app_factory(FJC_CENTRE_FILE=str(path), FJC_CENTRE_DATA_KEYS=OWN_KEYS)


def _leuven(session, clock) -> dict[str, list[int]]:
    """A Leuven of everything (network_setup.leuven_of_everything) and more:
    a referral, a contact attempt, a change of the contact rules, a mailbox
    session, a link, a staff session, a recovery code, feedback, the key
    canary. The ids made, per table."""
    now = clock.current
    leuven = centre(session, "leuven")
    made = leuven_of_everything(session)
    coordinator = made.coordinator_id
    waiting = made.waiting_id
    referral, _ = submit(
        session,
        Submission(
            kind=IntakeKind.REFERRAL,
            language="nl",
            municipality_id=session.scalar(
                select(Municipality.id).where(Municipality.name == "Tienen", Municipality.active)
            ),
            contact=SafeContact(name="Cliënt", phone="0470 11 22 33"),
            story="Doorverwezen.",
            referral=ReferralDetails(
                organisation="CAW Oost-Brabant",
                name="Ria Referent",
                client_consent="agrees",
                urgency="normal",
            ),
        ),
    )
    assert referral.centre_id == leuven.id
    session.add_all(
        [
            ContactAttempt(
                intake_id=waiting,
                staff_id=coordinator,
                channel="phone",
                outcome="no_answer",
                note="Geen antwoord.",
            ),
            ContactRulesChange(
                intake_id=waiting, staff_id=coordinator, previous={"may_call": True}
            ),
            MailboxSession(
                token_key=secrets.token_hex(32),
                intake_id=waiting,
                opened_at=now,
                last_used_at=now,
            ),
            IntakeLink(intake_id=waiting, linked_intake_id=referral.id, staff_id=coordinator),
            StaffSession(staff_id=coordinator, token_key=secrets.token_hex(32), created_at=now),
            RecoveryCode(staff_id=coordinator, code_key=secrets.token_hex(32)),
            Feedback(
                centre_id=leuven.id,
                month=f"{now.astimezone(BRUSSELS):%Y-%m}",
                moment="after_triage",
                door="contact",
                felt_safe="yes",
                free_text="Ze luisterden naar mij.",
            ),
        ]
    )
    key_check.check_or_seal(session)  # Leuven's own canary, under its key
    session.flush()
    return {
        "staff": [coordinator, made.director_id, made.colleague_id, made.member_id],
        "intakes": [waiting, referral.id, made.in_file_id],
        "messages": list(made.message_ids),
        "referrals": [referral.referral.id],
        "cases": [made.case_id],
        "case_people": [made.victim_id, made.child_id],
        "case_relations": [made.relation_id],
        "safety_plans": [made.plan_id],
        "child_voices": [made.voice_id],
        "risk_assessments": [made.assessment_id],
        "case_partners": [made.police_id],
        "case_actions": [made.action_id],
        "planned_consultations": [made.planned_id],
        "centre_transfers": [made.offered_id],
    }


def _mechelen(session) -> dict[str, int]:
    director = staff_at(session, "mechelen", "case_director", "Mira Mechelen")
    intake = request_in(session, "Bonheiden", name="Mona")
    intake.story = MECHELEN_STORY
    add_requester_message(session, intake, "Een vraag uit Mechelen.")
    triage.decide(session, intake, director, outcome=TriageOutcome.TRACK_2)
    case = cases.open_case(session, [intake], director, track=TriageOutcome.TRACK_2)
    safety_plans.save(session, case, case.people[0], director, {"safe_places": "Bij haar broer."})
    session.flush()
    return {"intake": intake.id, "case": case.id, "director": director.id}


def _rows_of(session, centre_id: int) -> dict[str, set[tuple]]:
    """The primary keys of every row of the centre, per table."""
    found = {}
    for model_table in centre_tables():
        keys = list(model_table.primary_key.columns)
        query = rows_of(model_table, centre_id).with_only_columns(*keys)
        found[model_table.name] = {tuple(row) for row in session.execute(query)}
    return found


def _still_there(session, erased: dict[str, set[tuple]]) -> dict[str, int]:
    left = {}
    for name, keys in erased.items():
        model_table = Base.metadata.tables[name]
        if name in KEPT_ON_ERASE or not keys:
            continue
        columns = list(model_table.primary_key.columns)
        primary = tuple_(*columns)
        count = len(session.execute(select(*columns).where(primary.in_(list(keys)))).all())
        if count:
            left[name] = count
    return left


def _pointing_at(session, centre_id: int, erased: dict[str, set[tuple]]) -> list[str]:
    """Every foreign key of every table, and every centre_id column: what
    still names the erased centre or one of its rows."""
    gone = {name: {key[0] for key in keys} for name, keys in erased.items()}
    gone[Centre.__tablename__] = {centre_id}
    found = []
    for model_table in Base.metadata.sorted_tables:
        for key in model_table.foreign_keys:
            ids = gone.get(key.column.table.name)
            if not ids:
                continue
            hits = session.scalars(select(key.parent).where(key.parent.in_(list(ids)))).all()
            if hits:
                found.append(f"{model_table.name}.{key.parent.name} -> {key.column.table.name}")
        if "centre_id" not in model_table.c or model_table.name in KEPT_ON_ERASE:
            continue
        own = model_table.c.centre_id
        if session.scalars(select(own).where(own == centre_id)).first():
            found.append(f"{model_table.name}.centre_id")
    return found


def _export_tables(app, slug: str, path) -> dict:
    with app.app_context():
        export_centre(db.get_engine(), slug, path)
    return read_export(path)["tables"]


def test_a_centre_is_exported_and_erased_and_nothing_of_it_is_left(
    network, app_factory, clock, tmp_path
):
    with network.app_context(), db.writing() as session:
        made = _leuven(session, clock)
        mechelen = _mechelen(session)
        leuven_id = centre(session, "leuven").id
    left = _leave(app_factory, tmp_path)
    mechelen_before = _export_tables(left, "mechelen", tmp_path / "mechelen-before.json")

    runner = left.test_cli_runner()
    path = tmp_path / "leuven.json"
    exported = runner.invoke(args=["export-centre", "leuven", str(path)])
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not (tmp_path / "leuven.json.partial").exists()
    data = read_export(path)
    assert (data["format"], data["version"], data["centre"]["slug"]) == (FORMAT, 1, "leuven")
    tables = data["tables"]
    for name, ids in made.items():
        assert {row["id"] for row in tables[name]} >= set(ids), name
    assert f"intakes: {len(tables['intakes'])} rows" in exported.output
    # Decrypted, so another installation can import it.
    assert {row["story"] for row in tables["intakes"]} >= {STORY, "Doorverwezen."}
    assert "Ik wil iets toevoegen." in {row["body"] for row in tables["messages"]}
    assert {REQUESTER, "Noor"} <= {row["name"] for row in tables["case_people"]}
    assert tables["safety_plans"][0]["content"] == {"safe_places": "Bij haar zus."}
    assert tables["feedback"][0]["free_text"] == "Ze luisterden naar mij."
    assert tables["child_voices"][0]["said"] == "Ik wil bij mama blijven."
    for name in ("case_consultations", "consultation_contributions", "case_partner_members"):
        assert tables[name], name
    assert len(tables["key_canaries"]) == 1
    assert MECHELEN_STORY not in path.read_text(encoding="utf-8")
    assert {row["slug"] for row in [data["centre"]]} == {"leuven"}

    with left.app_context():
        erased = _rows_of(db.session, leuven_id)
    for name, ids in made.items():
        assert {(i,) for i in ids} <= erased[name], f"the mapping misses rows of {name}"

    result = runner.invoke(args=["erase-centre", "leuven", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"intakes: {len(erased['intakes'])} rows deleted" in result.output
    assert "erased centre leuven:" in result.output
    assert "FJC_DATA_KEYS_LEUVEN can go" in result.output

    with left.app_context():
        session = db.session
        assert _still_there(session, erased) == {}
        assert _pointing_at(session, leuven_id, erased) == []
        gone = session.get(Centre, leuven_id)
        assert (gone.active, gone.is_default) == (False, False)
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == ERASED_EVENT))
        assert (event.centre_id, event.target_id) == (leuven_id, leuven_id)
        # Mechelen's data: untouched and readable.
        assert session.get(Intake, mechelen["intake"]).story == MECHELEN_STORY
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    assert _export_tables(left, "mechelen", tmp_path / "mechelen-after.json") == mechelen_before


def test_rows_of_other_centres_that_name_the_erased_centre_s_rows_are_settled(
    network, app_factory, clock, tmp_path
):
    """Mostly after transfers: a member of both centres, the author of another
    centre's history, a link, a municipality, a transfer to the centre."""
    with network.app_context(), db.writing() as session:
        made = _leuven(session, clock)
        mechelen = _mechelen(session)
        leuven_id = centre(session, "leuven").id
        mechelen_centre = centre(session, "mechelen")
        both = staff_at(session, "leuven", "case_director", "Bo Beide")
        add_member(session, both, mechelen_centre)
        author = session.get(Staff, made["staff"][1])
        session.add(CaseEvent(case_id=mechelen["case"], staff_id=author.id, action="note_added"))
        from_leuven = session.get(Intake, made["intakes"][0])
        session.add(
            IntakeLink(
                intake_id=mechelen["intake"],
                linked_intake_id=from_leuven.id,
                staff_id=mechelen["director"],
            )
        )
        here = request_in(session, "Bonheiden", name="Merel")
        here.municipality_id = session.scalar(
            select(Municipality.id).where(
                Municipality.name == MOVED, Municipality.centre_id == leuven_id
            )
        )
        there = request_in(session, "Bonheiden", name="Mila")
        there.municipality_id = from_leuven.municipality_id  # Herent: nobody serves it now
        session.add(
            CentreTransfer(
                centre_id=mechelen_centre.id,
                to_centre_id=leuven_id,
                intake_id=there.id,
                reason="Verhuisd naar Leuven.",
            )
        )
        person = session.scalar(select(CasePerson).where(CasePerson.case_id == mechelen["case"]))
        person.contact_intake_id = from_leuven.id
        ids = both.id, author.id, here.id, there.id, person.id
    left = _leave(app_factory, tmp_path)
    with left.app_context():
        erased = _rows_of(db.session, leuven_id)
    # These two stay, as accounts of Mechelen (below).
    erased["staff"] -= {(ids[0],), (ids[1],)}

    result = left.test_cli_runner().invoke(args=["erase-centre", "leuven", "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 accounts that also work elsewhere moved there" in result.output
    assert "1 accounts named in other centres' files kept, stripped" in result.output

    with left.app_context():
        session = db.session
        assert _pointing_at(session, leuven_id, erased) == []
        both, author, here, there, person = (
            session.get(model, i)
            for model, i in zip((Staff, Staff, Intake, Intake, CasePerson), ids, strict=True)
        )
        assert (both.centre_id, both.name, both.is_active) == (mechelen_centre.id, "Bo Beide", True)
        assert (author.centre_id, author.name, author.is_active) == (
            mechelen_centre.id,
            FORMER_STAFF_NAME,
            False,
        )
        assert author.email.endswith("@erased.invalid") and author.totp_secret is None
        served = session.get(Municipality, here.municipality_id)
        assert (served.name, served.centre_id) == (MOVED, mechelen_centre.id)
        assert there.municipality_id is None
        assert person.contact_intake_id is None
        assert session.scalars(select(IntakeLink)).all() == []
        assert session.scalars(select(CentreTransfer)).all() == []
        event = session.scalar(select(CaseEvent).where(CaseEvent.staff_id == author.id))
        assert event.case_id == mechelen["case"]


def test_erase_is_refused_while_the_centre_is_in_the_file_or_is_the_default(network, tmp_path):
    runner = network.test_cli_runner()
    refused = runner.invoke(args=["erase-centre", "leuven", "--yes"])
    assert refused.exit_code == 1
    assert refused.output.strip() == (
        "error: centre leuven is still in the centre file; remove it there and run "
        "`flask --app wsgi migrate` first, so no request goes to it any more"
    )
    unknown = runner.invoke(args=["erase-centre", "nowhere", "--yes"])
    assert "there is no centre with the slug 'nowhere'" in unknown.output
    # A file that no longer names Mechelen, before `migrate` made another default.
    network_data = json.loads(Path(NETWORK_FILE).read_text(encoding="utf-8"))
    network_data["centres"] = [c for c in network_data["centres"] if c["slug"] != "mechelen"]
    network_data["default_centre"] = "leuven"
    without = tmp_path / "without-mechelen.json"
    without.write_text(json.dumps(network_data), encoding="utf-8")
    stale = make_test_app(
        network.config["FJC_DATABASE_URL"], tmp_path / "stale", FJC_CENTRE_FILE=str(without)
    )
    try:
        default = stale.test_cli_runner().invoke(args=["erase-centre", "mechelen", "--yes"])
    finally:
        with stale.app_context():
            db.get_engine().dispose()
    assert default.exit_code == 1
    assert "centre mechelen is the default centre" in default.output


def test_erase_asks_first_and_export_never_overwrites(network, app_factory, tmp_path):
    with network.app_context(), db.writing() as session:
        request_in(session)
    left = _leave(app_factory, tmp_path)
    runner = left.test_cli_runner()
    declined = runner.invoke(args=["erase-centre", "leuven"], input="n\n")
    assert declined.exit_code == 1
    assert "Erase every row of centre leuven for good" in declined.output
    with left.app_context():
        assert db.session.scalars(select(Intake)).all()
    taken = tmp_path / "taken.json"
    taken.write_text("keep me", encoding="utf-8")
    refused = runner.invoke(args=["export-centre", "leuven", str(taken)])
    assert refused.exit_code == 1
    assert "exists already; an export never overwrites a file" in refused.output
    assert taken.read_text(encoding="utf-8") == "keep me"
    unknown = runner.invoke(args=["export-centre", "nowhere", str(tmp_path / "n.json")])
    assert unknown.exit_code == 1
    assert "there is no centre with the slug 'nowhere'" in unknown.output
