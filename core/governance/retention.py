"""Erasure and retention: what is removed when a request is deleted, and when.

One function, `erase_intake`, removes a request's personal data; both the
requester's "delete my request" (core.intake.mailbox.erase) and the retention purge
call it, so the two can never drift apart. The row itself stays, holding only
non-identifying facts (door, language, municipality, dates, status "erased"),
so the centre's figures stay right after the people behind them are gone.

The purge is a list of rules, one per kind of record: requests
(FJC_RETENTION_DAYS after closing) and case files (FJC_CASE_RETENTION_YEARS
after closing). A request that became a case file lives as long as the file,
and goes with it. `erase_case` keeps, like `erase_intake`, only what the
figures need and what identifies no one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from core.infra import clock
from core.model import (
    Case,
    CaseAction,
    CaseConsultation,
    CaseIntake,
    CaseMember,
    CasePartner,
    CasePartnerMember,
    CasePerson,
    CaseRelation,
    CaseStatus,
    ChildVoice,
    ConsultationContribution,
    ContactAttempt,
    ContactRulesChange,
    Feedback,
    Intake,
    IntakeLink,
    IntakeStatus,
    MailboxSession,
    PlannedConsultation,
    RiskAssessment,
    SafetyPlan,
    TriageDecision,
)
from core.network.centre_keys import encrypting_for_centre

# Every intake column that says something about a person, or could help find
# them again. Everything else on the row is kept for the figures.
INTAKE_PERSONAL_FIELDS = (
    "name",
    "phone",
    "email",
    "safe_word",
    "trusted_adult",
    "story",
    "phone_index",
    "email_index",
    "submission_key",
    "safe_days",
    "safe_times",
    "contact_language",
    "interpreter_needed",
    "may_call",
    "may_text",
    "may_voicemail",
    "phone_say_who",
    "email_say_who",
)
# What an erased intake still holds, for the privacy documentation and a test
# that fails when a new column is added without deciding which side it is on.
INTAKE_KEPT_FIELDS = (
    "id",
    "centre_id",
    "kind",
    "status",
    "priority",
    "language",
    "municipality_id",
    "children_involved",
    # An age range (not a birth date), for the figures of the young people's door.
    "age_range",
    "danger_now",
    "return_code_key",  # replaced by a random value that opens nothing
    "created_at",
    "first_contact_at",
    "closed_at",
    "erased_at",
    # Triage facts without personal data: who handled it, when, and the outcome.
    "assigned_to_id",
    "claimed_at",
    "decided_at",
    "outcome",
    # Whether she was asked for feedback: a flag, no link to the answers.
    "feedback_after_triage",
    "feedback_after_closure",
)
ERASED_CODE_PREFIX = "erased-"
DEFAULT_BATCH_SIZE = 200


def erase_intake(session: Session, intake: Intake, *, now: datetime | None = None) -> None:
    """Remove every personal field, message and referral of one request, for good."""
    for column in INTAKE_PERSONAL_FIELDS:
        setattr(intake, column, None)
    # delete-orphan cascades: the rows are deleted, not just unlinked.
    intake.messages.clear()
    intake.referral = None
    # Notes of contact attempts and decisions may name people; earlier
    # safe-contact rules hold her numbers; an open mailbox must end; links
    # point at another request of the same person. Status changes hold only
    # times.
    for model in (ContactAttempt, TriageDecision, ContactRulesChange, MailboxSession):
        session.execute(delete(model).where(model.intake_id == intake.id))
    session.execute(
        delete(IntakeLink).where(
            or_(IntakeLink.intake_id == intake.id, IntakeLink.linked_intake_id == intake.id)
        )
    )
    # What the case file copied from this request goes too: the person asked
    # for their data to be deleted, and the file must not keep a copy.
    # That copy is the file's first person (core.casework.cases.open_case); people staff
    # added later, another victim too, are not from this request.
    copied = (
        select(func.min(CasePerson.id))
        .join(CaseIntake, CaseIntake.case_id == CasePerson.case_id)
        .where(CaseIntake.intake_id == intake.id)
        .scalar_subquery()
    )
    for person in session.scalars(select(CasePerson).where(CasePerson.id == copied)):
        person.name = person.phone = person.email = None
    # The code must open nothing any more; the column is unique and required.
    intake.return_code_key = ERASED_CODE_PREFIX + secrets.token_hex(28)
    intake.status = IntakeStatus.ERASED
    now = now or clock.now()
    intake.erased_at = now
    intake.closed_at = intake.closed_at or now
    session.flush()


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record: which ones are due at `now`, and how to erase one."""

    name: str
    setting: str
    due: Callable[[Mapping[str, Any], datetime], Select]
    erase: Callable[[Session, Any, datetime], None]


def _intakes_due(config: Mapping[str, Any], now: datetime) -> Select:
    cutoff = now - timedelta(days=int(config["FJC_RETENTION_DAYS"]))
    # Only closed requests: an open one is still being worked on, however old.
    # Erased ones are already done, which is what makes the purge idempotent.
    # A request that became a case file lives as long as the case does.
    return (
        select(Intake.id)
        .where(
            Intake.status == IntakeStatus.CLOSED,
            Intake.closed_at < cutoff,
            Intake.id.not_in(select(CaseIntake.intake_id)),
        )
        .order_by(Intake.id)
    )


