"""Whose copy it is decides what is proposed: the family's case file seen by
each person in it (GDPR art. 15(4)). Only its victim gets what is about the
file as a whole (the refuge action, the risk level, the partners' names); a
child's copy, another adult's and a person causing harm's get what is about
them, and a request can only be taken as the person's when their role in
its case file is known and the request is theirs."""

from __future__ import annotations

import pytest

from core.casework import people
from core.governance.rights import access
from core.governance.rights.access_copy import make_copy
from core.infra import clock
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.intake.safe_window import Channel
from core.model import AccessRequest, CaseIntake, CasePerson, IntakeKind, Staff
from core.network.centres import default_centre
from core.rules import RuleError
from tests.backoffice import rights_family as fam
from web.db import db

GRANDMOTHER = "Oma Mia"
GRANDMOTHER_NOTE = "Vangt de kinderen op na school."
HIS_STORY = "Zij heeft de kinderen meegenomen."
HIS_ATTEMPT_NOTE = "Hij zei dat Sam bij haar zus is."
# What is about the family's file as a whole, or says where the victim or the
# child is: none of it goes to anyone but the victim by default.
THE_FILES = (fam.SCHOOL, fam.ACTION_TITLE, fam.REFUGE, fam.PARTNER_NOTE)


@pytest.fixture
def family(app, make_staff):
    director = make_staff("case_director", name="Dirk")
    coordinator = make_staff("coordinator", name="Ann")
    with app.app_context(), db.writing() as session:
        made = fam.family_file(session, session.get(Staff, director[0]))
    return made, director[0], coordinator[0]


def _gathered(session, coordinator_id: int, *, people=(), intakes=()) -> AccessRequest:
    coordinator = session.get(Staff, coordinator_id)
    today = clock.now().date()
    request = access.register(
        session,
        default_centre(session).id,
        coordinator,
        access.Registration("Iemand", today, "id_document", None, "nl"),
        today,
    )
    access.choose_records(session, request, coordinator, people, intakes)
    return request


def _proposed(session, request: AccessRequest) -> dict[str, list]:
    """{"release": [values], "withhold": [values]} as proposed."""
    pieces = access.current_pieces(session, request)
    found: dict[str, list] = {"release": [], "withhold": []}
    for item in request.items:
        found[item.proposed].append(pieces[(item.source, item.source_id, item.field)].value)
    return found


def _item(request: AccessRequest, source: str, field: str, source_id: int | None = None):
    (found,) = [
        i
        for i in request.items
        if (i.source, i.field) == (source, field) and source_id in (None, i.source_id)
    ]
    return found


def _his_request(session, case_id: int | None = None, kind=IntakeKind.CONTACT):
    his, _code = submit(
        session,
        Submission(
            kind=kind,
            language="nl",
            contact=SafeContact(name=fam.HARM_NAME, phone=fam.HARM_PHONE, may_call=True),
            story=HIS_STORY,
        ),
    )
    if case_id is not None:
        session.add(CaseIntake(case_id=case_id, intake_id=his.id))
        session.flush()
    return his


def test_a_childs_copy_proposes_nothing_of_the_file_nor_where_the_child_is(app, family):
    # A parent who asks on the child's behalf may be the one who harms.
    made, _director, coordinator = family
    with app.app_context(), db.writing() as session:
        request = _gathered(session, coordinator, people=[made.child_id])
        proposed = _proposed(session, request)
        released = repr(proposed["release"])
        for never in (*fam.NEVER_FOR_HARM, *THE_FILES):
            assert never not in released, never
        assert fam.CHILD_NAME in proposed["release"], "who she is is hers"
        assert _item(request, "risk_assessments", "result").proposed == "withhold"
        school = _item(request, "case_people", "school_contacts")
        assert (school.proposed, school.proposed_reason) == ("withhold", "for_a_child")
        partner = _item(request, "case_partners", "organisation")
        assert (partner.proposed, partner.proposed_reason) == ("withhold", "partner_name")
        copy = make_copy(session, request, app.config)
        assert [r.kind for r in copy.recipients] == ["caw"]
        assert all(r.name is None for r in copy.recipients)


def test_another_adults_copy_gets_her_own_data_and_nothing_of_the_file(app, family):
    made, director, coordinator = family
    with app.app_context(), db.writing() as session:
        case = session.get(CasePerson, made.victim_id).case
        grandmother, _relation = people.add_person(
            session,
            case,
            session.get(Staff, director),
            people.PersonDetails(role="other_adult", name=GRANDMOTHER, notes=GRANDMOTHER_NOTE),
            clock.now().year,
        )
        request = _gathered(session, coordinator, people=[grandmother.id])
        proposed = _proposed(session, request)
        assert GRANDMOTHER in proposed["release"] and GRANDMOTHER_NOTE in proposed["release"]
        released = repr(proposed["release"])
        for never in (*fam.NEVER_FOR_HARM, *THE_FILES):
            assert never not in released, never
        for source, field in (("risk_assessments", "result"), ("case_actions", "action")):
            assert _item(request, source, field).proposed == "withhold", source


