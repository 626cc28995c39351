"""Erasure and retention: what is removed when a request is deleted, and when.

One function, `erase_intake`, removes a request's personal data; both the
requester's "delete my request" (core.intake.mailbox.erase) and the retention purge
call it, so the two can never drift apart. The row itself stays, holding only
non-identifying facts (door, language, municipality, dates, status "erased"),
so the centre's figures stay right after the people behind them are gone.

The purge is a list of rules, one per kind of record: requests
(FJC_RETENTION_DAYS after closing, or FJC_RETENTION_DAYS_<KIND> for one door),
case files (FJC_CASE_RETENTION_YEARS after closing, or
FJC_CASE_RETENTION_YEARS_<TRACK> for one track), anonymous feedback, and
answered access requests (FJC_ACCESS_REQUEST_RETENTION_DAYS after the copy
was given or the request refused). A request that became a case
file lives as long as the file, and goes with it. `erase_case` keeps, like
`erase_intake`, only what the figures need and what identifies no one.

Nothing goes silently: a legal hold (core.governance.retention_holds) keeps a
record out of the purge, which counts what it held back; `preview` lists what
the purge will erase in the coming days; each batch leaves a trace that counts
what it erased by centre, month and kind or track, and names nothing.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from core.governance.rights import forgetting
from core.infra import clock
from core.infra.config import (
    CASE_RETENTION_TRACKS,
    DEFAULT_ACCESS_REQUEST_RETENTION_DAYS,
    RETENTION_KINDS,
    case_retention_years_variable,
    retention_days_variable,
)
from core.model import (
    AccessRequest,
    AuditEvent,
    Case,
    CaseAction,
    CaseConsultation,
    CaseHold,
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
    Conversation,
    ConversationMessage,
    Feedback,
    Intake,
    IntakeHold,
    IntakeLink,
    IntakeStatus,
    MailboxSession,
    PlannedConsultation,
    PurgedRecord,
    PurgeTrace,
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
    # A call-back she booked through "Talk now": her safe moment.
    "callback_at",
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
    # A conversation's transcript is her words and the team's answers to
    # them; the conversation row keeps only its times for the figures.
    talked = select(Conversation.id).where(Conversation.intake_id == intake.id)
    session.execute(
        delete(ConversationMessage).where(ConversationMessage.conversation_id.in_(talked))
    )
    for conversation in session.scalars(
        select(Conversation).where(Conversation.intake_id == intake.id)
    ):
        conversation.token_key = None
        conversation.in_mailbox = False
        conversation.interpreter_needed = False
        # Her code's keyed hash: it must open nothing here either.
        conversation.return_code_key = ERASED_CODE_PREFIX + secrets.token_hex(28)
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
    # Rights rows (issue 25, GDPR art. 16-18): the values a correction
    # replaced and the reasons of a restriction are hers too.
    forgetting.forget_intake(session, intake.id, copied)
    now = now or clock.now()
    _end_holds(session, IntakeHold, IntakeHold.intake_id == intake.id, now)
    # The code must open nothing any more; the column is unique and required.
    intake.return_code_key = ERASED_CODE_PREFIX + secrets.token_hex(28)
    intake.status = IntakeStatus.ERASED
    intake.erased_at = now
    intake.closed_at = intake.closed_at or now
    session.flush()


def _end_holds(session: Session, model: type[CaseHold] | type[IntakeHold], where, now) -> None:
    """The record is gone: its holds hold nothing any more, and their reasons,
    which may name people, go with it. Who held it and when stays."""
    session.execute(update(model).where(where, model.lifted_at.is_(None)).values(lifted_at=now))
    session.execute(update(model).where(where).values(reason=None))


# What one erased record adds to the purge's trace: its centre, what it was
# (PurgedRecord) and its kind or track. Nothing else.
TraceKey = tuple[int, str, str]


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record: which ones are due at `now` (held ones left out),
    which due ones a legal hold keeps, and how to erase one."""

    name: str
    setting: str
    due: Callable[[Mapping[str, Any], datetime], Select]
    erase: Callable[[Session, Any, datetime], TraceKey | None]
    held: Callable[[Mapping[str, Any], datetime], Select] | None = None


