"""Access requests (GDPR art. 15), from registration to the copy given.

1. A coordinator registers the request: the person's name, the day it came
   in, how their identity was checked, the language of the copy. The answer
   is due one month later (art. 12(3)).
2. Staff choose the records that are the person's; the product gathers every
   piece it holds about them (core.governance.rights.gather) and proposes, for
   each, to release or withhold it (core.governance.rights.redaction).
3. Staff accept or change each proposal, then send it for approval.
4. Another coordinator approves: never the one who registered it, the one
   who sent it for approval, nor one who changed a decision on its items. A
   change after that sends it back to step 3.
5. The copy can be made (core.governance.rights.access_copy) once approved;
   giving it to the person closes the request. A request may instead be
   refused.

Every step is audited with ids and codes; what was released and withheld is
logged as counts and item ids with their reasons, never the text. What
erasing the records does to a request, and how long an answered one is
kept, is core.governance.rights.forgetting's."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Label, Select, bindparam, func, literal, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from core.governance import audit
from core.governance.rights import forgetting
from core.governance.rights.gather import Found, Subject, fingerprint, gather, resolve
from core.governance.rights.redaction import REASONS, propose
from core.infra import clock
from core.model import (
    AccessItem,
    AccessRequest,
    AccessStatus,
    Case,
    CaseIntake,
    CasePerson,
    Intake,
    ItemDecision,
    Role,
    Staff,
)
from core.network.centre_keys import encrypting_for_centre
from core.network.centres import is_member
from core.rules import WHOLE, RuleError

# The languages a copy is written in: the back office's own (the portal's
# other languages have no catalogue for these words). The same list as
# core.identity.accounts.STAFF_LANGUAGES, which this layer may not import.
COPY_LANGUAGES = ("nl", "fr", "en")
# How the person's identity was checked.
IDENTITY_CHECKS = ("id_document", "eid_reader", "known_in_person", "lawyer", "other")
# Why a request is answered without a copy (art. 12(2), 12(5), 12(6)).
REFUSAL_REASONS = ("identity_not_confirmed", "manifestly_unfounded", "excessive")
OPEN_STATUSES = (
    AccessStatus.DRAFT,
    AccessStatus.PROPOSED,
    AccessStatus.AWAITING_APPROVAL,
    AccessStatus.APPROVED,
)
# The review changes what the copy holds only before approval.
UNDER_REVIEW = (AccessStatus.PROPOSED, AccessStatus.AWAITING_APPROVAL)
NAME_MAX = 200
NOTE_MAX = 2000
AUDIT_TARGET = "access_request"


@dataclass
class Registration:
    """What the coordinator typed, as typed."""

    subject_name: str | None = None
    # A date, or as the form sends it ("2026-12-01").
    received_on: date | str | None = None
    identity_check: str | None = None
    identity_note: str | None = None
    language: str | None = None


def one_month_after(day: date) -> date:
    """The same day of the next month, or that month's last day when it has
    none (31 January -> 28 or 29 February): how a period of one month runs
    (Regulation 1182/71, art. 3(2)(c))."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _day(value: date | str | None) -> date | None:
    """None when missing or unreadable (the caller tells which)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip()) if _text(value) else None
    except ValueError:
        return None


def _check_registration(details: Registration, today: date) -> dict:
    problems: dict[str, str] = {}
    name = _text(details.subject_name)
    note = _text(details.identity_note)
    if name is None:
        problems["subject_name"] = "missing"
    elif len(name) > NAME_MAX:
        problems["subject_name"] = "too_long"
    received = _day(details.received_on)
    if received is None:
        problems["received_on"] = "missing" if not details.received_on else "not_a_date"
    elif received > today:
        problems["received_on"] = "future"
    if details.identity_check not in IDENTITY_CHECKS:
        problems["identity_check"] = "missing"
    if note is not None and len(note) > NOTE_MAX:
        problems["identity_note"] = "too_long"
    elif note is None and details.identity_check == "other":
        problems["identity_note"] = "missing"
    if details.language not in COPY_LANGUAGES:
        problems["language"] = "missing"
    if problems:
        raise RuleError(problems)
    return {
        "subject_name": name,
        "received_on": received,
        "identity_check": details.identity_check,
        "identity_note": note,
        "language": details.language,
    }


def _check_coordinator(session: Session, staff: Staff, centre_id: int) -> None:
    if staff.role != Role.COORDINATOR or not is_member(session, staff, centre_id):
        raise RuleError(WHOLE, "not_allowed")


def _record(session: Session, request: AccessRequest, staff: Staff, action: str, detail=None):
    audit.record(
        session,
        action,
        actor_id=staff.id,
        target_type=AUDIT_TARGET,
        target_id=request.id,
        detail=detail,
        centre_id=request.centre_id,
    )


def register(
    session: Session, centre_id: int, staff: Staff, details: Registration, today: date
) -> AccessRequest:
    """Register a request that came in on `details.received_on` ("today" is
    the centre's day: a request cannot have come in tomorrow)."""
    _check_coordinator(session, staff, centre_id)
    values = _check_registration(details, today)
    request = AccessRequest(
        centre_id=centre_id,
        status=AccessStatus.DRAFT,
        deadline_on=one_month_after(values["received_on"]),
        registered_by_id=staff.id,
        registered_at=clock.now(),
        **values,
    )
    with encrypting_for_centre(session, centre_id):
        session.add(request)
        session.flush()
    _record(
        session,
        request,
        staff,
        "rights.access_registered",
        f"identity={request.identity_check} language={request.language}",
    )
    return request


def subject_of(session: Session, request: AccessRequest) -> Subject:
    """The person's records as chosen, those that still exist."""
    rows = request.subject_rows or {}
    return resolve(
        session,
        request.centre_id,
        rows.get("people", []),
        rows.get("intakes", []),
        check=False,
    )


def current_pieces(session: Session, request: AccessRequest) -> dict[tuple, Found]:
    """What the person's records hold now, by (table, row, field)."""
    if request.subject_rows is None:
        return {}
    return {found.key: found for found in gather(session, subject_of(session, request))}


def choose_records(
    session: Session,
    request: AccessRequest,
    staff: Staff,
    person_ids: Iterable[int],
    intake_ids: Iterable[int],
) -> int:
    """Take the records staff chose as the person's, gather every piece and
    propose a decision for each. Returns how many pieces were found."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status != AccessStatus.DRAFT:
        raise RuleError(WHOLE, "not_draft")
    person_ids, intake_ids = sorted(set(person_ids)), sorted(set(intake_ids))
    subject = resolve(session, request.centre_id, person_ids, intake_ids)
    pieces = gather(session, subject)
    with encrypting_for_centre(session, request.centre_id):
        request.subject_rows = {"people": person_ids, "intakes": intake_ids}
        request.causes_harm = subject.causes_harm
        request.status = AccessStatus.PROPOSED
        request.gathered_at = clock.now()
        for found in pieces:
            decision, reason = propose(found, subject)
            request.items.append(
                AccessItem(
                    source=found.source,
                    source_id=found.source_id,
                    field=found.field,
                    category=found.category,
                    origin=found.origin,
                    case_id=found.case_id,
                    intake_id=found.intake_id,
                    proposed=decision,
                    proposed_reason=reason,
                    decision=decision,
                    reason=reason,
                    fingerprint=fingerprint(found.value),
                )
            )
        session.flush()
    withheld = sum(1 for item in request.items if item.decision == ItemDecision.WITHHOLD)
    _record(
        session,
        request,
        staff,
        "rights.access_gathered",
        f"people={_ids(person_ids)} intakes={_ids(intake_ids)} "
        f"items={len(request.items)} proposed_withheld={withheld}"
        + (" causes_harm" if subject.causes_harm else ""),
    )
    return len(pieces)


def _ids(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in ids) or "none"


def decide(
    session: Session,
    request: AccessRequest,
    staff: Staff,
    decisions: Mapping[int, tuple[str, str | None]],
) -> int:
    """Change items' decisions: {item id: ("release", None) or ("withhold",
    reason)}. Items not named, or named with the decision they have, stay as
    they are. A change to a request sent for approval sends it back: the
    approver must see what she approves. Returns how many items changed."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status not in UNDER_REVIEW:
        raise RuleError(WHOLE, "not_under_review")
    items = {item.id: item for item in request.items}
    problems: dict[str, str] = {}
    changes: list[tuple[AccessItem, str, str | None]] = []
    for item_id, (decision, reason) in decisions.items():
        item = items.get(item_id)
        if item is None:
            raise RuleError(WHOLE, "not_found")
        if decision == ItemDecision.RELEASE:
            reason = None
        elif decision != ItemDecision.WITHHOLD:
            problems[f"item_{item_id}"] = "missing"
            continue
        elif reason not in REASONS:
            problems[f"item_{item_id}"] = "reason_missing"
            continue
        if (item.decision, item.reason) != (decision, reason):
            changes.append((item, decision, reason))
    if problems:
        raise RuleError(problems)
    now = clock.now()
    for item, decision, reason in changes:
        item.decision, item.reason = decision, reason
        item.decided_by_id, item.decided_at = staff.id, now
    if changes and request.status == AccessStatus.AWAITING_APPROVAL:
        request.status = AccessStatus.PROPOSED
        request.submitted_by_id = request.submitted_at = None
    if changes:
        session.flush()
        _record(
            session,
            request,
            staff,
            "rights.access_items_changed",
            "changed="
            + ",".join(f"{item.id}:{item.decision}:{item.reason or '-'}" for item, _, _ in changes),
        )
    return len(changes)


