"""Transfers between centres and "known at another centre", in the kernel, on
the three-centre network of data/centres-example.json."""

from dataclasses import fields

import pytest
from sqlalchemy import func, select

from core.casework import cases, partners, transfers
from core.intake import triage
from core.model import (
    AuditEvent,
    Case,
    CaseAction,
    CaseEvent,
    CaseMember,
    CasePartner,
    CasePartnerMember,
    CasePerson,
    ConsultationContribution,
    Intake,
    IntakeLink,
    IntakeStatus,
    PlannedConsultation,
    RiskAssessment,
    SafetyPlan,
    Staff,
    TransferStatus,
    TriageOutcome,
)
from core.network.known_elsewhere import KnownAt, known_at, records_to_ask
from core.rules import WHOLE, RuleError
from tests.core.network.network_setup import (
    LEUVEN_NAME,
    NETWORK_FILE,
    STORY,
    centre,
    request_in,
    staff_at,
    whole_leuven_file,
)
from web.db import db

REASON = "Sam woont nu in Mechelen bij haar zus."


@pytest.fixture
def session(app_factory):
    """A session of the network's app, that writes at the end of the test."""
    with app_factory(FJC_CENTRE_FILE=NETWORK_FILE).app_context(), db.writing() as session:
        yield session


def _events(session, action: str) -> dict[int, list[AuditEvent]]:
    found: dict[int, list[AuditEvent]] = {}
    for event in session.scalars(select(AuditEvent).where(AuditEvent.action == action)):
        found.setdefault(event.centre_id, []).append(event)
    return found


def _one_event_per_centre(session, action: str, *slugs: str) -> list[AuditEvent]:
    found = _events(session, action)
    expected = {centre(session, slug).id for slug in slugs}
    assert set(found) == expected, action
    assert all(len(events) == 1 for events in found.values()), action
    return [events[0] for events in found.values()]


