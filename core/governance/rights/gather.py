"""Everything the centre holds about a named person, piece by piece.

Staff say which records are the person's: rows of case_people (the person in
one or more case files) and requests (intakes) they made. From those this
module sweeps the requests and their messages, referrals, contact attempts,
triage decisions and live conversations; the case files they are in with
every person, relation, safety plan, child's voice, risk assessment, action,
consultation, partner note and partner's name; and the audit events about
their records.

Each piece is a `Found`: where it lives (table, row, field), what kind of
data it is, where it came from, and whether it is about the person (SUBJECT),
about someone else (OTHER) or about the file as a whole (FILE). The
redaction proposals (core.governance.rights.redaction) read only those marks;
the value itself goes to the review page and, when released, the copy.

This module sits in governance, below casework and intake (pyproject's layer
contract), so it reads the tables directly and knows their meaning here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.infra.crypto import keyring
from core.model import (
    AuditEvent,
    Case,
    CaseAction,
    CaseConsultation,
    CaseEvent,
    CaseIntake,
    CasePartner,
    CasePerson,
    CaseRelation,
    ChildVoice,
    ContactAttempt,
    Conversation,
    ConversationMessage,
    Intake,
    IntakeKind,
    Municipality,
    Referral,
    RiskAssessment,
    SafetyPlan,
    TriageDecision,
)
from core.rules import RuleError

# Whom a piece is about.
SUBJECT = "subject"
OTHER = "other"
FILE = "file"

# What kind of data a piece is (what the redaction rules look at).
IDENTITY = "identity"  # a name, a role, a year of birth
CONTACT = "contact"  # phone, e-mail, safe-contact rules, where someone lives or is
WORDS = "words"  # what someone said or wrote: a story, a message, a child's voice
NOTES = "notes"  # what staff or partners wrote down in their own words
RECORD = "record"  # facts the product keeps: dates, statuses, codes
RELATION = "relation"
SAFETY_PLAN = "safety_plan"
RISK_ANSWER = "risk_answer"
RISK_RESULT = "risk_result"
AUDIT = "audit"
# The name of a partner organisation of a file: the copy's list of recipients
# names it only when staff release it (a refuge's name says where she is).
RECIPIENT = "recipient"

# The categories of data a copy lists (art. 15(1)(b)).
CATEGORIES = (
    "identity",
    "contact",
    "request",
    "story",
    "messages",
    "case_file",
    "relations",
    "safety_plan",
    "risk",
    "actions",
    "consultations",
    "notes",
    "audit",
)
# A partner's name is an item like any other, but the copy shows it in its list
# of recipients, not among the data.
RECIPIENTS = "recipients"
# Where data came from (art. 15(1)(g)).
ORIGINS = ("self", "referrer", "others", "staff", "partner", "system")

# The partner's note on a file (core.casework.partner_work.NOTE: this layer
# may not import casework).
PARTNER_NOTE = "partner.note"
# The shape of a case file's audit detail that names a person
# ("person 12 child", "safety plan 3 person 12").
_PERSON_IN_DETAIL = re.compile(r"\bperson (\d+)\b")


class Mark(NamedTuple):
    """What a piece is: its category for the copy, where it came from, whom
    it is about and what kind of data it is (what redaction looks at)."""

    category: str
    origin: str
    about: str
    kind: str


@dataclass(frozen=True)
class Where:
    """The case file and the request a piece belongs to (for the headings)."""

    case_id: int | None = None
    intake_id: int | None = None


@dataclass(frozen=True)
class Found:
    source: str
    source_id: int
    field: str
    mark: Mark
    value: Any
    where: Where = Where()
    # A risk answer the person asking gave themselves (the victim's own answers).
    said_by_subject: bool = False

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.source, self.source_id, self.field)

    @property
    def category(self) -> str:
        return self.mark.category

    @property
    def origin(self) -> str:
        return self.mark.origin

    @property
    def about(self) -> str:
        return self.mark.about

    @property
    def kind(self) -> str:
        return self.mark.kind

    @property
    def case_id(self) -> int | None:
        return self.where.case_id

    @property
    def intake_id(self) -> int | None:
        return self.where.intake_id


# A person's role in a case file (core.casework.cases.PERSON_ROLES).
VICTIM = "victim"
CHILD = "child"
CAUSES_HARM = "person_causing_harm"


@dataclass(frozen=True)
class Subject:
    """The records staff chose as the person's, checked, and what follows."""

    person_ids: frozenset[int]
    # The person's own requests: those chosen and those the chosen people's
    # safe-contact rules live on.
    intake_ids: frozenset[int]
    case_ids: frozenset[int]
    causes_harm: bool
    # case id -> the person's role in it: their chosen row's, or the row made
    # from their request. Missing: unknown, which counts as "not the victim".
    roles: dict[int, str] = field(default_factory=dict)
    # A child in a file, or a request through the young people's door: the
    # person asking may be a parent, and a parent may be the one who harms.
    child: bool = False

    def is_victim_in(self, case_id: int | None) -> bool:
        """Whether the case file is the person's own (she is its victim): only
        then is what is about the file as a whole hers to see."""
        return case_id is not None and self.roles.get(case_id) == VICTIM


