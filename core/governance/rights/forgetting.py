"""What erasing a record removes of its rights rows: the values a correction
replaced and the reasons given for a restriction or an erasure request are
the person's data as much as the record itself. Called from the one erasure
code (core.governance.retention), so the portal's "delete my request", the
purge and an erasure on request all forget them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from core.model import (
    CasePerson,
    ErasureRequest,
    IntakeCorrection,
    IntakeRestriction,
    PersonCorrection,
    PersonRestriction,
)


def forget_intake(session: Session, intake_id: int, copied_person: ColumnElement) -> None:
    """A request is erased, with what its case file copied of it (the file's
    first person's name, phone and e-mail): their earlier values go too.
    `copied_person`: SQL for that person's id (retention's scalar subquery)."""
    session.execute(delete(IntakeCorrection).where(IntakeCorrection.intake_id == intake_id))
    session.execute(delete(IntakeRestriction).where(IntakeRestriction.intake_id == intake_id))
    session.execute(
        delete(PersonCorrection).where(
            PersonCorrection.person_id == copied_person,
            PersonCorrection.field.in_(("name", "phone", "email")),
        )
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
