"""Erasure on request (GDPR art. 17) for a case file.

A coordinator registers what a person asked, and when. The centre then
either erases the file with the code the retention purge uses
(core.governance.retention.erase_case: one way to erase, so the two cannot
drift), or refuses on a legal ground of art. 17(3) with a note: a legal
obligation to keep it, the protection of others (a child, the victim), the
establishment or defence of legal claims, or a task in the public interest.
Both outcomes are on the file's timeline and in the audit trail.

A file is erased once it is closed: an open file is still being worked on,
and closing it first says so on its timeline. A file under a legal hold
(core.governance.retention_holds) is not erased until the hold is lifted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.governance import audit, retention, retention_holds
from core.infra import clock
from core.model import (
    Case,
    CaseEvent,
    CaseStatus,
    ErasureRequest,
    ErasureStatus,
    RefusalGround,
    Staff,
)
from core.rules import WHOLE, RuleError

NOTE_MAX = 4000
GROUNDS = tuple(ground.value for ground in RefusalGround)
REQUESTED = "case.erasure_requested"
ERASED = "case.erased_on_request"
REFUSED = "case.erasure_refused"


def _note(value: str | None, field: str) -> str | None:
    text = (value or "").strip() or None
    if text is not None and len(text) > NOTE_MAX:
        raise RuleError(field, "too_long")
    return text


def find_case(session: Session, centre_id: int, number: str | None) -> Case | None:
    """The centre's case file with that number ("2026-0042"), or None."""
    text = (number or "").strip()
    if not text:
        return None
    return session.scalar(select(Case).where(Case.centre_id == centre_id, Case.number == text))


def _record(
    session: Session, case: Case, staff: Staff, action: str, detail: str | None, audit_detail: str
) -> None:
    """On the file's timeline and in the audit trail, as every change to a file
    (core.casework.cases.record, which this layer may not import)."""
    session.add(
        CaseEvent(
            case_id=case.id,
            staff_id=staff.id,
            action=action,
            detail=detail,
            created_at=clock.now(),
        )
    )
    session.flush()
    audit.record(
        session,
        action,
        actor_id=staff.id,
        target_type="case",
        target_id=case.id,
        detail=audit_detail,
    )


def register(
    session: Session,
    centre_id: int,
    staff: Staff,
    *,
    case_number: str | None,
    received_on: date | str | None,
    note: str | None,
    today: date,
) -> ErasureRequest:
    """Register a person's request to erase a case file of this centre; the
    day it was received as a date or as a browser's date input sends it."""
    errors: dict[str, str] = {}
    if isinstance(received_on, str):
        try:
            received_on = date.fromisoformat(received_on.strip()) if received_on.strip() else None
        except ValueError:
            errors["received_on"] = "invalid"
            received_on = None
    case = find_case(session, centre_id, case_number)
    if not (case_number or "").strip():
        errors["case_number"] = "missing"
    elif case is None:
        errors["case_number"] = "unknown"
    elif case.erased_at is not None:
        errors["case_number"] = "erased"
    elif open_request(session, case) is not None:
        errors["case_number"] = "already_open"
    if received_on is None:
        errors.setdefault("received_on", "missing")
    elif received_on > today:
        errors["received_on"] = "future"
    try:
        text = _note(note, "note")
    except RuleError as problem:
        errors.update(problem.problems)
    if errors or case is None or received_on is None:
        raise RuleError(errors)
    request = ErasureRequest(
        case_id=case.id,
        received_on=received_on,
        request_note=text,
        registered_by_id=staff.id,
        registered_at=clock.now(),
        status=ErasureStatus.OPEN,
    )
    session.add(request)
    session.flush()
    _record(session, case, staff, REQUESTED, None, f"erasure request {request.id}")
    return request


def open_request(session: Session, case: Case) -> ErasureRequest | None:
    return session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.case_id == case.id, ErasureRequest.status == ErasureStatus.OPEN)
        .limit(1)
    )


def _undecided(request: ErasureRequest) -> None:
    if request.status != ErasureStatus.OPEN:
        raise RuleError(WHOLE, "decided")


def erase(session: Session, request: ErasureRequest, staff: Staff) -> None:
    """Erase the file (and the requests it came from) as the purge does."""
    _undecided(request)
    case = session.get(Case, request.case_id)
    if case is None:
        raise RuleError(WHOLE, "decided")
    if case.status != CaseStatus.CLOSED:
        raise RuleError(WHOLE, "case_open")
    # A legal hold keeps the file for a reason of its own (a court case): the
    # hold is lifted first, or the request refused on its ground.
    if retention_holds.active_case_hold(session, case.id) is not None or any(
        retention_holds.active_intake_hold(session, intake.id) is not None
        for intake in case.intakes
    ):
        raise RuleError(WHOLE, "held")
    retention.erase_case(session, case, now=clock.now())
    request.status = ErasureStatus.ERASED
    request.decided_by_id = staff.id
    request.decided_at = clock.now()
    # The person asked to be forgotten: what she asked, in words, goes too.
    request.request_note = None
    _record(session, case, staff, ERASED, None, f"erasure request {request.id}")


def refuse(
    session: Session,
    request: ErasureRequest,
    staff: Staff,
    *,
    ground: str | None,
    note: str | None,
) -> None:
    """Keep the file, on a legal ground (required) with a note."""
    _undecided(request)
    errors: dict[str, str] = {}
    if ground not in GROUNDS:
        errors["ground"] = "missing"
    try:
        text = _note(note, "note")
    except RuleError as problem:
        errors.update(problem.problems)
    if errors:
        raise RuleError(errors)
    case = session.get(Case, request.case_id)
    if case is None:
        raise RuleError(WHOLE, "decided")
    request.status = ErasureStatus.REFUSED
    request.refusal_ground = ground
    request.decision_note = text
    request.decided_by_id = staff.id
    request.decided_at = clock.now()
    _record(session, case, staff, REFUSED, ground, f"erasure request {request.id} ground {ground}")


def requests_of(session: Session, centre_id: int) -> list[tuple[ErasureRequest, Case]]:
    """The centre's erasure requests, open ones first, then newest first."""
    rows = session.execute(
        select(ErasureRequest, Case)
        .join(Case, Case.id == ErasureRequest.case_id)
        .where(Case.centre_id == centre_id)
        .order_by(
            (ErasureRequest.status != ErasureStatus.OPEN),
            ErasureRequest.registered_at.desc(),
            ErasureRequest.id.desc(),
        )
    ).all()
    return [(request, case) for request, case in rows]
