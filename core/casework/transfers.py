"""Transfers between the centres of a network: a request or a whole case file
moves to another centre, when that centre's coordinator accepts it.

The steps, each audited once for each of the two centres (ids and codes only;
the reason stays in the transfer's encrypted row):

- send: the holder's coordinator offers it, with a reason (PENDING). It stays
  with the holder, who keeps working on it, until the other centre answers.
- accept: a coordinator of the receiving centre takes it. It moves: its centre,
  its number, its team; partners are kept but marked for review (their basis
  was given at the other centre) and lose the links to the other centre's
  partner organisation; everything is re-encrypted under the receiving
  centre's keys (core.network.rekey). The sending centre keeps only the
  transfer row: the kind, the date, where it went, the status.
- decline: the receiving centre says no; nothing moves.
- ask: a centre where the person is "known at another centre" asks the holder
  to send it (ASKED); the holder's coordinator sends it (send) or declines.

One transfer at a time per request or case file: PENDING or ASKED is "open".

It lives with casework, not in core.network: it records on the case file's
timeline and in the audit trail, and the kernel's layers keep core.network
(the centres, below intake and identity) from importing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Delete,
    Integer,
    Label,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.casework import cases
from core.governance import audit
from core.identity.permissions import Permission, role_allows
from core.infra import clock
from core.intake.triage import linked_ids
from core.model import (
    Case,
    CaseAction,
    CaseMember,
    CasePartner,
    CasePartnerMember,
    Centre,
    CentreTransfer,
    Intake,
    IntakeLink,
    IntakeStatus,
    Staff,
    TransferStatus,
)
from core.network import rekey
from core.network.centres import is_member
from core.rules import WHOLE, RuleError

INTAKE = "intake"
CASE = "case"
OPEN_STATUSES = (TransferStatus.PENDING, TransferStatus.ASKED)
REASON_MAX = 2000

Record = Intake | Case


def kind_of(transfer: CentreTransfer) -> str:
    return CASE if transfer.case_id is not None else INTAKE


def record_of(session: Session, transfer: CentreTransfer) -> Record | None:
    if transfer.case_id is not None:
        return session.get(Case, transfer.case_id)
    return session.get(Intake, transfer.intake_id) if transfer.intake_id is not None else None


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def may_transfer(session: Session, staff: Staff, centre_id: int) -> bool:
    """A coordinator (the role with TRANSFER) who works for that centre."""
    return (
        staff.is_active
        and role_allows(staff.role, Permission.TRANSFER)
        and is_member(session, staff, centre_id)
    )


def _refuse_unless_allowed(session: Session, staff: Staff, centre_id: int) -> None:
    if not may_transfer(session, staff, centre_id):
        raise RuleError(WHOLE, "not_allowed")


def _check_record(session: Session, record: Record) -> None:
    """What cannot move: a deleted or closed request, a request that is part of
    a case file (the file moves, with all its requests), an erased file."""
    if isinstance(record, Intake):
        if record.status == IntakeStatus.ERASED:
            raise RuleError(WHOLE, "erased")
        if record.status == IntakeStatus.CLOSED:
            raise RuleError(WHOLE, "closed")
        if cases.case_of(session, record) is not None:
            raise RuleError(WHOLE, "in_a_case")
    elif record.erased_at is not None:
        raise RuleError(WHOLE, "erased")


def _of_record(record: Record):
    if isinstance(record, Case):
        return CentreTransfer.case_id == record.id
    return CentreTransfer.intake_id == record.id


def open_transfer(session: Session, record: Record) -> CentreTransfer | None:
    """The transfer of this request or file still waiting for an answer."""
    if isinstance(record, Intake):
        return session.scalar(_open_transfer_of_intake(), {"intake_id": record.id})
    return session.scalar(
        select(CentreTransfer).where(_of_record(record), CentreTransfer.status.in_(OPEN_STATUSES))
    )


@cache
def _open_transfer_of_intake() -> Select:
    # Asked on every request's page a coordinator opens: built once per process.
    return select(CentreTransfer).where(
        CentreTransfer.intake_id == bindparam("intake_id"),
        CentreTransfer.status.in_(OPEN_STATUSES),
    )


def _detail(transfer: CentreTransfer, session: Session, **counts: int) -> str:
    """Ids and codes only: which transfer, of what, between which centres."""
    record_id = transfer.case_id if transfer.case_id is not None else transfer.intake_id
    sender = session.get(Centre, transfer.centre_id)
    receiver = session.get(Centre, transfer.to_centre_id)
    parts = [
        f"transfer={transfer.id}",
        f"{kind_of(transfer)}={record_id}",
        f"from={sender.slug if sender else transfer.centre_id}",
        f"to={receiver.slug if receiver else transfer.to_centre_id}",
    ]
    parts += [f"{name}={number}" for name, number in counts.items()]
    return " ".join(parts)


def _record(
    session: Session,
    transfer: CentreTransfer,
    by: Staff,
    action: str,
    *,
    timeline: str | None = None,
    **counts: int,
) -> None:
    """One audit event for each of the two centres. A case file's own centre
    gets it through the file's timeline (`timeline`: the other centre's name)
    when the step belongs there; the other centre's event names the transfer."""
    session.flush()
    detail = _detail(transfer, session, **counts)
    case = session.get(Case, transfer.case_id) if transfer.case_id is not None else None
    for centre_id in (transfer.centre_id, transfer.to_centre_id):
        if case is not None and timeline is not None and case.centre_id == centre_id:
            cases.record(session, case, by, action, timeline, audit_detail=detail)
            continue
        audit.record(
            session,
            action,
            actor_id=by.id,
            target_type="transfer",
            target_id=transfer.id,
            detail=detail,
            centre_id=centre_id,
        )


