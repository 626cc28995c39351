"""Triage rules on both databases: claiming, contact attempts, decisions,
status history, unread messages and matching."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.intake import triage
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message, add_staff_reply
from core.intake.safe_window import Channel
from core.model import (
    AuditEvent,
    Intake,
    IntakeKind,
    IntakeStatus,
    IntakeStatusChange,
    Staff,
    TriageOutcome,
)
from core.rules import WHOLE, RuleError
from web.db import db

BRUSSELS = "Europe/Brussels"
MONDAY_MORNING = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 in Brussels


def _submit(session, **contact) -> Intake:
    intake, _code = submit(
        session,
        Submission(
            kind=IntakeKind.CONTACT,
            language="nl",
            contact=SafeContact(**{"email": "x@example.be", **contact}),
        ),
    )
    return intake


@pytest.fixture
def two_staff(app, make_staff):
    first, _ = make_staff("case_director", name="Ann")
    second, _ = make_staff("case_director", name="Bram")
    return first, second


def test_two_people_claiming_at_once_exactly_one_wins(app, two_staff):
    with app.app_context(), db.writing() as session:
        intake_id = _submit(session).id
    results: list[triage.ClaimResult] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def claim(staff_id: int):
        with app.app_context():
            try:
                start.wait()
                with db.writing() as session:
                    results.append(triage.claim(session, intake_id, session.get(Staff, staff_id)))
            except BaseException as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)

    threads = [threading.Thread(target=claim, args=(staff_id,)) for staff_id in two_staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.won for result in results) == [False, True]
    winner = next(result.holder for result in results if result.won)
    loser = next(result for result in results if not result.won)
    assert loser.holder.id == winner.id, "the loser is told who has it"
    with app.app_context():
        intake = db.session.get(Intake, intake_id)
        assert intake.assigned_to_id == winner.id
        assert intake.status == IntakeStatus.IN_PROGRESS
        changes = db.session.scalars(select(IntakeStatusChange)).all()
    assert [(c.from_status, c.to_status) for c in changes] == [("new", "in_progress")]


def test_many_claims_of_many_requests_never_double_assign(app, two_staff):
    with app.app_context(), db.writing() as session:
        ids = [_submit(session, email=f"n{n}@example.be").id for n in range(10)]
    wins: dict[int, list[int]] = {staff_id: [] for staff_id in two_staff}
    start = threading.Barrier(2)

    def claim_all(staff_id: int):
        with app.app_context():
            start.wait()
            for intake_id in ids:
                with db.writing() as session:
                    if triage.claim(session, intake_id, session.get(Staff, staff_id)).won:
                        wins[staff_id].append(intake_id)

    threads = [threading.Thread(target=claim_all, args=(s,)) for s in two_staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = (set(w) for w in wins.values())
    assert first | second == set(ids) and not first & second


def test_an_attempt_outside_safe_times_is_saved_with_its_flag(app, clock, two_staff):
    """The record must say what was done: a call already made outside her
    rules is stored, flagged, never refused."""
    clock.current = MONDAY_MORNING
    with app.app_context(), db.writing() as session:
        intake = _submit(
            session,
            phone="0470 11 22 33",
            may_call=True,
            safe_days=("tue",),
            safe_times=("evening",),
        )
        staff = session.get(Staff, two_staff[0])
        attempt, check = triage.record_attempt(
            session,
            intake,
            staff,
            channel=Channel.CALL,
            outcome=triage.AttemptOutcome.NO_ANSWER,
            note="called before I saw her times",
            timezone=BRUSSELS,
        )
        assert not check.safe and check.outside_safe_time
        assert attempt.outside_safe_time is True and attempt.channel_not_allowed is False
        assert intake.status == IntakeStatus.CONTACT_ATTEMPTED
        assert intake.first_contact_at is None


def test_a_portal_reply_is_never_outside_the_safe_times(app, clock, two_staff):
    """She reads a reply when she comes back herself: her times are about calls."""
    clock.current = MONDAY_MORNING
    with app.app_context(), db.writing() as session:
        intake = _submit(session, phone="0470 11 22 33", may_call=True, safe_days=("tue",))
        assert triage.check_attempt(intake, Channel.PORTAL, BRUSSELS).safe
        assert triage.check_attempt(intake, Channel.CALL, BRUSSELS).outside_safe_time


def test_an_anonymous_question_offers_only_the_portal_reply(app, clock, two_staff):
    with app.app_context(), db.writing() as session:
        question = submit(
            session, Submission(kind=IntakeKind.QUESTION, language="nl", story="Mag dat?")
        )[0]
        assert triage.available_channels(question) == [Channel.PORTAL]
        with pytest.raises(RuleError) as refused:
            triage.record_attempt(
                session,
                question,
                session.get(Staff, two_staff[0]),
                channel=Channel.CALL,
                outcome=triage.AttemptOutcome.NO_ANSWER,
                note=None,
                timezone=BRUSSELS,
            )
        assert refused.value.problems == {"channel": "not_available"}


def test_a_channel_the_person_did_not_allow_is_flagged(app, clock, two_staff):
    clock.current = MONDAY_MORNING
    with app.app_context(), db.writing() as session:
        intake = _submit(session, phone="0470 11 22 33", may_call=True, may_text=False)
        check = triage.check_attempt(intake, Channel.TEXT, BRUSSELS)
        assert check.channel_not_allowed and not check.outside_safe_time
        assert triage.check_attempt(intake, Channel.CALL, BRUSSELS).safe


def test_reaching_the_person_sets_the_first_contact_time(app, clock, two_staff):
    clock.current = MONDAY_MORNING
    with app.app_context(), db.writing() as session:
        intake = _submit(session, phone="0470 11 22 33", may_call=True)
        staff = session.get(Staff, two_staff[0])
        triage.record_attempt(
            session,
            intake,
            staff,
            channel=Channel.CALL,
            outcome=triage.AttemptOutcome.REACHED,
            note=None,
            timezone=BRUSSELS,
        )
        assert intake.first_contact_at == MONDAY_MORNING
        assert intake.status == IntakeStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (TriageOutcome.TRACK_1, IntakeStatus.CLOSED),
        (TriageOutcome.TRACK_2, IntakeStatus.DECIDED),
        (TriageOutcome.TRACK_3, IntakeStatus.DECIDED),
        (TriageOutcome.OUT_OF_SCOPE, IntakeStatus.CLOSED),
        (TriageOutcome.COULD_NOT_REACH, IntakeStatus.CLOSED),
    ],
)
def test_every_decision_sets_its_status_and_times(app, clock, two_staff, outcome, status):
    clock.current = MONDAY_MORNING
    with app.app_context(), db.writing() as session:
        intake = _submit(session)
        staff = session.get(Staff, two_staff[0])
        triage.decide(session, intake, staff, outcome=outcome, referred_to="CAW Mechelen")
        assert intake.status == status
        assert intake.outcome == outcome
        assert intake.decided_at == MONDAY_MORNING
        assert (intake.closed_at is not None) == (status == IntakeStatus.CLOSED)
        with pytest.raises(RuleError) as refused:
            triage.decide(session, intake, staff, outcome=TriageOutcome.TRACK_2)
        assert refused.value.problems == {WHOLE: triage.NOT_OPEN}
        changes = session.scalars(
            select(IntakeStatusChange).where(IntakeStatusChange.intake_id == intake.id)
        ).all()
        assert [(c.to_status, c.created_at) for c in changes] == [(status, MONDAY_MORNING)]


def test_a_referral_to_another_service_must_name_it(app, two_staff):
    with app.app_context(), db.writing() as session:
        intake = _submit(session)
        staff = session.get(Staff, two_staff[0])
        with pytest.raises(RuleError) as refused:
            triage.decide(session, intake, staff, outcome=TriageOutcome.TRACK_1, referred_to=" ")
        assert refused.value.problems == {"referred_to": "missing"}


def test_a_new_message_raises_the_request_until_it_is_read(app, two_staff):
    with app.app_context(), db.writing() as session:
        intake = _submit(session)
        assert intake.priority == 0
        message = add_requester_message(session, intake, "More information")
        assert intake.priority == 25
        staff = session.get(Staff, two_staff[0])
        triage.mark_read(session, message, True, staff)
        assert intake.priority == 0
        triage.mark_read(session, message, False, staff)
        assert intake.priority == 25
        audited = session.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.detail).where(
                AuditEvent.action.like("intake.message_%")
            )
        ).all()
        assert [tuple(row) for row in audited] == [
            ("intake.message_read", staff.id, f"message {message.id}"),
            ("intake.message_unread", staff.id, f"message {message.id}"),
        ]


def test_requests_of_the_same_person_are_found_by_blind_index(app, two_staff):
    with app.app_context(), db.writing() as session:
        first = _submit(session, phone="+32 470 12 34 56", email=None)
        same_phone = _submit(session, phone="0470/12.34.56", email=None)
        same_email = _submit(session, phone=None, email="Sam@Example.be ")
        other = _submit(session, phone=None, email="sam@example.be")
        unrelated = _submit(session, phone="0499 99 99 99", email=None)
        assert [i.id for i in triage.matches(session, first)] == [same_phone.id]
        assert [i.id for i in triage.matches(session, same_email)] == [other.id]
        assert triage.matches(session, unrelated) == []
        staff = session.get(Staff, two_staff[0])
        triage.link(session, first, same_phone, staff)
        triage.link(session, same_phone, first, staff)  # a second link is a no-op
        assert triage.linked_ids(session, first) == {same_phone.id}
        assert triage.linked_ids(session, same_phone) == {first.id}


def test_a_referral_gets_its_priority_when_it_arrives(app):
    with app.app_context(), db.writing() as session:
        intake, _ = submit(
            session,
            Submission(
                kind=IntakeKind.REFERRAL,
                language="nl",
                contact=SafeContact(email="c@example.be"),
                children_involved="yes",
                referral=ReferralDetails(
                    organisation="CAW",
                    name="Ann",
                    client_consent="agrees",
                    urgency="today",
                    risk_concerns=("strangulation",),
                ),
            ),
        )
        assert intake.priority == 80 + 40 + 20


def test_each_triage_change_writes_its_audit_row_in_the_same_call(app, clock, two_staff):
    clock.current = MONDAY_MORNING
    with app.app_context(), db.writing() as session:
        intake = _submit(session, phone="0470 11 22 33", may_call=True, email=None)
        twin = _submit(session, phone="0470/11.22.33", may_call=True, email=None)
        ann, bram = (session.get(Staff, staff_id) for staff_id in two_staff)
        assert triage.claim(session, intake.id, ann).won
        triage.assign(session, intake, bram, ann)
        triage.assign(session, intake, None, ann)
        attempt, _check = triage.record_attempt(
            session,
            intake,
            ann,
            channel=Channel.TEXT,
            outcome=triage.AttemptOutcome.NO_ANSWER,
            note=None,
            timezone=BRUSSELS,
        )
        triage.link(session, intake, twin, ann)
        triage.link(session, twin, intake, ann)  # already linked: nothing changes, nothing recorded
        reply = add_staff_reply(session, intake, bram, "We will call.")
        triage.decide(session, intake, ann, outcome=TriageOutcome.TRACK_2)
        rows = session.execute(
            select(
                AuditEvent.action,
                AuditEvent.actor_id,
                AuditEvent.target_type,
                AuditEvent.target_id,
                AuditEvent.detail,
            ).order_by(AuditEvent.id)
        ).all()
    ann_id, bram_id = two_staff
    on = ("intake", intake.id)
    assert [tuple(row) for row in rows if row.action.startswith("intake.")] == [
        ("intake.claimed", ann_id, *on, None),
        ("intake.assigned", ann_id, *on, f"to staff {bram_id}"),
        ("intake.assigned", ann_id, *on, "released"),
        ("intake.contact_attempt", ann_id, *on, f"attempt {attempt.id} outside the rules"),
        ("intake.linked", ann_id, *on, f"intake {twin.id}"),
        ("intake.replied", bram_id, *on, f"message {reply.id}"),
        ("intake.decided", ann_id, *on, "track_2"),
    ]


def test_refused_triage_changes_name_their_field_and_record_nothing(app, two_staff):
    with app.app_context(), db.writing() as session:
        intake = _submit(session, phone="0470 11 22 33", email=None)
        stranger = _submit(session, phone="0499 99 99 99", email=None)
        ann, bram = (session.get(Staff, staff_id) for staff_id in two_staff)
        bram.is_active = False
        refusals = []
        for change in (
            lambda: triage.assign(session, intake, bram, ann),
            lambda: triage.link(session, intake, intake, ann),
            lambda: triage.link(session, intake, stranger, ann),
        ):
            with pytest.raises(RuleError) as refused:
                change()
            refusals.append(refused.value.problems)
        triage.decide(session, intake, ann, outcome=TriageOutcome.COULD_NOT_REACH)
        with pytest.raises(RuleError) as closed:
            triage.assign(session, intake, ann, ann)
        refusals.append(closed.value.problems)
        actions = session.scalars(select(AuditEvent.action)).all()
    assert refusals == [
        {"staff_id": "inactive"},
        {"other": "itself"},
        {"other": "not_a_match"},
        {WHOLE: triage.NOT_OPEN},
    ]
    assert [a for a in actions if a.startswith("intake.")] == ["intake.decided"]