def resolve(
    session: Session,
    centre_id: int,
    person_ids: Iterable[int],
    intake_ids: Iterable[int],
    *,
    check: bool = True,
) -> Subject:
    """Check the chosen records and find the person's requests and case files.

    Refused: nothing chosen; a row of another centre or none (both "not
    found"); two people of one case file (one person is one row of a file:
    choosing the victim and the person causing harm together would hand one
    of them the other's data); a request that holds the safe-contact rules
    of a person who was not chosen (it is that person's request); a request
    in a case file where nobody was chosen (the person's role in that file
    is unknown: staff choose their row); a request in the file of a chosen
    person who is not its victim, other than the one that person's row was
    made from (a file's requests are the victim's), and never a "Talk now"
    conversation of such a file.

    `check=False` takes the rows that still exist, as they were checked when
    chosen: a copy made later, after a person was taken out of a file. A
    request the rules above refuse is then left out rather than refused."""
    person_ids, intake_ids = sorted(set(person_ids)), sorted(set(intake_ids))
    if check and not person_ids and not intake_ids:
        raise RuleError("people", "missing")
    people = list(
        session.scalars(
            select(CasePerson)
            .join(Case, Case.id == CasePerson.case_id)
            .where(CasePerson.id.in_(person_ids), Case.centre_id == centre_id)
        )
    )
    if check and len(people) != len(person_ids):
        raise RuleError("people", "not_found")
    cases_of_people = [p.case_id for p in people]
    if check and len(set(cases_of_people)) != len(cases_of_people):
        raise RuleError("people", "two_in_one_file")
    found_intakes = {
        intake_id: kind
        for intake_id, kind in session.execute(
            select(Intake.id, Intake.kind).where(
                Intake.id.in_(intake_ids), Intake.centre_id == centre_id
            )
        )
    }
    if check and set(found_intakes) != set(intake_ids):
        raise RuleError("intakes", "not_found")
    person_ids = [p.id for p in people]
    intake_ids = sorted(found_intakes)
    if (
        check
        and intake_ids
        and session.scalar(
            select(CasePerson.id).where(
                CasePerson.contact_intake_id.in_(intake_ids), CasePerson.id.not_in(person_ids)
            )
        )
    ):
        raise RuleError("intakes", "of_another_person")
    roles = {p.case_id: p.role for p in people}
    kept = _requests_of_the_person(session, people, found_intakes, roles, check)
    own_intakes = kept | _contact_requests(session, people)
    case_ids = set(cases_of_people) | set(
        session.scalars(select(CaseIntake.case_id).where(CaseIntake.intake_id.in_(own_intakes)))
    )
    return Subject(
        person_ids=frozenset(person_ids),
        intake_ids=frozenset(own_intakes),
        case_ids=frozenset(case_ids),
        causes_harm=CAUSES_HARM in roles.values(),
        roles=roles,
        child=CHILD in roles.values() or _through_the_young_door(session, own_intakes),
    )


def _through_the_young_door(session: Session, intake_ids: set[int]) -> bool:
    young = select(Intake.id).where(
        Intake.id.in_(sorted(intake_ids)), Intake.kind == IntakeKind.YOUNG
    )
    return bool(intake_ids) and session.scalar(young.limit(1)) is not None


def _contact_requests(session: Session, people: list[CasePerson]) -> set[int]:
    """The requests the chosen rows were made from (their safe-contact rules
    live there): the person's own, except a "Talk now" conversation for
    anyone but the file's victim."""
    made_from = {p.contact_intake_id: p.role for p in people if p.contact_intake_id}
    if not made_from:
        return set()
    talks = set(
        session.scalars(
            select(Intake.id).where(
                Intake.id.in_(sorted(made_from)), Intake.kind == IntakeKind.CONVERSATION
            )
        )
    )
    return {i for i, role in made_from.items() if role == VICTIM or i not in talks}