def _erase_intake_by_id(session: Session, intake_id: int, now: datetime) -> None:
    intake = session.get(Intake, intake_id)
    if intake is not None and intake.status == IntakeStatus.CLOSED:
        erase_intake(session, intake, now=now)


# What an erased case file's people still hold: their role, so the figures can
# count the children in case files. Names, contact details and notes go.
CASE_PERSON_PERSONAL_FIELDS = (
    "name",
    "phone",
    "email",
    "contact_safety",
    "birth_year",
    "school_contacts",
    "notes",
)
# Rows of a case file that are nothing but its content: deleted whole. Actions
# go before partners and consultations, which they point at.
CASE_CONTENT_MODELS = (
    CaseRelation,
    SafetyPlan,
    ChildVoice,
    CaseAction,
    CaseConsultation,
    PlannedConsultation,
    CasePartner,
    CaseMember,
)


def erase_case(session: Session, case: Case, *, now: datetime | None = None) -> None:
    """Remove a closed case file's personal content for good, with the requests
    it was opened from. Kept: number, track, dates, closure reason, director,
    the people's roles, the risk levels and the timeline's action codes."""
    now = now or clock.now()
    for intake in case.intakes:
        if intake.status != IntakeStatus.ERASED:
            erase_intake(session, intake, now=now)
    for person in case.people:
        for column in CASE_PERSON_PERSONAL_FIELDS:
            setattr(person, column, None)
        person.no_direct_contact = False
    # Rows that hang from the file's partners and planned consultations first.
    planned = select(PlannedConsultation.id).where(PlannedConsultation.case_id == case.id)
    partners = select(CasePartner.id).where(CasePartner.case_id == case.id)
    session.execute(
        delete(ConsultationContribution).where(ConsultationContribution.planned_id.in_(planned))
    )
    session.execute(
        delete(CasePartnerMember).where(CasePartnerMember.case_partner_id.in_(partners))
    )
    for model in CASE_CONTENT_MODELS:
        session.execute(delete(model).where(model.case_id == case.id))
    for assessment in session.scalars(
        select(RiskAssessment).where(RiskAssessment.case_id == case.id)
    ):
        assessment.answers = {}
        assessment.judgement_reason = None
    for event in case.events:
        event.detail = None
    case.closure_note = None
    case.erased_at = now
    session.flush()


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year - years, day=28)


def _cases_due(config: Mapping[str, Any], now: datetime) -> Select:
    cutoff = _years_before(now, int(config["FJC_CASE_RETENTION_YEARS"]))
    # Only closed files: an open one is being worked on, however old. Erased
    # ones are done, which keeps the purge idempotent.
    return (
        select(Case.id)
        .where(
            Case.status == CaseStatus.CLOSED,
            Case.closed_at < cutoff,
            Case.erased_at.is_(None),
        )
        .order_by(Case.id)
    )


def _erase_case_by_id(session: Session, case_id: int, now: datetime) -> None:
    case = session.get(Case, case_id)
    if case is not None and case.status == CaseStatus.CLOSED and case.erased_at is None:
        # The purge runs for every centre: what it writes (emptied risk
        # answers) goes under the keys of the file's own centre.
        with encrypting_for_centre(session, case.centre_id):
            erase_case(session, case, now=now)


def _feedback_due(config: Mapping[str, Any], now: datetime) -> Select:
    """Feedback whose month lies more than the setting's months before this
    one. It follows its own clock: it is linked to no request or file, so it
    stays when a request is deleted, and goes when its own time is up."""
    months = config["FJC_FEEDBACK_RETENTION_MONTHS"]
    index = now.year * 12 + now.month - 1 - months
    cutoff = f"{index // 12:04d}-{index % 12 + 1:02d}"
    return select(Feedback.id).where(Feedback.month < cutoff).order_by(Feedback.id)


def _erase_feedback_by_id(session: Session, feedback_id: str, now: datetime) -> None:
    session.execute(delete(Feedback).where(Feedback.id == feedback_id))


RULES: tuple[RetentionRule, ...] = (
    RetentionRule("intakes", "FJC_RETENTION_DAYS", _intakes_due, _erase_intake_by_id),
    RetentionRule("cases", "FJC_CASE_RETENTION_YEARS", _cases_due, _erase_case_by_id),
    RetentionRule(
        "feedback", "FJC_FEEDBACK_RETENTION_MONTHS", _feedback_due, _erase_feedback_by_id
    ),
)


@dataclass
class PurgeReport:
    erased: dict[str, int]
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(self.erased.values())


def purge(
    session_factory: Callable[[], Any],
    config: Mapping[str, Any],
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> PurgeReport:
    """Erase every record whose retention ran out at `now`; return counts only.

    `session_factory` gives a context manager yielding a write session that
    commits on exit (db.writing). A batch is one transaction, so a long purge
    never holds the write lock for long and an interrupted one keeps its work.
    """
    now = now or clock.now()
    erased: dict[str, int] = {}
    for rule in RULES:
        count = 0
        while True:
            with session_factory() as session:
                if dry_run:
                    due = rule.due(config, now).subquery()
                    count = session.scalar(select(func.count()).select_from(due)) or 0
                    break
                ids = list(session.scalars(rule.due(config, now).limit(batch_size)))
                for record_id in ids:
                    rule.erase(session, record_id, now)
                count += len(ids)
            if len(ids) < batch_size:
                break
        erased[rule.name] = count
    return PurgeReport(erased=erased, dry_run=dry_run)