def intake_retention(config: Mapping[str, Any], kind: str) -> tuple[str, int]:
    """The setting that applies to requests of this kind, and its days: the
    kind's own (FJC_RETENTION_DAYS_YOUNG) when set, else FJC_RETENTION_DAYS."""
    name = retention_days_variable(kind)
    if config.get(name) is not None:
        return name, int(config[name])
    return "FJC_RETENTION_DAYS", int(config["FJC_RETENTION_DAYS"])


def case_retention(config: Mapping[str, Any], track: str) -> tuple[str, int]:
    """The setting that applies to case files of this track, and its years."""
    name = case_retention_years_variable(track)
    if config.get(name) is not None:
        return name, int(config[name])
    return "FJC_CASE_RETENTION_YEARS", int(config["FJC_CASE_RETENTION_YEARS"])


def settings_in_use(config: Mapping[str, Any], rule: RetentionRule) -> list[tuple[str, Any]]:
    """(name, value) of the general setting of a rule, then of every per-kind
    or per-track setting that is set (what `purge` prints)."""
    found = [(rule.setting, config[rule.setting])]
    own = {
        "intakes": [retention_days_variable(kind) for kind in RETENTION_KINDS],
        "cases": [case_retention_years_variable(track) for track in CASE_RETENTION_TRACKS],
    }.get(rule.name, [])
    found += [(name, config[name]) for name in own if config.get(name) is not None]
    return found


def _intake_is_held() -> ColumnElement[bool]:
    return exists().where(IntakeHold.intake_id == Intake.id, IntakeHold.lifted_at.is_(None))


def _case_is_held() -> ColumnElement[bool]:
    """Held itself, or through a request it was opened from (a hold placed on
    the request before the file existed must still keep it)."""
    held_request = (
        select(CaseIntake.case_id)
        .join(IntakeHold, IntakeHold.intake_id == CaseIntake.intake_id)
        .where(IntakeHold.lifted_at.is_(None))
    )
    return or_(
        exists().where(CaseHold.case_id == Case.id, CaseHold.lifted_at.is_(None)),
        Case.id.in_(held_request),
    )


def _intakes_due_at(config: Mapping[str, Any], moment: datetime) -> ColumnElement[bool]:
    """Requests whose retention has run out at `moment`, held or not.

    Only closed requests: an open one is still being worked on, however old.
    Erased ones are already done, which is what makes the purge idempotent.
    A request that became a case file lives as long as the case does."""
    by_kind = [
        and_(
            Intake.kind == kind,
            Intake.closed_at < moment - timedelta(days=intake_retention(config, kind)[1]),
        )
        for kind in RETENTION_KINDS
    ]
    general = moment - timedelta(days=int(config["FJC_RETENTION_DAYS"]))
    by_kind.append(and_(Intake.kind.not_in(RETENTION_KINDS), Intake.closed_at < general))
    return and_(
        Intake.status == IntakeStatus.CLOSED,
        or_(*by_kind),
        Intake.id.not_in(select(CaseIntake.intake_id)),
    )


def _intakes_due(config: Mapping[str, Any], now: datetime) -> Select:
    return (
        select(Intake.id)
        .where(_intakes_due_at(config, now), ~_intake_is_held())
        .order_by(Intake.id)
    )


def _intakes_held(config: Mapping[str, Any], now: datetime) -> Select:
    return select(Intake.id).where(_intakes_due_at(config, now), _intake_is_held())