def submit(session: Session, request: AccessRequest, staff: Staff) -> None:
    """Send the reviewed items for approval."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status != AccessStatus.PROPOSED:
        raise RuleError(WHOLE, "not_proposed")
    request.status = AccessStatus.AWAITING_APPROVAL
    request.submitted_by_id = staff.id
    request.submitted_at = clock.now()
    session.flush()
    _record(session, request, staff, "rights.access_submitted", decision_summary(request))


def send_back(session: Session, request: AccessRequest, staff: Staff) -> None:
    """Back to the review, unapproved: the approver wants a change, or the
    one who sent it must leave the approval to someone else. With two
    coordinators one prepares and sends, the other approves; this lets them
    swap."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status != AccessStatus.AWAITING_APPROVAL:
        raise RuleError(WHOLE, "not_awaiting_approval")
    request.status = AccessStatus.PROPOSED
    request.submitted_by_id = request.submitted_at = None
    session.flush()
    _record(session, request, staff, "rights.access_sent_back")


def approve(session: Session, request: AccessRequest, staff: Staff) -> None:
    """The second pair of eyes: a coordinator other than the one who
    registered the request, the one who sent it for approval and any who
    changed a decision on its items (they would approve their own choice)."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status != AccessStatus.AWAITING_APPROVAL:
        raise RuleError(WHOLE, "not_awaiting_approval")
    if staff.id in (request.registered_by_id, request.submitted_by_id):
        raise RuleError(WHOLE, "same_coordinator")
    if any(item.decided_by_id == staff.id for item in request.items):
        raise RuleError(WHOLE, "decided_items")
    request.status = AccessStatus.APPROVED
    request.approved_by_id = staff.id
    request.approved_at = clock.now()
    session.flush()
    _record(session, request, staff, "rights.access_approved", decision_summary(request))


def mark_released(session: Session, request: AccessRequest, staff: Staff, detail: str) -> None:
    """The copy was given to the person; `detail` is what it held
    (core.governance.rights.access_copy.Copy.summary)."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status != AccessStatus.APPROVED:
        raise RuleError(WHOLE, "not_approved")
    request.status = AccessStatus.RELEASED
    request.released_by_id = staff.id
    request.released_at = clock.now()
    session.flush()
    _record(session, request, staff, "rights.access_released", detail)
    # Its records erased while it was open: now answered, it forgets the name.
    forgetting.forget_if_nothing_left(session, request)