def _requests_of_the_person(
    session: Session,
    people: list[CasePerson],
    kinds: dict[int, str],
    roles: dict[int, str],
    check: bool,
) -> set[int]:
    """The chosen requests that may be the person's, by the case file each is
    in; `roles` gains the person's role in a file reached by a request only
    (the role of the row made from it). Refuses, or with `check=False` leaves
    out, a request that cannot be the person's."""
    in_files = {
        intake_id: case_id
        for intake_id, case_id in session.execute(
            select(CaseIntake.intake_id, CaseIntake.case_id).where(
                CaseIntake.intake_id.in_(sorted(kinds))
            )
        )
    }
    chosen_in = {p.case_id: p for p in people}
    kept: set[int] = set()
    for intake_id in sorted(kinds):
        case_id = in_files.get(intake_id)
        if case_id is None:
            kept.add(intake_id)  # a request outside any case file
            continue
        person = chosen_in.get(case_id)
        if person is None:
            made_from = session.scalar(
                select(CasePerson.role).where(
                    CasePerson.case_id == case_id, CasePerson.contact_intake_id == intake_id
                )
            )
            if made_from is None:
                if check:
                    raise RuleError("intakes", "role_unknown")
                continue
            roles.setdefault(case_id, made_from)
        elif person.role != VICTIM and (
            intake_id != person.contact_intake_id or kinds[intake_id] == IntakeKind.CONVERSATION
        ):
            # Someone else in the victim's file: her requests are hers, even
            # when staff think otherwise.
            if check:
                raise RuleError("intakes", "not_theirs")
            continue
        kept.add(intake_id)
    return kept


def gather(session: Session, subject: Subject) -> list[Found]:
    """Every piece, in the order the copy shows them: the person's requests,
    then each case file."""
    found: list[Found] = []
    for intake in _rows(session, Intake, subject.intake_ids):
        found.extend(_own_request(session, intake))
    for case in _rows(session, Case, subject.case_ids):
        found.extend(_case_file(session, case, subject))
    found.extend(_audit(session, subject))
    return found