def _check_reason(reason: str | None, problems: dict[str, str]) -> str | None:
    text = _text(reason)
    if text is None:
        problems["reason"] = "missing"
    elif len(text) > REASON_MAX:
        problems["reason"] = "too_long"
    return text


def send(
    session: Session,
    record: Record,
    to_centre: Centre | None,
    reason: str | None,
    by: Staff,
) -> CentreTransfer:
    """Offer a request or a case file to another centre (PENDING). When that
    centre asked for it (ASKED), this is the answer: the same transfer goes on."""
    _refuse_unless_allowed(session, by, record.centre_id)
    _check_record(session, record)
    problems: dict[str, str] = {}
    if to_centre is None:
        problems["to_centre"] = "missing"
    elif to_centre.id == record.centre_id:
        problems["to_centre"] = "same_centre"
    elif not to_centre.active:
        problems["to_centre"] = "inactive"
    text = _check_reason(reason, problems)
    if problems:
        raise RuleError(problems)
    assert to_centre is not None
    transfer = open_transfer(session, record)
    if transfer is not None and not (
        transfer.status == TransferStatus.ASKED and transfer.to_centre_id == to_centre.id
    ):
        raise RuleError(WHOLE, "pending")
    if transfer is None:
        transfer = CentreTransfer(
            centre_id=record.centre_id,
            to_centre_id=to_centre.id,
            intake_id=record.id if isinstance(record, Intake) else None,
            case_id=record.id if isinstance(record, Case) else None,
        )
        session.add(transfer)
    transfer.status = TransferStatus.PENDING
    transfer.reason = text
    transfer.requested_by_id = by.id
    transfer.requested_at = clock.now()
    _record(session, transfer, by, "transfer.sent", timeline=to_centre.name)
    return transfer


def ask(session: Session, asking_centre: Centre, match: Record, by: Staff) -> CentreTransfer:
    """Ask the centre that holds `match` (a request or a case file where the
    person is known) to transfer it to `asking_centre`. Nothing of it is shown
    to the asking centre; the holder decides."""
    _refuse_unless_allowed(session, by, asking_centre.id)
    if match.centre_id == asking_centre.id:
        raise RuleError(WHOLE, "same_centre")
    _check_record(session, match)
    if open_transfer(session, match) is not None:
        raise RuleError(WHOLE, "pending")
    transfer = CentreTransfer(
        centre_id=match.centre_id,
        to_centre_id=asking_centre.id,
        intake_id=match.id if isinstance(match, Intake) else None,
        case_id=match.id if isinstance(match, Case) else None,
        status=TransferStatus.ASKED,
        requested_by_id=by.id,
        requested_at=clock.now(),
    )
    session.add(transfer)
    _record(session, transfer, by, "transfer.asked")
    return transfer