def refuse(session: Session, request: AccessRequest, staff: Staff, reason: str | None) -> None:
    """Answer without a copy (the person is told why, outside the product)."""
    _check_coordinator(session, staff, request.centre_id)
    if request.status not in OPEN_STATUSES:
        raise RuleError(WHOLE, "closed")
    if reason not in REFUSAL_REASONS:
        raise RuleError("reason", "missing")
    request.status = AccessStatus.REFUSED
    request.refusal_reason = reason
    request.refused_by_id = staff.id
    request.refused_at = clock.now()
    session.flush()
    _record(session, request, staff, "rights.access_refused", reason)
    forgetting.forget_if_nothing_left(session, request)


def decision_summary(request: AccessRequest) -> str:
    """The decisions as counts and ids with reasons, never the text:
    "release=12 withhold=5 said_by_others=7,8 safety_plan=9"."""
    released = [i for i in request.items if i.decision == ItemDecision.RELEASE]
    withheld = [i for i in request.items if i.decision == ItemDecision.WITHHOLD]
    return summary_of(len(released), {i.id: i.reason or "-" for i in withheld})


def summary_of(released: int, withheld: Mapping[int, str]) -> str:
    by_reason: dict[str, list[int]] = {}
    for item_id, reason in sorted(withheld.items()):
        by_reason.setdefault(reason, []).append(item_id)
    parts = [f"release={released}", f"withhold={len(withheld)}"]
    parts += [f"{reason}={_ids(ids)}" for reason, ids in sorted(by_reason.items())]
    return " ".join(parts)


# --- Finding the person's records -------------------------------------------

_CASE_NUMBER = re.compile(r"\d{4}-\d{1,6}")
_REQUEST_NUMBER = re.compile(r"#?(\d{1,12})")
LOOK_MAX = 500


@dataclass(frozen=True)
class Lookup:
    """What staff typed, found: the case files (with their people) and the
    requests of this centre, and what named nothing here."""

    cases: list[Case]
    intakes: list[Intake]
    unknown: list[str]


