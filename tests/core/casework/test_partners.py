"""Partners in a case file: the basis for sharing and what each may see."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.casework import cases, partners
from core.model import Case, CaseEvent, CasePartner, Staff, TriageOutcome
from core.rules import RuleError
from tests.factories import case_from_request
from web.db import db


def _case(session, staff):
    return case_from_request(session, staff, TriageOutcome.TRACK_3)


@pytest.fixture
def case_and_staff(app, make_staff):
    staff_id, _ = make_staff("case_director")
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        case_id = _case(session, staff).id
    return case_id, staff_id


def _add(session, case_id, staff_id, **fields):
    case = session.get(Case, case_id)
    data = {"kind": "caw", "organisation": "CAW Oost-Vlaanderen", "basis": "consent"}
    data.update(fields)
    return partners.add_partner(session, case, session.get(Staff, staff_id), **data)


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"scope": [], "consent_given_at": "now"}, {"scope": "missing"}),
        ({"scope": ["story", "passwords"], "consent_given_at": "now"}, {"scope": "missing"}),
        ({"scope": ["story"]}, {"consent_given_at": "missing"}),
        ({"scope": ["story"], "consent_given_at": "tomorrow"}, {"consent_given_at": "future"}),
        ({"kind": "neighbour", "scope": ["story"], "consent_given_at": "now"}, {"kind": "missing"}),
        (
            {"organisation": "  ", "scope": ["story"], "consent_given_at": "now"},
            {"organisation": "missing"},
        ),
        ({"basis": "hunch"}, {"basis": "missing"}),
    ],
)
def test_consent_needs_a_scope_and_a_date_not_in_the_future(
    app, case_and_staff, clock, fields, problems
):
    case_id, staff_id = case_and_staff
    when = {"now": clock(), "tomorrow": clock() + timedelta(days=1)}
    if "consent_given_at" in fields:
        fields = {**fields, "consent_given_at": when[fields["consent_given_at"]]}
    with app.app_context(), db.writing() as session:
        with pytest.raises(RuleError) as refused:
            _add(session, case_id, staff_id, **fields)
        assert refused.value.problems == problems


def test_a_consent_partner_sees_the_scope_until_consent_is_withdrawn(app, case_and_staff, clock):
    case_id, staff_id = case_and_staff
    given = clock()
    with app.app_context(), db.writing() as session:
        partner = _add(
            session,
            case_id,
            staff_id,
            scope=["story", "contact_details", "story"],
            consent_given_at=given,
        )
        assert partner.consent_scope == ["contact_details", "story"]
        assert partners.may_see(partner) == {"contact_details", "story"}
        assert partners.may_see(partner, given - timedelta(minutes=1)) == set()
        clock.advance(days=3)
        staff = session.get(Staff, staff_id)
        partners.withdraw_consent(session, session.get(Case, case_id), partner, staff)
        assert partners.may_see(partner) == set()
        # Before the withdrawal the partner could see the scope: the file shows it.
        assert partners.may_see(partner, given + timedelta(days=1)) == {"contact_details", "story"}
        with pytest.raises(RuleError):
            partners.withdraw_consent(session, session.get(Case, case_id), partner, staff)
        partner_id = partner.id
    with app.app_context():
        stored = db.session.get(CasePartner, partner_id)
        assert stored.organisation == "CAW Oost-Vlaanderen"
        assert partners.may_see(stored) == set()
        actions = [
            (e.action, e.detail)
            for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))
        ]
        assert ("case.partner_added", "caw, consent") in actions
        assert ("case.consent_withdrawn", "caw") in actions
        # No organisation name in the timeline.
        assert not any("Oost" in (detail or "") for _, detail in actions)


def test_a_case_consultation_partner_sees_every_part_and_cannot_be_withdrawn(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        partner = _add(
            session,
            case_id,
            staff_id,
            kind="police",
            organisation="PZ Gent",
            basis="case_consultation",
            scope=["story"],
        )
        assert partner.consent_scope is None and partner.consent_given_at is None
        assert partners.may_see(partner) == set(partners.PARTS)
        with pytest.raises(RuleError) as refused:
            partners.withdraw_consent(
                session, session.get(Case, case_id), partner, session.get(Staff, staff_id)
            )
        assert refused.value.field == "basis"
        assert partners.may_see(partner) == set(partners.PARTS)


def test_the_action_plan_is_a_part_a_consultation_shares_and_consent_may_name(
    app, case_and_staff, clock
):
    case_id, staff_id = case_and_staff
    assert "action_plan" in partners.PARTS
    with app.app_context(), db.writing() as session:
        consultation = _add(session, case_id, staff_id, basis="case_consultation")
        assert "action_plan" in partners.may_see(consultation)
        consent = _add(session, case_id, staff_id, scope=["story"], consent_given_at=clock())
        assert "action_plan" not in partners.may_see(consent)
        planned = _add(session, case_id, staff_id, scope=["action_plan"], consent_given_at=clock())
        assert partners.may_see(planned) == {"action_plan"}


def _update(session, case_id, staff_id, partner, **fields):
    data = {"kind": partner.kind, "organisation": partner.organisation}
    data.update(fields)
    return partners.update_partner(
        session, session.get(Case, case_id), partner, session.get(Staff, staff_id), **data
    )


def test_updating_a_partner_changes_who_and_records_the_kind_only(app, case_and_staff, clock):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        partner = _add(session, case_id, staff_id, scope=["story"], consent_given_at=clock())
        changed = _update(
            session,
            case_id,
            staff_id,
            partner,
            kind="youth_care",
            organisation="  Jongerenwelzijn  ",
            contact_name="Tom",
            contact_details="",
        )
        assert changed is True
        assert (partner.kind, partner.organisation, partner.contact_name) == (
            "youth_care",
            "Jongerenwelzijn",
            "Tom",
        )
        assert partner.contact_details is None
        # The basis and scope are a consent of their own: untouched.
        assert partner.basis == "consent" and partner.consent_scope == ["story"]
        # The same details again change nothing and add no event.
        assert (
            _update(
                session,
                case_id,
                staff_id,
                partner,
                contact_name="Tom",
            )
            is False
        )
    with app.app_context():
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.action == "case.partner_updated")
        ).all()
    assert [e.detail for e in events] == ["youth_care"]


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"kind": "neighbour"}, {"kind": "missing"}),
        ({"organisation": " "}, {"organisation": "missing"}),
        ({"organisation": "x" * 201}, {"organisation": "too_long"}),
        ({"contact_name": "x" * 201}, {"contact_name": "too_long"}),
        ({"contact_details": "x" * 501}, {"contact_details": "too_long"}),
    ],
)
def test_updating_a_partner_checks_the_details(app, case_and_staff, fields, problems):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        partner = _add(session, case_id, staff_id, basis="case_consultation")
        with pytest.raises(RuleError) as refused:
            _update(session, case_id, staff_id, partner, **fields)
        assert refused.value.problems == problems
        assert partner.organisation == "CAW Oost-Vlaanderen" and partner.kind == "caw"


def test_a_partner_of_another_or_a_closed_file_cannot_be_updated(app, case_and_staff):
    case_id, staff_id = case_and_staff
    with app.app_context(), db.writing() as session:
        staff = session.get(Staff, staff_id)
        partner = _add(session, case_id, staff_id, basis="case_consultation")
        other = _case(session, staff)
        with pytest.raises(RuleError) as refused:
            partners.update_partner(
                session, other, partner, staff, kind="police", organisation="PZ Gent"
            )
        assert refused.value.problems == {"case": "other_case"}
        case = session.get(Case, case_id)
        cases.close(session, case, staff, "goals_reached", None)
        with pytest.raises(RuleError) as refused:
            _update(session, case_id, staff_id, partner, organisation="PZ Gent")
        assert refused.value.problems == {"case": "closed"}
