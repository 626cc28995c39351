"""The print view of a case file: everything for the team, only what the
basis allows for a partner, nothing after a withdrawal; audited every time."""

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import event, select

from core.casework import partners
from core.infra import clock as core_clock
from core.model import (
    AuditEvent,
    Case,
    CaseAction,
    CaseConsultation,
    CaseEvent,
    CasePartner,
    CasePerson,
    CaseRelation,
    Message,
    RiskAssessment,
    SafetyPlan,
    Staff,
    TriageOutcome,
)
from tests.backoffice.helpers import open_test_case, staff_client
from web.db import db

PHONE = "0470 12 34 56"
STORY = "Mijn verhaal."


def _now():
    return core_clock.now()


def _fill(app, case_id: int, director_id: int, children: int = 1) -> None:
    """A file with something in every section, as staff would have built it."""
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        victim = case.people[0]
        # Her rules as she gave them on the portal: text only, in the evening.
        request = case.intakes[0]
        request.may_call, request.may_text = False, True
        request.safe_times = "evening"
        victim.no_direct_contact = False
        session.add(
            Message(
                intake_id=case.intakes[0].id,
                direction="from_requester",
                body="He came back last night.",
                created_at=_now(),
            )
        )
        harm = CasePerson(case_id=case.id, role="person_causing_harm", name="Kurt")
        harm.no_direct_contact = True
        session.add(harm)
        kids = [
            CasePerson(
                case_id=case.id,
                role="child",
                name=f"Mia{n}",
                birth_year=_now().year - 8,
                school_contacts="Basisschool De Linde, juf Els",
            )
            for n in range(children)
        ]
        session.add_all(kids)
        session.flush()
        for kid in kids:
            session.add(
                CaseRelation(
                    case_id=case.id, person_id=victim.id, other_person_id=kid.id, kind="parent"
                )
            )
            session.add(
                SafetyPlan(
                    case_id=case.id,
                    person_id=kid.id,
                    content={"safe_people": "Grandma Rita", "own_code": "Old note"},
                    staff_id=director_id,
                    created_at=_now() - timedelta(days=2),
                )
            )
        session.add(
            SafetyPlan(
                case_id=case.id,
                person_id=victim.id,
                content={"warning_signs": "Old signs"},
                staff_id=director_id,
                created_at=_now() - timedelta(days=3),
            )
        )
        session.add(
            SafetyPlan(
                case_id=case.id,
                person_id=victim.id,
                content={"warning_signs": "He drinks on Fridays", "safe_places": "Aunt's flat"},
                staff_id=director_id,
                created_at=_now() - timedelta(days=1),
            )
        )
        for days, score, level, reason in (
            (5, 3, "elevated", None),
            (1, 9, "high", "Threats to kill"),
        ):
            session.add(
                RiskAssessment(
                    case_id=case.id,
                    instrument_id="fjc-risk",
                    instrument_version=1,
                    answers={},
                    score=score,
                    computed_level=level,
                    judged_level=level,
                    final_level=level,
                    judgement_reason=reason,
                    staff_id=director_id,
                    created_at=_now() - timedelta(days=days),
                )
            )
        consultation = CaseConsultation(
            case_id=case.id,
            held_on=core_clock.now().date() - timedelta(days=1),
            legal_basis="art_458ter",
            participants=[{"name": "Inspecteur Jan", "organisation": "PZ Gent"}],
            decisions=["Police patrols near the house"],
            created_by_id=director_id,
        )
        session.add(consultation)
        session.flush()
        session.add(
            CaseAction(
                case_id=case.id,
                title="Apply for a barring order",
                owner_staff_id=director_id,
                due_on=core_clock.now().date() + timedelta(days=7),
                status="in_progress",
                consultation_id=consultation.id,
            )
        )


