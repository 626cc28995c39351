"""What erasing a record removes of its rights rows: the values a correction
replaced and the reasons given for a restriction or an erasure request are
the person's data as much as the record itself. Called from the one erasure
code (core.governance.retention), so the portal's "delete my request", the
purge and an erasure on request all forget them.

Access requests (art. 15) point at the records they gathered, item by item:
the items pointing at an erased record go with it. An answered request left
with no item names nobody any more: its subject's name, identity note and
chosen rows go too, and what stays is its dates, codes and the staff who
handled it. An open request keeps the name until it is answered (the team
must still answer the person), then forgets it the same way. Answered
requests themselves go after FJC_ACCESS_REQUEST_RETENTION_DAYS
(`erase_access_request`, from the purge)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlalchemy.orm import Session

from core.model import (
    AccessItem,
    AccessRequest,
    AccessStatus,
    CasePerson,
    ErasureRequest,
    IntakeCorrection,
    IntakeRestriction,
    PersonCorrection,
    PersonRestriction,
)

# An access request answered: the copy given, or refused.
ANSWERED = (AccessStatus.RELEASED, AccessStatus.REFUSED)
# What a case file copied of the request it was opened from.
_COPIED_FIELDS = ("name", "phone", "email")


def forget_intake(session: Session, intake_id: int, copied_person: ColumnElement) -> None:
    """A request is erased, with what its case file copied of it (the file's
    first person's name, phone and e-mail): their earlier values go too.
    `copied_person`: SQL for that person's id (retention's scalar subquery)."""
    session.execute(delete(IntakeCorrection).where(IntakeCorrection.intake_id == intake_id))
    session.execute(delete(IntakeRestriction).where(IntakeRestriction.intake_id == intake_id))
    session.execute(
        delete(PersonCorrection).where(
            PersonCorrection.person_id == copied_person,
            PersonCorrection.field.in_(_COPIED_FIELDS),
        )
    )
    _forget_items(
        session,
        (AccessItem.intake_id == intake_id)
        | (
            (AccessItem.source == "case_people")
            & (AccessItem.source_id == copied_person)
            & AccessItem.field.in_(_COPIED_FIELDS)
        ),
    )


def forget_case(session: Session, case_id: int) -> None:
    """A case file is erased: its people's history and restrictions go, its
    erasure requests keep their dates, outcome and ground, not their words."""
    people = select(CasePerson.id).where(CasePerson.case_id == case_id)
    session.execute(delete(PersonCorrection).where(PersonCorrection.person_id.in_(people)))
    session.execute(delete(PersonRestriction).where(PersonRestriction.person_id.in_(people)))
    session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.case_id == case_id)
        .values(request_note=None, decision_note=None)
    )
    _forget_items(session, AccessItem.case_id == case_id)


def _forget_items(session: Session, pointing: ColumnElement[bool]) -> None:
    """Delete the access items that point at an erased record; an answered
    request left with none forgets whom it was about."""
    touched = sorted(set(session.scalars(select(AccessItem.request_id).where(pointing))))
    if not touched:
        return
    session.execute(delete(AccessItem).where(pointing).execution_options(synchronize_session=False))
    for request in session.scalars(select(AccessRequest).where(AccessRequest.id.in_(touched))):
        session.expire(request, ["items"])
        if request.status in ANSWERED:
            forget_if_nothing_left(session, request)


def forget_if_nothing_left(session: Session, request: AccessRequest) -> bool:
    """Empty the name, identity note and chosen rows of a request whose
    chosen records were all erased (no item is left). A request never
    gathered (its records not chosen yet) is not one of them. True when it
    forgot."""
    if request.subject_rows is None:
        return False
    if session.scalar(select(exists().where(AccessItem.request_id == request.id))):
        return False
    request.subject_name = request.identity_note = request.subject_rows = None
    session.flush()
    return True


def erase_access_request(session: Session, request: AccessRequest) -> None:
    """The request's retention ran out: it goes with its items. The audit
    trail keeps its steps (codes, ids and counts, never a name)."""
    session.delete(request)
    session.flush()


def answered_before(moment: datetime) -> ColumnElement[bool]:
    """Access requests answered (the copy given, or refused) before `moment`."""
    return AccessRequest.status.in_(ANSWERED) & (
        (AccessRequest.released_at < moment) | (AccessRequest.refused_at < moment)
    )