def look_up(session: Session, centre_id: int, typed: str | None) -> Lookup:
    """Case file numbers ("2026-0042") and request numbers ("#17", "17"),
    separated by spaces or commas. A file's own requests come with it."""
    tokens = [t for t in re.split(r"[\s,;]+", (typed or "")[:LOOK_MAX]) if t]
    numbers, ids, unknown = [], [], []
    for token in tokens:
        if _CASE_NUMBER.fullmatch(token):
            numbers.append(token)
        elif (found := _REQUEST_NUMBER.fullmatch(token)) is not None:
            ids.append(int(found.group(1)))
        else:
            unknown.append(token)
    cases = (
        list(
            session.scalars(
                select(Case)
                .where(Case.centre_id == centre_id, Case.number.in_(numbers))
                .order_by(Case.number)
            )
        )
        if numbers
        else []
    )
    unknown += sorted(set(numbers) - {case.number for case in cases})
    in_files = select(CaseIntake.intake_id).where(CaseIntake.case_id.in_([c.id for c in cases]))
    intakes = list(
        session.scalars(
            select(Intake)
            .where(Intake.centre_id == centre_id, Intake.id.in_(ids) | Intake.id.in_(in_files))
            .order_by(Intake.id)
        )
    )
    unknown += [f"#{i}" for i in sorted(set(ids) - {intake.id for intake in intakes})]
    return Lookup(cases=cases, intakes=intakes, unknown=unknown)


def people_of(cases: Iterable[Case]) -> list[CasePerson]:
    return [person for case in cases for person in case.people]


# --- Lists --------------------------------------------------------------------


def request_in(session: Session, centre_id: int, request_id: int) -> AccessRequest | None:
    """A request of this centre; another centre's is none."""
    request = session.get(AccessRequest, request_id)
    return request if request is not None and request.centre_id == centre_id else None


def open_requests(session: Session, centre_id: int) -> list[AccessRequest]:
    """The centre's open requests, soonest deadline first: the overdue ones
    come first by themselves."""
    return list(
        session.scalars(
            select(AccessRequest)
            .where(AccessRequest.centre_id == centre_id, AccessRequest.status.in_(OPEN_STATUSES))
            .order_by(AccessRequest.deadline_on, AccessRequest.id)
        )
    )


def closed_requests(session: Session, centre_id: int, limit: int = 50) -> list[AccessRequest]:
    return list(
        session.scalars(
            select(AccessRequest)
            .where(
                AccessRequest.centre_id == centre_id,
                AccessRequest.status.not_in(OPEN_STATUSES),
            )
            .order_by(AccessRequest.registered_at.desc(), AccessRequest.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Due:
    """For the home page: how many requests wait for an answer, the soonest
    deadline, and how many are past theirs."""

    open: int
    next_deadline: date | None
    overdue: int


def _due_values() -> tuple:
    """What the home page counts of the open access requests (Due), the day
    a bound parameter; counted from the index (centre, status, deadline): no
    row is read."""
    past_deadline = sql_case(
        (AccessRequest.deadline_on < bindparam("due_today", type_=Date), AccessRequest.id)
    )
    return (
        func.count(AccessRequest.id),
        func.min(AccessRequest.deadline_on),
        func.count(past_deadline),
    )


def _open_of_centre(query: Select) -> Select:
    # One bound value per status, not one list parameter, which SQLAlchemy
    # would expand into the text of the statement (the home page's queue
    # with it) on every execution.
    statuses = (literal(status, AccessRequest.status.type) for status in OPEN_STATUSES)
    return query.where(
        AccessRequest.centre_id == bindparam("due_centre_id"),
        AccessRequest.status.in_(statuses),
    )


# The labels of due_along's columns, in Due's order.
_DUE_LABELS = ("access_due_open", "access_due_next", "access_due_overdue")


# Built once: a statement that selects them is cached by their identity.
@lru_cache(maxsize=1)
def _due_columns() -> tuple[Label, ...]:
    return tuple(
        _open_of_centre(select(value)).scalar_subquery().label(label)
        for value, label in zip(_due_values(), _DUE_LABELS, strict=True)
    )


def _due_params(centre_id: int, today: date) -> dict[str, object]:
    return {"due_centre_id": centre_id, "due_today": today}


def due_along(centre_id: int, today: date) -> tuple[tuple[Label, ...], dict[str, object]]:
    """The centre's Due as three scalar subqueries, with their parameters, for a
    statement that selects them along with other rows (the home page's
    queue); due_of reads them back."""
    return _due_columns(), _due_params(centre_id, today)


def due_of(values: Mapping[str, Any]) -> Due:
    count, soonest, overdue = (values[label] for label in _DUE_LABELS)
    return Due(open=count or 0, next_deadline=soonest, overdue=overdue or 0)


def is_overdue(request: AccessRequest, today: date) -> bool:
    return request.status in OPEN_STATUSES and request.deadline_on < today