def decline(
    session: Session, transfer: CentreTransfer, by: Staff, reason: str | None = None
) -> None:
    """No: the receiving centre declines what was sent, or the holder declines
    what was asked. Nothing moves."""
    if transfer.status == TransferStatus.PENDING:
        answering_centre = transfer.to_centre_id
    elif transfer.status == TransferStatus.ASKED:
        answering_centre = transfer.centre_id
    else:
        raise RuleError(WHOLE, "decided")
    _refuse_unless_allowed(session, by, answering_centre)
    text = _text(reason)
    if text is not None and len(text) > REASON_MAX:
        raise RuleError("reason", "too_long")
    was_sent = transfer.status == TransferStatus.PENDING
    transfer.status = TransferStatus.DECLINED
    transfer.decline_reason = text
    transfer.decided_by_id = by.id
    transfer.decided_at = clock.now()
    receiver = session.get(Centre, transfer.to_centre_id)
    _record(
        session,
        transfer,
        by,
        "transfer.declined",
        timeline=receiver.name if was_sent and receiver else None,
    )


@dataclass(frozen=True)
class Moved:
    """What changed when a case file arrived: counts for the audit trail."""

    members_removed: int = 0
    partners_to_review: int = 0
    partner_members_removed: int = 0
    owners_cleared: int = 0
    links_removed: int = 0


def accept(session: Session, transfer: CentreTransfer, by: Staff) -> Record:
    """Take what was sent: it moves to the receiving centre, whole."""
    if transfer.status != TransferStatus.PENDING:
        raise RuleError(WHOLE, "decided")
    _refuse_unless_allowed(session, by, transfer.to_centre_id)
    to_centre = session.get(Centre, transfer.to_centre_id)
    record = record_of(session, transfer)
    if to_centre is None or not to_centre.active:
        raise RuleError(WHOLE, "inactive")
    if record is None or record.centre_id != transfer.centre_id:
        raise RuleError(WHOLE, "decided")
    _check_record(session, record)
    if isinstance(record, Intake):
        moved = Moved(links_removed=_move_intake(session, record, to_centre))
        session.flush()
        rekey.rekey_intake(session, record, to_centre)
    else:
        moved = _move_case(session, record, to_centre, by)
        session.flush()
        rekey.rekey_case(session, record, to_centre)
    transfer.status = TransferStatus.ACCEPTED
    transfer.decided_by_id = by.id
    transfer.decided_at = clock.now()
    sender = session.get(Centre, transfer.centre_id)
    _record(
        session,
        transfer,
        by,
        "transfer.accepted",
        timeline=sender.name if sender else "",
        **{name: number for name, number in vars(moved).items() if number},
    )
    return record


def _move_intake(session: Session, intake: Intake, to_centre: Centre) -> int:
    """The request changes centre and waits for someone there to take it.
    Links to requests that stay behind are removed: neither centre may see
    the other's requests. Returns how many links were removed."""
    intake.centre_id = to_centre.id
    intake.assigned_to_id = None
    intake.claimed_at = None
    return _unlink_other_centres(session, intake)


def _unlink_other_centres(session: Session, intake: Intake) -> int:
    others = linked_ids(session, intake)
    if not others:
        return 0
    session.flush()
    behind = select(Intake.id).where(Intake.id.in_(others), Intake.centre_id != intake.centre_id)
    return _deleted(
        session,
        delete(IntakeLink).where(
            or_(
                (IntakeLink.intake_id == intake.id) & IntakeLink.linked_intake_id.in_(behind),
                (IntakeLink.linked_intake_id == intake.id) & IntakeLink.intake_id.in_(behind),
            )
        ),
    )


def _deleted(session: Session, statement: Delete) -> int:
    """Run a DELETE; how many rows it removed (for the audit trail's counts)."""
    result = cast(
        CursorResult, session.execute(statement.execution_options(synchronize_session=False))
    )
    return result.rowcount or 0