def fingerprint(value: Any) -> str:
    """A keyed hash of a value: tells a changed value from the one reviewed,
    and cannot be turned back into it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return keyring().lookup_key("access-item", text)


def _rows(session: Session, model, ids: Iterable[int]) -> list:
    wanted = sorted(ids)
    if not wanted:
        return []
    return list(session.scalars(select(model).where(model.id.in_(wanted)).order_by(model.id)))


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _at(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


# --- Requests -----------------------------------------------------------------

# The marks of a request's pieces, by whom the request is of.
_REQUEST_MARKS = {
    about: {
        "request": Mark("request", "system", about, RECORD),
        "name": Mark("identity", origin, about, IDENTITY),
        "phone": Mark("contact", origin, about, CONTACT),
        "email": Mark("contact", origin, about, CONTACT),
        "safe_contact": Mark("contact", origin, about, CONTACT),
        "safe_word": Mark("contact", origin, about, CONTACT),
        "trusted_adult": Mark("contact", origin, about, CONTACT),
        "municipality": Mark("contact", origin, about, CONTACT),
        "story": Mark("story", origin, about, WORDS),
        "from_requester": Mark("messages", origin, about, WORDS),
        "from_staff": Mark("messages", "staff", about, WORDS),
    }
    for about, origin in ((SUBJECT, "self"), (OTHER, "others"))
}
STAFF_RECORD = Mark("request", "staff", SUBJECT, RECORD)
STAFF_NOTE = Mark("notes", "staff", SUBJECT, NOTES)
REFERRER = Mark("contact", "referrer", OTHER, CONTACT)
REFERRER_SAID = Mark("story", "referrer", OTHER, WORDS)
SAID_IN_TALK = Mark("messages", "self", SUBJECT, WORDS)
STAFF_IN_TALK = Mark("messages", "staff", SUBJECT, WORDS)


def _intake_pieces(session: Session, intake: Intake, about: str, where: Where) -> Iterator[Found]:
    """A request's own fields: its facts, the person's details and words."""
    marks = _REQUEST_MARKS[about]

    def piece(name: str, value: Any) -> Found:
        return Found("intakes", intake.id, name, marks[name], value, where)

    facts = {
        "door": intake.kind,
        "received": _day(intake.created_at),
        "language": intake.language,
        "status": intake.status,
        "outcome": intake.outcome,
        "danger_now": intake.danger_now or None,
        "children_involved": intake.children_involved,
        "age_range": intake.age_range,
    }
    yield piece("request", _filled(facts))
    rules = {
        "may_call": intake.may_call,
        "may_text": intake.may_text,
        "may_voicemail": intake.may_voicemail,
        "phone_say_who": intake.phone_say_who,
        "email_say_who": intake.email_say_who,
        "safe_days": intake.safe_days,
        "safe_times": intake.safe_times,
        "contact_language": intake.contact_language,
        "interpreter_needed": intake.interpreter_needed,
    }
    municipality = (
        session.get(Municipality, intake.municipality_id) if intake.municipality_id else None
    )
    values = {
        "name": intake.name,
        "phone": intake.phone,
        "email": intake.email,
        "safe_contact": _filled(rules),
        "safe_word": intake.safe_word,
        "trusted_adult": intake.trusted_adult,
        "municipality": municipality.name if municipality is not None else None,
        "story": intake.story,
    }
    for name, value in values.items():
        if value:
            yield piece(name, value)
    for message in intake.messages:
        said = {"at": _at(message.created_at), "direction": message.direction, "text": message.body}
        yield Found("messages", message.id, "body", marks[message.direction], said, where)


def _own_request(session: Session, intake: Intake) -> Iterator[Found]:
    case_id = session.scalar(select(CaseIntake.case_id).where(CaseIntake.intake_id == intake.id))
    where = Where(case_id, intake.id)
    yield from _intake_pieces(session, intake, SUBJECT, where)
    if intake.referral is not None:
        yield from _referral(intake.referral, where)
    for attempt in _of_intake(session, ContactAttempt, intake):
        tried = {"at": _at(attempt.created_at), "channel": attempt.channel}
        tried["result"] = attempt.outcome
        yield Found("contact_attempts", attempt.id, "attempt", STAFF_RECORD, tried, where)
        if attempt.note:
            yield Found("contact_attempts", attempt.id, "note", STAFF_NOTE, attempt.note, where)
    for decision in _of_intake(session, TriageDecision, intake):
        decided = {"at": _at(decision.created_at), "outcome": decision.outcome}
        decided["referred_to"] = decision.referred_to
        yield Found(
            "triage_decisions", decision.id, "decision", STAFF_RECORD, _filled(decided), where
        )
        if decision.note:
            yield Found("triage_decisions", decision.id, "note", STAFF_NOTE, decision.note, where)
    yield from _conversations(session, intake, where)


def _of_intake(session: Session, model, intake: Intake) -> list:
    return list(
        session.scalars(select(model).where(model.intake_id == intake.id).order_by(model.id))
    )


def _referral(referral: Referral, where: Where) -> Iterator[Found]:
    """What a professional wrote when they referred the person: who they are
    is someone else's contact, what they say is someone else's words."""
    referrer = {
        "organisation": referral.organisation,
        "role": referral.role,
        "name": referral.name,
        "phone": referral.phone,
        "email": referral.email,
    }
    yield Found("referrals", referral.id, "referrer", REFERRER, _filled(referrer), where)
    said = {
        "consent": referral.client_consent,
        "legal_basis": referral.legal_basis,
        "urgency": referral.urgency,
        "risk_concerns": referral.risk_concerns,
        "risk_text": referral.risk_text,
        "basis_note": referral.basis_note,
    }
    yield Found("referrals", referral.id, "referral", REFERRER_SAID, _filled(said), where)


def _conversations(session: Session, intake: Intake, where: Where) -> Iterator[Found]:
    lines = session.scalars(
        select(ConversationMessage)
        .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
        .where(Conversation.intake_id == intake.id)
        .order_by(Conversation.id, ConversationMessage.seq)
    )
    for line in lines:
        if not line.body:
            continue  # an event of the conversation (taken, ended): no words
        mark = SAID_IN_TALK if line.sender == "person" else STAFF_IN_TALK
        said = {"at": _at(line.created_at), "sender": line.sender, "text": line.body}
        yield Found("conversation_messages", line.id, "body", mark, said, where)


# --- Case files ---------------------------------------------------------------

CASE_RECORD = Mark("case_file", "system", SUBJECT, RECORD)
CLOSURE_NOTE = Mark("notes", "staff", FILE, NOTES)
# A person's row, by field: the marks for the person asking and for others.
_PERSON_FIELDS = {
    "role": ("identity", IDENTITY),
    "name": ("identity", IDENTITY),
    "birth_year": ("identity", IDENTITY),
    "phone": ("contact", CONTACT),
    "email": ("contact", CONTACT),
    "contact_safety": ("contact", CONTACT),
    "school_contacts": ("contact", CONTACT),
    "no_direct_contact": ("case_file", RECORD),
    "notes": ("notes", NOTES),
}
_PERSON_MARKS = {
    about: {
        name: Mark(category, "staff", about, kind)
        for name, (category, kind) in _PERSON_FIELDS.items()
    }
    for about in (SUBJECT, OTHER)
}
RELATION_MARK = Mark("relations", "staff", FILE, RELATION)
PLAN_MARKS = {about: Mark("safety_plan", "staff", about, SAFETY_PLAN) for about in (SUBJECT, OTHER)}
VOICE_MARKS = {
    SUBJECT: Mark("story", "self", SUBJECT, WORDS),
    OTHER: Mark("story", "others", OTHER, WORDS),
}
RISK_RESULT_MARK = Mark("risk", "staff", FILE, RISK_RESULT)
OWN_RISK_ANSWER = Mark("risk", "self", FILE, RISK_ANSWER)
OTHERS_RISK_ANSWER = Mark("risk", "others", FILE, RISK_ANSWER)
RISK_JUDGEMENT = Mark("risk", "staff", FILE, NOTES)
ACTION_MARK = Mark("actions", "staff", FILE, WORDS)
PARTNER_REPORT = Mark("notes", "partner", FILE, NOTES)
CONSULTATION_HELD = Mark("consultations", "system", FILE, RECORD)
CONSULTATION_PARTICIPANTS = Mark("consultations", "staff", FILE, CONTACT)
CONSULTATION_DECISIONS = Mark("consultations", "partner", FILE, WORDS)
CONSULTATION_NOTES = Mark("notes", "staff", FILE, NOTES)
PARTNER_NOTE_MARK = Mark("notes", "partner", FILE, NOTES)
PARTNER_NAME_MARK = Mark(RECIPIENTS, "staff", FILE, RECIPIENT)


def _case_file(session: Session, case: Case, subject: Subject) -> Iterator[Found]:
    mine = {p.id for p in case.people if p.id in subject.person_ids}
    where = Where(case.id)

    def whose(person_id: int) -> str:
        return SUBJECT if person_id in mine else OTHER

    facts = {
        "number": case.number,
        "track": case.track,
        "status": case.status,
        "opened": _day(case.opened_at),
        "closed": _day(case.closed_at),
    }
    yield Found("cases", case.id, "case_file", CASE_RECORD, _filled(facts), where)
    if case.closure_note:
        yield Found("cases", case.id, "closure_note", CLOSURE_NOTE, case.closure_note, where)
    for person in case.people:
        marks = _PERSON_MARKS[whose(person.id)]
        for name, mark in marks.items():
            value = getattr(person, name)
            if value not in (None, "", False):
                yield Found("case_people", person.id, name, mark, value, where)
    for intake in case.intakes:
        if intake.id not in subject.intake_ids:
            # Another person's request in the file (the victim's, for a person
            # causing harm): her story and details are hers.
            yield from _intake_pieces(session, intake, OTHER, Where(case.id, intake.id))
    yield from _relations(session, case, mine)
    yield from _plans_and_voices(session, case, whose)
    yield from _risk(session, case, subject)
    yield from _work(session, case)
    for partner in _of_case(session, CasePartner, case):
        name = partner.organisation
        yield Found("case_partners", partner.id, "organisation", PARTNER_NAME_MARK, name, where)


def _of_case(session: Session, model, case: Case, *conditions) -> list:
    return list(
        session.scalars(
            select(model).where(model.case_id == case.id, *conditions).order_by(model.id)
        )
    )


def _relations(session: Session, case: Case, mine: set[int]) -> Iterator[Found]:
    if not mine:
        return
    involved = or_(CaseRelation.person_id.in_(mine), CaseRelation.other_person_id.in_(mine))
    for relation in _of_case(session, CaseRelation, case, involved):
        # Who is who, without ids: "the person asking is the parent of
        # another person in the file".
        said = {
            "kind": relation.kind,
            "person": "asking" if relation.person_id in mine else "other",
            "other": "asking" if relation.other_person_id in mine else "other",
        }
        yield Found("case_relations", relation.id, "relation", RELATION_MARK, said, Where(case.id))


def _plans_and_voices(session: Session, case: Case, whose) -> Iterator[Found]:
    where = Where(case.id)
    for plan in _of_case(session, SafetyPlan, case):
        content = {"saved": _day(plan.created_at), **plan.content}
        mark = PLAN_MARKS[whose(plan.person_id)]
        yield Found("safety_plans", plan.id, "content", mark, content, where)
    for voice in _of_case(session, ChildVoice, case):
        said = {"heard_on": _day(voice.heard_on), "heard_by": voice.heard_by, "text": voice.said}
        yield Found(
            "child_voices", voice.id, "said", VOICE_MARKS[whose(voice.person_id)], said, where
        )


def _risk(session: Session, case: Case, subject: Subject) -> Iterator[Found]:
    # Answers "from the victim" are the asking person's own only when she is
    # the file's victim; for anyone else they are another person's words.
    asker_is_victim = subject.is_victim_in(case.id)
    where = Where(case.id)
    for assessment in _of_case(session, RiskAssessment, case):
        result = {
            "assessed": _day(assessment.created_at),
            "instrument": f"{assessment.instrument_id}:{assessment.instrument_version}",
            "level": assessment.final_level,
        }
        yield Found("risk_assessments", assessment.id, "result", RISK_RESULT_MARK, result, where)
        for code, given in sorted((assessment.answers or {}).items()):
            source = (given or {}).get("source")
            own = asker_is_victim and source == "victim"
            answer = {
                "instrument": result["instrument"],
                "item": code,
                "answer": (given or {}).get("answer"),
                "source": source,
            }
            mark = OWN_RISK_ANSWER if own else OTHERS_RISK_ANSWER
            yield Found(
                "risk_assessments", assessment.id, f"answer:{code}", mark, answer, where, own
            )
        if assessment.judgement_reason:
            reason = assessment.judgement_reason
            yield Found(
                "risk_assessments", assessment.id, "judgement", RISK_JUDGEMENT, reason, where
            )


def _work(session: Session, case: Case) -> Iterator[Found]:
    """The file's action plan, consultations and partners' notes: about the
    family's situation as a whole."""
    where = Where(case.id)
    for action in _of_case(session, CaseAction, case):
        planned = {"title": action.title, "status": action.status, "due": _day(action.due_on)}
        yield Found("case_actions", action.id, "action", ACTION_MARK, _filled(planned), where)
        if action.report:
            yield Found("case_actions", action.id, "report", PARTNER_REPORT, action.report, where)
    for meeting in _of_case(session, CaseConsultation, case):
        held = {"held_on": _day(meeting.held_on), "legal_basis": meeting.legal_basis}
        yield Found("case_consultations", meeting.id, "held", CONSULTATION_HELD, held, where)
        for name, mark in (
            ("participants", CONSULTATION_PARTICIPANTS),
            ("decisions", CONSULTATION_DECISIONS),
            ("notes", CONSULTATION_NOTES),
        ):
            value = getattr(meeting, name)
            if value:
                yield Found("case_consultations", meeting.id, name, mark, value, where)
    for note in _of_case(session, CaseEvent, case, CaseEvent.action == PARTNER_NOTE):
        if note.detail:
            said = {"at": _at(note.created_at), "text": note.detail}
            yield Found("case_events", note.id, "note", PARTNER_NOTE_MARK, said, where)