def _partner(app, case_id, staff_id, **fields) -> int:
    data = {"kind": "caw", "organisation": "CAW Oost", "basis": "consent"}
    data.update(fields)
    with app.app_context(), db.writing() as session:
        return partners.add_partner(
            session, session.get(Case, case_id), session.get(Staff, staff_id), **data
        ).id


@pytest.fixture
def filled(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    case_id = open_test_case(app, ann[0], TriageOutcome.TRACK_3)
    _fill(app, case_id, ann[0])
    return case_id, ann


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_the_team_print_shows_every_section_and_is_audited(app, filled):
    case_id, ann = filled
    director = staff_client(app, ann)
    case_page = director.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert f'href="/staff/cases/{case_id}/print"' in case_page

    response = director.get(f"/staff/cases/{case_id}/print")
    assert response.status_code == 200
    body = _text(response)
    with app.app_context():
        number = db.session.get(Case, case_id).number
    assert body.index("Confidential") < body.index(f"<h1>Case file {number}</h1>")
    assert "Everything in the file is shown." in body
    assert "Printed by</dt><dd>Ann" in body and "Case director</dt><dd>Ann" in body
    # People, ages, relations, contact details and contact safety.
    assert 'Person causing harm: <span dir="auto">Kurt</span>' in body
    assert "about 8 years" in body and "parent of Mia0" in body and "child of Sam" in body
    assert f"{PHONE}</span>: <strong>Only text messages. No calls. No voicemail." in body
    assert "Safe times: Evening (17:00 to 20:00)." in body
    assert "No direct contact" in body and "Basisschool De Linde" in body
    # What the person told us.
    assert STORY in body and "He came back last night." in body
    # Risk: the latest in full, the earlier one in the history.
    assert "Threats to kill" in body and "Earlier assessments" in body
    assert "High risk" in body and "Elevated risk" in body
    # The current safety plan only, with the section words and unknown codes as they are.
    assert "He drinks on Fridays" in body and "Old signs" not in body
    assert "Warning signs" in body and "People who can help" in body and "own_code" in body
    # Action plan and consultations.
    assert "Apply for a barring order" in body and "In progress" in body
    assert "Inspecteur Jan" in body and "PZ Gent" in body
    assert "Police patrols near the house" in body
    assert "Case consultation under art. 458ter Sw." in body
    # No forms but signing out and the language switch (the header, hidden on
    # paper), no script.
    assert len(response.page.findall(".//form")) == 2
    assert "<script" not in body

    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "case.printed")
        ).all()
        timeline = db.session.scalars(
            select(CaseEvent.action).where(CaseEvent.case_id == case_id)
        ).all()
    assert audited == ["staff"]
    assert "case.printed" in timeline
    assert "Print view made" in director.get(f"/staff/cases/{case_id}").get_data(as_text=True)


def test_a_consent_partner_for_risk_sees_risk_but_no_phone_or_story(app, filled):
    case_id, ann = filled
    partner_id = _partner(
        app, case_id, ann[0], scope=["risk_assessment"], consent_given_at=_now() - timedelta(days=1)
    )
    director = staff_client(app, ann)
    response = director.get(f"/staff/cases/{case_id}/print?partner={partner_id}")
    assert response.status_code == 200
    body = _text(response)
    assert "CAW Oost" in body and "Basis: The client's consent, given on" in body
    assert "Shown: Risk assessment" in body
    assert (
        "Left out: Contact details, The story, Safety plan, Action plan and case consultations"
        in body
    )
    # Always there: whom it is about.
    assert 'Victim: <span dir="auto">Sam</span>' in body and "Kurt" in body
    assert "Threats to kill" in body
    for hidden in (
        PHONE,
        "Only text messages.",
        STORY,
        "He came back last night.",
        "Basisschool",
        "He drinks on Fridays",
        "barring order",
        "Inspecteur Jan",
    ):
        assert hidden not in body
    with app.app_context():
        audited = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "case.printed")
        ).all()
    assert audited == [f"partner {partner_id}"]