def _move_case(session: Session, case: Case, to_centre: Centre, by: Staff) -> Moved:
    """The file and all its requests change centre. It gets the receiving
    centre's next number and the accepting coordinator as its director; the
    sending centre's colleagues and partner members lose it. People, plans,
    risk assessments, actions, consultations and partners come along."""
    links = 0
    for intake in case.intakes:
        intake.centre_id = to_centre.id
        intake.assigned_to_id = None
        intake.claimed_at = None
    session.flush()
    for intake in case.intakes:
        links += _unlink_other_centres(session, intake)
    _renumber(session, case, to_centre)
    # The actions carry their file's centre (the home page's overdue list).
    session.execute(
        update(CaseAction).where(CaseAction.case_id == case.id).values(centre_id=to_centre.id)
    )
    case.director_id = by.id
    members = _deleted(session, delete(CaseMember).where(CaseMember.case_id == case.id))
    partner_ids = list(
        session.scalars(select(CasePartner.id).where(CasePartner.case_id == case.id))
    )
    partner_members = 0
    if partner_ids:
        partner_members = _deleted(
            session,
            delete(CasePartnerMember).where(CasePartnerMember.case_partner_id.in_(partner_ids)),
        )
    for partner in session.scalars(select(CasePartner).where(CasePartner.case_id == case.id)):
        # Partner organisations belong to a centre; the basis was given there.
        partner.organisation_id = None
        partner.transfer_review = True
    owners = 0
    for action in session.scalars(
        select(CaseAction).where(
            CaseAction.case_id == case.id, CaseAction.owner_staff_id.is_not(None)
        )
    ):
        # Someone who does not work for the receiving centre cannot open the
        # file any more: the action waits there for a new owner.
        owner = session.get(Staff, action.owner_staff_id)
        if owner is None or not is_member(session, owner, to_centre.id):
            action.owner_staff_id = None
            owners += 1
    return Moved(
        members_removed=members,
        partners_to_review=len(partner_ids),
        partner_members_removed=partner_members,
        owners_cleared=owners,
        links_removed=links,
    )


def _renumber(session: Session, case: Case, to_centre: Centre) -> None:
    """The next number of this year, as a file opened at the receiving centre
    gets one (core.casework.cases._number: the year's sequence runs over the
    whole network). Centre, year and sequence change in one write; a number
    taken meanwhile by a file opened elsewhere makes it try the next."""
    session.flush()
    year = clock.now().year
    for _attempt in range(5):
        last = session.scalar(select(func.max(Case.sequence)).where(Case.year == year))
        sequence = (last or 0) + 1
        savepoint = session.begin_nested()
        case.centre_id = to_centre.id
        case.year = year
        case.sequence = sequence
        case.number = f"{year}-{sequence:04d}"
        try:
            session.flush()
        except IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return
    raise RuleError(WHOLE, "no_number")


def mark_partner_reviewed(session: Session, case: Case, partner: CasePartner, by: Staff) -> bool:
    """The receiving centre checked the basis of a partner that came with the
    file; False when there was nothing to check."""
    if partner.case_id != case.id:
        raise RuleError("partner", "other_case")
    if not partner.transfer_review:
        return False
    partner.transfer_review = False
    cases.record(
        session,
        case,
        by,
        "case.partner_reviewed",
        partner.kind,
        audit_detail=f"partner {partner.id}",
    )
    session.flush()
    return True


# --- What each centre sees of the transfers ----------------------------------


def _listed(
    session: Session,
    *where: ColumnElement[bool],
    newest_first: bool = False,
    limit: int | None = None,
) -> list[CentreTransfer]:
    """The transfers that meet `where`, in the order they were asked or sent."""
    if newest_first:
        order = (CentreTransfer.requested_at.desc(), CentreTransfer.id.desc())
    else:
        order = _OLDEST_FIRST
    return list(session.scalars(select(CentreTransfer).where(*where).order_by(*order).limit(limit)))


_OLDEST_FIRST = (CentreTransfer.requested_at.asc(), CentreTransfer.id.asc())