def _erase_intake_by_id(session: Session, intake_id: int, now: datetime) -> TraceKey | None:
    intake = session.get(Intake, intake_id)
    if intake is None or intake.status != IntakeStatus.CLOSED:
        return None
    erase_intake(session, intake, now=now)
    return intake.centre_id, PurgedRecord.REQUEST, intake.kind


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
    _end_holds(session, CaseHold, CaseHold.case_id == case.id, now)
    # Rights rows (issue 25, GDPR art. 16-18): the people's earlier values,
    # their restrictions, the words of erasure requests.
    forgetting.forget_case(session, case.id)
    case.closure_note = None
    case.erased_at = now
    session.flush()


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year - years, day=28)


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _cases_due_at(config: Mapping[str, Any], moment: datetime) -> ColumnElement[bool]:
    """Case files whose retention has run out at `moment`, held or not. Only
    closed files: an open one is being worked on, however old. Erased ones
    are done, which keeps the purge idempotent."""
    by_track = [
        and_(
            Case.track == track,
            Case.closed_at < _years_before(moment, case_retention(config, track)[1]),
        )
        for track in CASE_RETENTION_TRACKS
    ]
    general = _years_before(moment, int(config["FJC_CASE_RETENTION_YEARS"]))
    by_track.append(and_(Case.track.not_in(CASE_RETENTION_TRACKS), Case.closed_at < general))
    return and_(Case.status == CaseStatus.CLOSED, or_(*by_track), Case.erased_at.is_(None))


def _cases_due(config: Mapping[str, Any], now: datetime) -> Select:
    return select(Case.id).where(_cases_due_at(config, now), ~_case_is_held()).order_by(Case.id)


def _cases_held(config: Mapping[str, Any], now: datetime) -> Select:
    return select(Case.id).where(_cases_due_at(config, now), _case_is_held())


def _erase_case_by_id(session: Session, case_id: int, now: datetime) -> TraceKey | None:
    case = session.get(Case, case_id)
    if case is None or case.status != CaseStatus.CLOSED or case.erased_at is not None:
        return None
    # The purge runs for every centre: what it writes (emptied risk
    # answers) goes under the keys of the file's own centre.
    with encrypting_for_centre(session, case.centre_id):
        erase_case(session, case, now=now)
    return case.centre_id, PurgedRecord.CASE_FILE, case.track


def _month_index(moment: datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _month_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _feedback_cutoff(config: Mapping[str, Any], moment: datetime) -> str:
    return _month_of(_month_index(moment) - int(config["FJC_FEEDBACK_RETENTION_MONTHS"]))


def _feedback_due(config: Mapping[str, Any], now: datetime) -> Select:
    """Feedback whose month lies more than the setting's months before this
    one. It follows its own clock: it is linked to no request or file, so it
    stays when a request is deleted, and goes when its own time is up."""
    cutoff = _feedback_cutoff(config, now)
    return select(Feedback.id).where(Feedback.month < cutoff).order_by(Feedback.id)


def _erase_feedback_by_id(session: Session, feedback_id: str, now: datetime) -> TraceKey | None:
    centre_id = session.scalar(select(Feedback.centre_id).where(Feedback.id == feedback_id))
    if centre_id is None:
        return None
    session.execute(delete(Feedback).where(Feedback.id == feedback_id))
    return centre_id, PurgedRecord.FEEDBACK, ""


def _access_request_days(config: Mapping[str, Any]) -> int:
    return int(
        config.get("FJC_ACCESS_REQUEST_RETENTION_DAYS") or DEFAULT_ACCESS_REQUEST_RETENTION_DAYS
    )


def _access_requests_due_at(config: Mapping[str, Any], moment: datetime) -> ColumnElement[bool]:
    """Access requests answered longer ago than the setting: an open one is
    kept, however old (its deadline is a month)."""
    return forgetting.answered_before(moment - timedelta(days=_access_request_days(config)))


def _access_requests_due(config: Mapping[str, Any], now: datetime) -> Select:
    return (
        select(AccessRequest.id)
        .where(_access_requests_due_at(config, now))
        .order_by(AccessRequest.id)
    )


def _erase_access_request_by_id(
    session: Session, request_id: int, now: datetime
) -> TraceKey | None:
    request = session.get(AccessRequest, request_id)
    if request is None:
        return None
    centre_id = request.centre_id
    forgetting.erase_access_request(session, request)
    return centre_id, PurgedRecord.ACCESS_REQUEST, ""


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        "intakes", "FJC_RETENTION_DAYS", _intakes_due, _erase_intake_by_id, _intakes_held
    ),
    RetentionRule("cases", "FJC_CASE_RETENTION_YEARS", _cases_due, _erase_case_by_id, _cases_held),
    RetentionRule(
        "feedback", "FJC_FEEDBACK_RETENTION_MONTHS", _feedback_due, _erase_feedback_by_id
    ),
    RetentionRule(
        "access_requests",
        "FJC_ACCESS_REQUEST_RETENTION_DAYS",
        _access_requests_due,
        _erase_access_request_by_id,
    ),
)