def test_a_request_moves_to_the_centre_that_accepts_it(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    sender = staff_at(session, "leuven")
    receiver = staff_at(session, "mechelen")
    intake = request_in(session)
    assert intake.centre_id == leuven.id
    assert triage.claim(session, intake.id, sender).won

    transfer = transfers.send(session, intake, mechelen, f"  {REASON} ", sender)
    assert (transfer.status, transfer.centre_id, transfer.to_centre_id) == (
        TransferStatus.PENDING,
        leuven.id,
        mechelen.id,
    )
    assert transfer.reason == REASON
    assert intake.centre_id == leuven.id, "it stays until the other centre accepts"
    assert transfers.incoming(session, mechelen.id) == [transfer]
    # The coordinators' home page: both lists in one statement.
    assert transfers.awaiting_answer(session, mechelen.id) == ([transfer], [])
    assert transfers.awaiting_answer(session, leuven.id) == ([], [])
    assert transfers.offer_of(session, transfer) == transfers.Offer(
        kind="intake", door="contact", danger_now=False
    )

    assert transfers.accept(session, transfer, receiver) is intake
    assert intake.centre_id == mechelen.id
    assert (intake.assigned_to_id, intake.claimed_at) == (None, None)
    assert (transfer.status, transfer.decided_by_id) == (TransferStatus.ACCEPTED, receiver.id)
    assert transfers.incoming(session, mechelen.id) == []
    # The sending centre's trace: the transfer row, nothing of the request.
    assert transfers.sent_by(session, leuven.id) == [transfer]
    assert session.scalar(select(func.count(Intake.id)).where(Intake.centre_id == leuven.id)) == 0

    for action in ("transfer.sent", "transfer.accepted"):
        for event in _one_event_per_centre(session, action, "leuven", "mechelen"):
            assert event.target_type == "transfer" and event.target_id == transfer.id
            assert event.detail.startswith(f"transfer={transfer.id} intake={intake.id}")
            assert "from=leuven to=mechelen" in event.detail
            assert REASON not in event.detail and "Sam" not in event.detail


def test_what_cannot_be_sent(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    antwerpen = centre(session, "antwerpen")
    coordinator = staff_at(session, "leuven")
    intake = request_in(session)

    def refused(record, to, reason=REASON, by=coordinator) -> dict:
        with pytest.raises(RuleError) as error:
            transfers.send(session, record, to, reason, by)
        return error.value.problems

    assert refused(intake, leuven) == {"to_centre": "same_centre"}
    assert refused(intake, None, "  ") == {"to_centre": "missing", "reason": "missing"}
    assert refused(intake, mechelen, "x" * (transfers.REASON_MAX + 1)) == {"reason": "too_long"}
    antwerpen.active = False
    assert refused(intake, antwerpen) == {"to_centre": "inactive"}
    antwerpen.active = True
    # A case director, or a coordinator of another centre, may not send it.
    assert refused(intake, mechelen, by=staff_at(session, "leuven", "case_director")) == {
        WHOLE: "not_allowed"
    }
    assert refused(intake, antwerpen, by=staff_at(session, "mechelen")) == {WHOLE: "not_allowed"}

    transfers.send(session, intake, mechelen, REASON, coordinator)
    assert refused(intake, antwerpen) == {WHOLE: "pending"}

    closed = request_in(session)
    closed.status = IntakeStatus.CLOSED
    assert refused(closed, mechelen) == {WHOLE: "closed"}
    erased = request_in(session)
    erased.status = IntakeStatus.ERASED
    assert refused(erased, mechelen) == {WHOLE: "erased"}

    in_a_file = request_in(session)
    triage.decide(session, in_a_file, coordinator, outcome=TriageOutcome.TRACK_2)
    case = cases.open_case(session, [in_a_file], coordinator, track=TriageOutcome.TRACK_2)
    in_a_file.status = IntakeStatus.DECIDED  # still refused: the file is what moves
    assert refused(in_a_file, mechelen) == {WHOLE: "in_a_case"}
    case.erased_at = case.opened_at
    assert refused(case, mechelen) == {WHOLE: "erased"}


def test_only_a_coordinator_of_the_receiving_centre_answers(session):
    mechelen = centre(session, "mechelen")
    sender = staff_at(session, "leuven")
    intake = request_in(session)
    transfer = transfers.send(session, intake, mechelen, REASON, sender)
    for outsider in (
        sender,
        staff_at(session, "antwerpen"),
        staff_at(session, "mechelen", "case_director"),
    ):
        with pytest.raises(RuleError) as error:
            transfers.accept(session, transfer, outsider)
        assert error.value.problems == {WHOLE: "not_allowed"}
        with pytest.raises(RuleError):
            transfers.decline(session, transfer, outsider)
    assert transfer.status == TransferStatus.PENDING


def test_a_declined_transfer_leaves_it_where_it_was(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    sender = staff_at(session, "leuven")
    receiver = staff_at(session, "mechelen")
    intake = request_in(session)
    transfer = transfers.send(session, intake, mechelen, REASON, sender)

    transfers.decline(session, transfer, receiver, " Niet in onze regio. ")
    assert (transfer.status, transfer.decline_reason) == (
        TransferStatus.DECLINED,
        "Niet in onze regio.",
    )
    assert intake.centre_id == leuven.id
    for action in ("transfer.sent", "transfer.declined"):
        for event in _one_event_per_centre(session, action, "leuven", "mechelen"):
            assert "regio" not in event.detail
    with pytest.raises(RuleError) as error:
        transfers.accept(session, transfer, receiver)
    assert error.value.problems == {WHOLE: "decided"}
    # Declined once, it may be offered again (here or elsewhere).
    again = transfers.send(session, intake, mechelen, REASON, sender)
    assert again.id != transfer.id
    assert transfers.sent_by(session, leuven.id) == [again, transfer]


def test_a_case_file_arrives_whole(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    sender = staff_at(session, "leuven")
    receiver = staff_at(session, "mechelen")
    built = whole_leuven_file(session, sender)
    case = session.get(Case, built.case_id)
    assert case.centre_id == leuven.id
    assert session.scalars(select(CaseAction.centre_id)).all() == [leuven.id]
    before = {
        "people": [(p.role, p.name) for p in case.people],
        "plans": session.scalars(select(SafetyPlan.content)).all(),
        "risk": session.scalars(select(RiskAssessment.final_level)).all(),
        "actions": session.scalars(select(CaseAction.title)).all(),
    }

    transfer = transfers.send(session, case, mechelen, REASON, sender)
    assert transfers.offer_of(session, transfer) == transfers.Offer(kind="case", track="track_3")
    assert transfers.accept(session, transfer, receiver) is case
    session.expire_all()

    case = session.get(Case, built.case_id)
    assert case.centre_id == mechelen.id
    # The year's next number (the sequence runs over the whole network).
    assert case.number == f"{case.year}-0002"
    assert case.director_id == receiver.id
    assert [i.centre_id for i in case.intakes] == [mechelen.id]
    # People, plans, risk and actions come along, readable.
    assert [(p.role, p.name) for p in case.people] == before["people"]
    assert session.scalars(select(SafetyPlan.content)).all() == before["plans"]
    assert session.scalars(select(RiskAssessment.final_level)).all() == before["risk"]
    assert session.scalars(select(CaseAction.title)).all() == before["actions"]
    # Leuven's case director cannot open it there: the action waits for an owner.
    assert session.scalars(select(CaseAction.owner_staff_id)).all() == [None]
    # The actions move with their file: Mechelen's overdue list finds them.
    assert session.scalars(select(CaseAction.centre_id)).all() == [mechelen.id]
    assert session.scalars(select(CaseMember)).all() == []
    # The partner stays, marked for review, without Leuven's organisation.
    partner = session.get(CasePartner, built.partner_id)
    assert (partner.transfer_review, partner.organisation_id) == (True, None)
    assert partner.organisation == "CAW Leuven"
    assert session.scalars(select(CasePartnerMember)).all() == []
    # The planned consultation and the partner's answer stay as history.
    assert session.get(PlannedConsultation, built.planned_id) is not None
    assert session.scalars(select(ConsultationContribution.contribution)).all() == ["Wij komen."]
    assert not cases.can_view(session.get(Staff, built.director_id), case, session)
    timeline = [e.action for e in case.events]
    assert timeline[:2] == ["transfer.accepted", "transfer.sent"]
    details = {e.action: e.detail for e in case.events}
    assert details["transfer.accepted"] == LEUVEN_NAME

    # One event per centre for each step; the file's own through its timeline.
    for action in ("transfer.sent", "transfer.accepted"):
        events = _one_event_per_centre(session, action, "leuven", "mechelen")
        assert {e.target_type for e in events} == {"case", "transfer"}
    accepted = _events(session, "transfer.accepted")[mechelen.id][0]
    assert "partners_to_review=1" in accepted.detail
    assert "members_removed=1" in accepted.detail

    # Until its basis is checked here, the partner sees nothing of the file.
    assert partners.may_see(partner) == set()
    assert transfers.mark_partner_reviewed(session, case, partner, receiver)
    assert partner.transfer_review is False
    assert partners.may_see(partner)
    assert not transfers.mark_partner_reviewed(session, case, partner, receiver)
    assert (
        session.scalar(select(CaseEvent.detail).where(CaseEvent.action == "case.partner_reviewed"))
        == "caw"
    )


def test_a_moved_request_loses_its_links_to_requests_that_stay(session):
    mechelen = centre(session, "mechelen")
    sender = staff_at(session, "leuven")
    first, second = request_in(session), request_in(session)
    triage.link(session, first, second, sender)
    transfer = transfers.send(session, first, mechelen, REASON, sender)
    transfers.accept(session, transfer, staff_at(session, "mechelen"))
    assert session.scalars(select(IntakeLink)).all() == []
    accepted = _events(session, "transfer.accepted")[mechelen.id][0]
    assert "links_removed=1" in accepted.detail


def test_known_elsewhere_names_the_centre_and_nothing_else(session):
    mechelen = centre(session, "mechelen")
    at_leuven = request_in(session)
    here = request_in(session, "Mechelen")
    assert here.centre_id == mechelen.id

    known = known_at(session, here, matching=True)
    assert known == [KnownAt("leuven", LEUVEN_NAME, asked=False, can_ask=True)]
    # What a page gets holds no id, no date, no content of the other centre.
    assert {f.name for f in fields(KnownAt)} == {"slug", "name", "asked", "can_ask", "coming"}
    assert known_at(session, here, matching=False) == []
    assert records_to_ask(session, here, mechelen, matching=True) == []
    assert records_to_ask(session, here, centre(session, "leuven"), matching=False) == []
    # From Leuven the Mechelen request is known; a request of one's own
    # centre is a match (core.intake.triage.matches), not "known elsewhere".
    assert [k.slug for k in known_at(session, at_leuven, matching=True)] == ["mechelen"]
    other_here = request_in(session, "Mechelen")
    assert [k.slug for k in known_at(session, other_here, matching=True)] == ["leuven"]

    # An e-mail address matches too; a deleted request does not.
    by_mail = request_in(session, "Leuven", phone=None, email="sam@example.be")
    mail_here = request_in(session, "Bornem", phone=None, email="sam@example.be")
    assert [k.name for k in known_at(session, mail_here, matching=True)] == [LEUVEN_NAME]
    by_mail.status = IntakeStatus.ERASED
    assert known_at(session, mail_here, matching=True) == []


def test_a_closed_request_is_known_but_cannot_be_asked_for(session):
    at_leuven = request_in(session)
    at_leuven.status = IntakeStatus.CLOSED
    here = request_in(session, "Mechelen")
    assert known_at(session, here, matching=True) == [
        KnownAt("leuven", LEUVEN_NAME, asked=False, can_ask=False)
    ]


def test_asking_for_a_file_then_sending_and_accepting_it(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    holder = staff_at(session, "leuven")
    asker = staff_at(session, "mechelen")
    built = whole_leuven_file(session, holder)
    here = request_in(session, "Mechelen")

    [record] = records_to_ask(session, here, leuven, matching=True)
    assert isinstance(record, Case) and record.id == built.case_id, "the file, not its request"
    with pytest.raises(RuleError) as error:
        transfers.ask(session, mechelen, record, holder)
    assert error.value.problems == {WHOLE: "not_allowed"}
    asked = transfers.ask(session, mechelen, record, asker)
    assert (asked.status, asked.centre_id, asked.to_centre_id, asked.reason) == (
        TransferStatus.ASKED,
        leuven.id,
        mechelen.id,
        None,
    )
    _one_event_per_centre(session, "transfer.asked", "leuven", "mechelen")
    assert known_at(session, here, matching=True) == [
        KnownAt("leuven", LEUVEN_NAME, asked=True, can_ask=False)
    ]
    assert records_to_ask(session, here, leuven, matching=True) == []
    with pytest.raises(RuleError):
        transfers.ask(session, mechelen, record, asker)
    assert transfers.asked_of(session, leuven.id) == [asked]
    assert transfers.awaiting_answer(session, leuven.id) == ([], [asked])
    assert transfers.asked_by(session, mechelen.id) == [asked]
    assert transfers.sent_by(session, leuven.id) == []
    # The asking centre cannot take it before the holder sends it.
    with pytest.raises(RuleError):
        transfers.accept(session, asked, asker)

    sent = transfers.send(session, record, mechelen, REASON, holder)
    assert sent.id == asked.id and sent.status == TransferStatus.PENDING
    assert known_at(session, here, matching=True) == [
        KnownAt("leuven", LEUVEN_NAME, asked=False, can_ask=False, coming=True)
    ]
    assert transfers.asked_by(session, mechelen.id) == []
    transfers.accept(session, sent, asker)
    assert session.get(Case, built.case_id).centre_id == mechelen.id
    assert known_at(session, here, matching=True) == []


def test_an_ask_the_holder_declines_is_no_transfer(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    holder = staff_at(session, "leuven")
    asker = staff_at(session, "mechelen")
    at_leuven = request_in(session)
    asked = transfers.ask(session, mechelen, at_leuven, asker)
    with pytest.raises(RuleError):
        transfers.decline(session, asked, asker)  # the holder answers an ask
    transfers.decline(session, asked, holder)
    assert asked.status == TransferStatus.DECLINED
    assert at_leuven.centre_id == leuven.id
    assert transfers.sent_by(session, leuven.id) == []
    assert transfers.asked_by(session, mechelen.id) == [asked]
    _one_event_per_centre(session, "transfer.declined", "leuven", "mechelen")


def test_the_trace_of_the_sending_centre_holds_no_content(session):
    leuven, mechelen = centre(session, "leuven"), centre(session, "mechelen")
    sender = staff_at(session, "leuven")
    built = whole_leuven_file(session, sender)
    transfer = transfers.send(session, session.get(Case, built.case_id), mechelen, REASON, sender)
    transfers.accept(session, transfer, staff_at(session, "mechelen"))
    # Nothing of the file is Leuven's any more: no file, no request, no person.
    assert session.scalar(select(func.count(Case.id)).where(Case.centre_id == leuven.id)) == 0
    assert session.scalar(select(func.count(Intake.id)).where(Intake.centre_id == leuven.id)) == 0
    assert (
        session.scalar(
            select(func.count(CasePerson.id))
            .join(Case, Case.id == CasePerson.case_id)
            .where(Case.centre_id == leuven.id)
        )
        == 0
    )
    leuven_details = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.centre_id == leuven.id, AuditEvent.action.like("transfer.%")
        )
    ).all()
    assert leuven_details and not any(
        word in (detail or "") for detail in leuven_details for word in ("Sam", STORY, REASON)
    )