def _incoming_where(centre_id) -> tuple[ColumnElement[bool], ...]:
    return (
        CentreTransfer.to_centre_id == centre_id,
        CentreTransfer.status == TransferStatus.PENDING,
    )


def _asked_of_where(centre_id) -> tuple[ColumnElement[bool], ...]:
    return (
        CentreTransfer.centre_id == centre_id,
        CentreTransfer.status == TransferStatus.ASKED,
    )


def incoming(session: Session, centre_id: int) -> list[CentreTransfer]:
    """Sent to this centre, waiting for its answer: oldest first."""
    return _listed(session, *_incoming_where(centre_id))


def asked_of(session: Session, centre_id: int) -> list[CentreTransfer]:
    """Other centres ask this centre to send them one of its records."""
    return _listed(session, *_asked_of_where(centre_id))


def _awaiting_answer_where() -> ColumnElement[bool]:
    """incoming or asked_of, bound to the centre ("awaiting_centre_id")."""
    centre_id = bindparam("awaiting_centre_id", type_=Integer)
    return or_(and_(*_incoming_where(centre_id)), and_(*_asked_of_where(centre_id)))


# Built once: every coordinator's home page asks, bound to its centre.
@lru_cache(maxsize=1)
def _awaiting_answer_query() -> Select:
    return select(CentreTransfer).where(_awaiting_answer_where()).order_by(*_OLDEST_FIRST)


def awaiting_answer_along(centre_id: int) -> tuple[Label[bool], dict[str, object]]:
    """Whether anything waits for this centre's answer (awaiting_answer is not
    empty), as a scalar subquery labelled "transfers_waiting" with its
    parameters, for a statement that selects it along with other rows (the
    home page's queue): the lists are read only when it is true."""
    return _awaiting_answer_flag(), {"awaiting_centre_id": centre_id}


# Built once: a statement that selects it is cached by its identity.
@lru_cache(maxsize=1)
def _awaiting_answer_flag() -> Label[bool]:
    return exists().where(_awaiting_answer_where()).label("transfers_waiting")


def awaiting_answer(
    session: Session, centre_id: int
) -> tuple[list[CentreTransfer], list[CentreTransfer]]:
    """incoming and asked_of, in one statement: what waits for this centre's answer."""
    found = list(session.scalars(_awaiting_answer_query(), {"awaiting_centre_id": centre_id}))
    return (
        [t for t in found if t.status == TransferStatus.PENDING],
        [t for t in found if t.status == TransferStatus.ASKED],
    )


def sent_by(session: Session, centre_id: int, limit: int = 200) -> list[CentreTransfer]:
    """The sending centre's trace: what it sent (a reason is given when
    something is sent; an ask that was declined never was), newest first."""
    return _listed(
        session,
        CentreTransfer.centre_id == centre_id,
        CentreTransfer.status != TransferStatus.ASKED,
        CentreTransfer.reason.is_not(None),
        newest_first=True,
        limit=limit,
    )


def asked_by(session: Session, centre_id: int, limit: int = 200) -> list[CentreTransfer]:
    """What this centre asked other centres for, while not sent (asked, or
    declined without being sent), newest first."""
    return _listed(
        session,
        CentreTransfer.to_centre_id == centre_id,
        CentreTransfer.status.in_((TransferStatus.ASKED, TransferStatus.DECLINED)),
        CentreTransfer.reason.is_(None),
        newest_first=True,
        limit=limit,
    )


@dataclass(frozen=True)
class Offer:
    """What the receiving centre sees before it accepts: codes only, nothing
    that names or describes the person. For a request its door and how
    urgent it is; for a case file its track."""

    kind: str
    door: str | None = None
    danger_now: bool = False
    urgency: str | None = None
    track: str | None = None


def offer_of(session: Session, transfer: CentreTransfer) -> Offer:
    record = record_of(session, transfer)
    if isinstance(record, Case):
        return Offer(kind=CASE, track=record.track)
    if isinstance(record, Intake):
        return Offer(
            kind=INTAKE,
            door=record.kind,
            danger_now=record.danger_now,
            urgency=record.referral.urgency if record.referral is not None else None,
        )
    return Offer(kind=kind_of(transfer))