def test_after_withdrawal_the_partner_print_shows_nothing_of_the_file(app, filled):
    case_id, ann = filled
    partner_id = _partner(
        app,
        case_id,
        ann[0],
        scope=list(partners.PARTS),
        consent_given_at=_now() - timedelta(days=1),
    )
    with app.app_context(), db.writing() as session:
        partners.withdraw_consent(
            session,
            session.get(Case, case_id),
            session.get(CasePartner, partner_id),
            session.get(Staff, ann[0]),
        )
    director = staff_client(app, ann)
    body = _text(director.get(f"/staff/cases/{case_id}/print?partner={partner_id}"))
    assert "Consent was withdrawn on" in body
    assert "This print shows nothing of the case file." in body
    for hidden in ("Sam", "Kurt", "Mia0", PHONE, STORY, "Threats to kill", "He drinks", "barring"):
        assert hidden not in body


def test_a_case_consultation_partner_sees_every_part(app, filled):
    case_id, ann = filled
    partner_id = _partner(app, case_id, ann[0], kind="police", basis="case_consultation")
    director = staff_client(app, ann)
    body = _text(director.get(f"/staff/cases/{case_id}/print?partner={partner_id}"))
    assert "Left out: nothing" in body
    for shown in (
        PHONE,
        STORY,
        "Threats to kill",
        "He drinks on Fridays",
        "barring order",
        "Inspecteur Jan",
    ):
        assert shown in body


def test_a_partner_of_another_file_or_a_bad_id_is_not_found(app, filled, make_staff):
    case_id, ann = filled
    other_case = open_test_case(app, ann[0], TriageOutcome.TRACK_3)
    other_partner = _partner(app, other_case, ann[0], kind="police", basis="case_consultation")
    director = staff_client(app, ann)
    assert director.get(f"/staff/cases/{case_id}/print?partner={other_partner}").status_code == 404
    assert director.get(f"/staff/cases/{case_id}/print?partner=abc").status_code == 404
    assert director.get(f"/staff/cases/{case_id}/print?partner=999999").status_code == 404
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "case.printed"))
            is None
        )


def test_a_case_director_not_on_the_file_may_not_print_it(app, filled, make_staff):
    case_id, _ = filled
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    assert bram.get(f"/staff/cases/{case_id}/print").status_code == 403
    coordinator = staff_client(app, make_staff("coordinator", name="Cleo"))
    assert coordinator.get(f"/staff/cases/{case_id}/print").status_code == 200


def test_print_css_is_linked_for_paper_and_sets_the_page(app, filled):
    case_id, ann = filled
    director = staff_client(app, ann)
    page = director.get(f"/staff/cases/{case_id}/print").page
    with app.test_request_context():  # the built, hashed name when `make setup` ran
        print_css = url_for("static", filename="css/print.css")
    links = [link for link in page.iter("link") if link.get("href") == print_css]
    assert [link.get("media") for link in links] == ["print"]
    css = director.get(links[0].get("href"))
    assert css.status_code == 200
    text = css.get_data(as_text=True)
    css.close()
    assert "@page" in text and "A4" in text
    # The confidential marker is in the frame's head and foot, repeated on each page.
    frame = page.find(".//table[@class='print-frame']")
    assert frame.get("role") == "presentation"
    for part in ("thead", "tfoot"):
        assert "Confidential" in "".join(frame.find(part).itertext())


def test_the_number_of_queries_does_not_grow_with_the_people(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    small = open_test_case(app, ann[0], TriageOutcome.TRACK_3)
    large = open_test_case(app, ann[0], TriageOutcome.TRACK_3)
    _fill(app, small, ann[0], children=1)
    _fill(app, large, ann[0], children=6)
    director = staff_client(app, ann)

    def queries(case_id: int) -> int:
        statements = []
        with app.app_context():
            engine = db.get_engine()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert director.get(f"/staff/cases/{case_id}/print").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    assert queries(large) == queries(small)