@dataclass
class PurgeReport:
    erased: dict[str, int]
    dry_run: bool
    # Due, but kept by a legal hold: per rule that knows holds.
    held: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.erased.values())

    @property
    def total_held(self) -> int:
        return sum(self.held.values())


def _trace(session: Session, erased: Counter[TraceKey], now: datetime) -> None:
    """One row per centre and kind or track of what this batch erased: the
    month of the purge (UTC) and a count, nothing that leads to a record."""
    month = _month_of(_month_index(now.astimezone(UTC)))
    for (centre_id, record, category), count in sorted(erased.items()):
        session.add(
            PurgeTrace(
                centre_id=centre_id, month=month, record=record, category=category, erased=count
            )
        )


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
    held: dict[str, int] = {}
    for rule in RULES:
        if rule.held is not None:
            with session_factory() as session:
                kept = rule.held(config, now).subquery()
                held[rule.name] = session.scalar(select(func.count()).select_from(kept)) or 0
        count = 0
        while True:
            with session_factory() as session:
                if dry_run:
                    due = rule.due(config, now).subquery()
                    count = session.scalar(select(func.count()).select_from(due)) or 0
                    break
                ids = list(session.scalars(rule.due(config, now).limit(batch_size)))
                traced: Counter[TraceKey] = Counter()
                for record_id in ids:
                    key = rule.erase(session, record_id, now)
                    if key is not None:
                        traced[key] += 1
                # In the batch's own transaction: no erasure without its trace.
                _trace(session, traced, now)
                count += len(ids)
            if len(ids) < batch_size:
                break
        erased[rule.name] = count
    return PurgeReport(erased=erased, dry_run=dry_run, held=held)


# How far ahead the back office shows what the purge will erase.
PREVIEW_DAYS = 30


@dataclass(frozen=True)
class Due:
    """One record (or, for anonymous feedback, one month's answers) that the
    purge erases by `due_at`: ids, kind or track and dates, never content.
    `due_at` before now: the next purge erases it."""

    record: str  # PurgedRecord
    category: str  # a request's kind, a case file's track; "" for feedback
    due_at: datetime
    setting: str
    record_id: int | None = None
    number: str | None = None  # a case file's number
    closed_at: datetime | None = None
    held: bool = False
    count: int = 1


@dataclass(frozen=True)
class Preview:
    until: datetime
    items: list[Due]

    @property
    def to_erase(self) -> list[Due]:
        return [item for item in self.items if not item.held]

    @property
    def held(self) -> list[Due]:
        return [item for item in self.items if item.held]

    def counts(self) -> list[tuple[str, str, int]]:
        """(record, kind or track, how many the purge will erase), in order."""
        totals: Counter[tuple[str, str]] = Counter()
        for item in self.to_erase:
            totals[(item.record, item.category)] += item.count
        return [(record, category, n) for (record, category), n in sorted(totals.items())]


def preview(
    session: Session,
    config: Mapping[str, Any],
    centre_id: int,
    *,
    now: datetime | None = None,
    days: int = PREVIEW_DAYS,
) -> Preview:
    """What the purge will erase of one centre from now until `days` ahead,
    by due date, with what a legal hold keeps marked as held."""
    now = now or clock.now()
    until = now + timedelta(days=days)
    items: list[Due] = []
    held_intakes = set(
        session.scalars(select(Intake.id).where(Intake.centre_id == centre_id, _intake_is_held()))
    )
    for intake_id, kind, closed_at in session.execute(
        select(Intake.id, Intake.kind, Intake.closed_at).where(
            Intake.centre_id == centre_id, _intakes_due_at(config, until)
        )
    ):
        if closed_at is None:  # never: only closed requests are due
            continue
        setting, period = intake_retention(config, kind)
        items.append(
            Due(
                record=PurgedRecord.REQUEST,
                category=kind,
                due_at=closed_at + timedelta(days=period),
                setting=setting,
                record_id=intake_id,
                closed_at=closed_at,
                held=intake_id in held_intakes,
            )
        )
    held_cases = set(
        session.scalars(select(Case.id).where(Case.centre_id == centre_id, _case_is_held()))
    )
    for case_id, number, track, closed_at in session.execute(
        select(Case.id, Case.number, Case.track, Case.closed_at).where(
            Case.centre_id == centre_id, _cases_due_at(config, until)
        )
    ):
        if closed_at is None:  # never: only closed files are due
            continue
        setting, period = case_retention(config, track)
        items.append(
            Due(
                record=PurgedRecord.CASE_FILE,
                category=track,
                due_at=_years_after(closed_at, period),
                setting=setting,
                record_id=case_id,
                number=number,
                closed_at=closed_at,
                held=case_id in held_cases,
            )
        )
    items.extend(_feedback_preview(session, config, centre_id, until))
    items.extend(_access_request_preview(session, config, centre_id, until))
    items.sort(key=lambda item: (item.due_at, item.record, item.category, item.record_id or 0))
    return Preview(until=until, items=items)