def test_the_victim_is_proposed_her_files_actions_risk_level_and_partners(app, family):
    made, _director, coordinator = family
    with app.app_context(), db.writing() as session:
        request = _gathered(session, coordinator, people=[made.victim_id])
        for source, field in (
            ("risk_assessments", "result"),
            ("case_actions", "action"),
            ("case_partners", "organisation"),
        ):
            assert _item(request, source, field).proposed == "release", source
        copy = make_copy(session, request, app.config)
        assert [r.name for r in copy.recipients] == [fam.REFUGE]


def test_a_person_chosen_by_his_request_alone_is_refused_until_his_row_is_chosen(app, family):
    made, _director, coordinator = family
    with app.app_context(), db.writing() as session:
        his = _his_request(session, made.case_id)
        with pytest.raises(RuleError) as refused:
            _gathered(session, coordinator, intakes=[his.id])
        assert (refused.value.field, refused.value.code) == ("intakes", "role_unknown")


def test_his_row_with_the_victims_other_request_is_refused(app, family):
    made, _director, coordinator = family
    with app.app_context(), db.writing() as session:
        hers, _code = submit(
            session,
            Submission(
                kind=IntakeKind.CONTACT,
                language="nl",
                contact=SafeContact(name=fam.VICTIM_NAME, phone="0499 99 99 99", may_call=True),
                story=f"Ik woon nu in de {fam.VICTIM_ADDRESS}.",
            ),
        )
        session.add(CaseIntake(case_id=made.case_id, intake_id=hers.id))
        session.flush()
        for chosen in ([hers.id], [made.intake_id]):
            with pytest.raises(RuleError) as refused:
                _gathered(session, coordinator, people=[made.harm_id], intakes=chosen)
            assert refused.value.field == "intakes"
            assert refused.value.code in ("not_theirs", "of_another_person")
        # Her second request chosen with her own row is hers.
        request = _gathered(session, coordinator, people=[made.victim_id], intakes=[hers.id])
        assert f"Ik woon nu in de {fam.VICTIM_ADDRESS}." in _proposed(session, request)["release"]


def test_a_talk_now_conversation_of_the_file_is_never_the_person_causing_harms(app, family):
    made, _director, coordinator = family
    with app.app_context(), db.writing() as session:
        talk = _his_request(session, made.case_id, kind=IntakeKind.CONVERSATION)
        # Even set as the request his row was made from.
        session.get(CasePerson, made.harm_id).contact_intake_id = talk.id
        session.flush()
        with pytest.raises(RuleError) as refused:
            _gathered(session, coordinator, people=[made.harm_id], intakes=[talk.id])
        assert (refused.value.field, refused.value.code) == ("intakes", "not_theirs")
        request = _gathered(session, coordinator, people=[made.harm_id])
        assert HIS_STORY not in _proposed(session, request)["release"]


def test_the_staff_notes_on_his_own_records_are_withheld_until_staff_release_one(app, family):
    made, director, coordinator = family
    with app.app_context(), db.writing() as session:
        his = _his_request(session)  # his own request, outside the file
        triage.record_attempt(
            session,
            his,
            session.get(Staff, director),
            channel=Channel.CALL,
            outcome=triage.AttemptOutcome.NO_ANSWER,
            note=HIS_ATTEMPT_NOTE,
            timezone="Europe/Brussels",
        )
        request = _gathered(session, coordinator, people=[made.harm_id], intakes=[his.id])
        proposed = _proposed(session, request)
        assert HIS_STORY in proposed["release"] and fam.HARM_PHONE in proposed["release"]
        for note in (fam.HARM_NOTE, HIS_ATTEMPT_NOTE):
            assert note in proposed["withhold"] and note not in repr(proposed["release"])
        row_note = _item(request, "case_people", "notes", made.harm_id)
        assert row_note.proposed_reason == "staff_notes"
        # Staff read it and may give it after all.
        staff = session.get(Staff, coordinator)
        access.decide(session, request, staff, {row_note.id: ("release", None)})
        copy = make_copy(session, request, app.config)
        assert fam.HARM_NOTE in [r.value for r in copy.released]


def test_a_request_through_the_young_door_is_a_childs_copy(app, family):
    _made, _director, coordinator = family
    with app.app_context(), db.writing() as session:
        young, _code = submit(
            session,
            Submission(
                kind=IntakeKind.YOUNG,
                language="nl",
                contact=SafeContact(name=fam.CHILD_NAME, may_call=False),
                story="Papa roept elke avond.",
            ),
        )
        request = _gathered(session, coordinator, intakes=[young.id])
        story = _item(request, "intakes", "story")
        assert (story.proposed, story.proposed_reason) == ("withhold", "for_a_child")
        assert _item(request, "intakes", "name").proposed == "release"