# --- Audit --------------------------------------------------------------------

AUDIT_MARK = Mark("audit", "system", SUBJECT, AUDIT)


def _audit(session: Session, subject: Subject) -> Iterator[Found]:
    """What was done with the person's records: events on their requests,
    and events of their case files that name one of their rows. Codes and
    times only; the audit trail holds nothing else."""
    conditions = []
    if subject.intake_ids:
        on_intakes = AuditEvent.target_id.in_(subject.intake_ids)
        conditions.append((AuditEvent.target_type == "intake") & on_intakes)
    if subject.case_ids and subject.person_ids:
        on_cases = AuditEvent.target_id.in_(subject.case_ids)
        conditions.append((AuditEvent.target_type == "case") & on_cases)
    if not conditions:
        return
    for event in session.scalars(
        select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)
    ):
        on_case = event.target_type == "case"
        if on_case and not _names_subject(event.detail, subject.person_ids):
            continue
        where = Where(event.target_id, None) if on_case else Where(None, event.target_id)
        done = {"at": _at(event.created_at), "action": event.action}
        yield Found("audit_events", event.id, "event", AUDIT_MARK, done, where)


def _names_subject(detail: str | None, person_ids: frozenset[int]) -> bool:
    return any(int(found) in person_ids for found in _PERSON_IN_DETAIL.findall(detail or ""))