def _access_request_preview(
    session: Session, config: Mapping[str, Any], centre_id: int, until: datetime
) -> list[Due]:
    """Answered access requests, by the day they were answered."""
    days = _access_request_days(config)
    found = []
    for request_id, released_at, refused_at in session.execute(
        select(AccessRequest.id, AccessRequest.released_at, AccessRequest.refused_at).where(
            AccessRequest.centre_id == centre_id, _access_requests_due_at(config, until)
        )
    ):
        answered = released_at or refused_at
        if answered is None:  # never: only answered requests are due
            continue
        found.append(
            Due(
                record=PurgedRecord.ACCESS_REQUEST,
                category="",
                due_at=answered + timedelta(days=days),
                setting="FJC_ACCESS_REQUEST_RETENTION_DAYS",
                record_id=request_id,
                closed_at=answered,
            )
        )
    return found


def _feedback_preview(
    session: Session, config: Mapping[str, Any], centre_id: int, until: datetime
) -> list[Due]:
    """Feedback answers are anonymous: one line per month of answers, a count."""
    months = int(config["FJC_FEEDBACK_RETENTION_MONTHS"])
    rows = session.execute(
        select(Feedback.month, func.count(Feedback.id))
        .where(Feedback.centre_id == centre_id, Feedback.month < _feedback_cutoff(config, until))
        .group_by(Feedback.month)
    )
    found = []
    for month, count in rows:
        year, number = (int(part) for part in month.split("-"))
        # A month's answers go once the purge's month is `months` past it.
        due = _month_of(year * 12 + number - 1 + months + 1)
        found.append(
            Due(
                record=PurgedRecord.FEEDBACK,
                category="",
                due_at=datetime.fromisoformat(f"{due}-01T00:00:00+00:00"),
                setting="FJC_FEEDBACK_RETENTION_MONTHS",
                count=count,
            )
        )
    return found


@dataclass(frozen=True)
class TraceLine:
    month: str
    record: str
    category: str
    erased: int


def traces(session: Session, centre_id: int, *, months: int = 24) -> list[TraceLine]:
    """What the purge erased for a centre, month by month (newest first), from
    its traces: counts by kind or track, the only thing they hold."""
    since = _month_of(_month_index(clock.now().astimezone(UTC)) - months + 1)
    rows = session.execute(
        select(
            PurgeTrace.month,
            PurgeTrace.record,
            PurgeTrace.category,
            func.sum(PurgeTrace.erased),
        )
        .where(PurgeTrace.centre_id == centre_id, PurgeTrace.month >= since)
        .group_by(PurgeTrace.month, PurgeTrace.record, PurgeTrace.category)
        .order_by(PurgeTrace.month.desc(), PurgeTrace.record, PurgeTrace.category)
    )
    return [
        TraceLine(month, record, category, int(erased)) for month, record, category, erased in rows
    ]


def last_purge(session: Session) -> datetime | None:
    """When the purge last ran (the `purge` command records every run), so
    the page can say if it stopped running."""
    return session.scalar(
        select(AuditEvent.created_at)
        .where(AuditEvent.action == "retention.purged")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
