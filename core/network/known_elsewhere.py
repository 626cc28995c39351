"""Known at another centre: a new request whose phone number or e-mail address
matches, through the blind indexes, a request at another centre of the network
(a request of its own, or one a case file there was opened from).

Staff see only the other centre's name, never what it holds: no id, no date,
no content. They may ask that centre to transfer it (core.casework.transfers.
ask); the other centre decides. An installation may switch the matching off
(`cross_centre_matching` in the centre file); then nothing is known elsewhere.

People staff add to a case file by hand (CasePerson) carry no blind index:
only a file's own requests are compared (a file's victim is the person of the
request it was opened from), never a decrypted value.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.model import (
    Case,
    CaseIntake,
    Centre,
    CentreTransfer,
    Intake,
    IntakeStatus,
    TransferStatus,
    restricted_intake_ids,
)

_OPEN = (TransferStatus.PENDING, TransferStatus.ASKED)


@dataclass(frozen=True)
class KnownAt:
    """One other centre where the person is known: what a page may show."""

    slug: str
    name: str
    # This centre asked for it, and the other centre has not answered yet.
    asked: bool
    # Something there can be asked for (a file, or a request still open).
    can_ask: bool
    # The other centre sent it here: it waits under "Transfers to this centre".
    coming: bool = False


@dataclass(frozen=True)
class _Match:
    centre_id: int
    intake: Intake
    case: Case | None

    @property
    def record(self) -> Intake | Case | None:
        """What the other centre would transfer: the file a request belongs
        to, or the request itself while it is open; None when neither can move."""
        if self.case is not None:
            return self.case if self.case.erased_at is None else None
        if self.intake.status in (IntakeStatus.CLOSED, IntakeStatus.ERASED):
            return None
        return self.intake


def _matches(session: Session, intake: Intake) -> list[_Match]:
    conditions = []
    if intake.phone_index:
        conditions.append(Intake.phone_index == intake.phone_index)
    if intake.email_index:
        conditions.append(Intake.email_index == intake.email_index)
    if not conditions or intake.status == IntakeStatus.ERASED:
        return []
    # A restricted request (GDPR art. 18) is stored, not used, at either end.
    restricted = restricted_intake_ids()
    if session.scalar(select(Intake.id).where(Intake.id == intake.id, Intake.id.in_(restricted))):
        return []
    rows = session.execute(
        select(Intake, Case)
        .join(Centre, Centre.id == Intake.centre_id)
        .outerjoin(CaseIntake, CaseIntake.intake_id == Intake.id)
        .outerjoin(Case, Case.id == CaseIntake.case_id)
        .where(
            Intake.centre_id != intake.centre_id,
            Centre.active.is_(True),
            or_(*conditions),
            Intake.status != IntakeStatus.ERASED,
            Intake.id.not_in(restricted),
        )
        .order_by(Intake.id)
    )
    return [_Match(found.centre_id, found, case) for found, case in rows]


def _open_transfers(session: Session, records: list[Intake | Case]) -> list[CentreTransfer]:
    intake_ids = [r.id for r in records if isinstance(r, Intake)]
    case_ids = [r.id for r in records if isinstance(r, Case)]
    if not records:
        return []
    return list(
        session.scalars(
            select(CentreTransfer).where(
                CentreTransfer.status.in_(_OPEN),
                or_(
                    CentreTransfer.intake_id.in_(intake_ids),
                    CentreTransfer.case_id.in_(case_ids),
                ),
            )
        )
    )


def _key(record: Intake | Case) -> tuple[str, int]:
    return ("case" if isinstance(record, Case) else "intake", record.id)


def _transfer_key(transfer: CentreTransfer) -> tuple[str, int]:
    if transfer.case_id is not None:
        return ("case", transfer.case_id)
    return ("intake", transfer.intake_id or 0)


def known_at(session: Session, intake: Intake, *, matching: bool) -> list[KnownAt]:
    """The other centres where this request's person is known, by name."""
    if not matching:
        return []
    matches = _matches(session, intake)
    if not matches:
        return []
    records = {_key(r): r for m in matches if (r := m.record) is not None}
    open_by_record = {_transfer_key(t): t for t in _open_transfers(session, list(records.values()))}
    known = []
    for centre_id in sorted({m.centre_id for m in matches}):
        centre = session.get(Centre, centre_id)
        if centre is None:
            continue
        mine = {_key(r) for m in matches if m.centre_id == centre_id and (r := m.record)}
        to_us = [
            t.status
            for key in mine
            if (t := open_by_record.get(key)) is not None and t.to_centre_id == intake.centre_id
        ]
        known.append(
            KnownAt(
                slug=centre.slug,
                name=centre.name,
                asked=TransferStatus.ASKED in to_us,
                can_ask=any(key not in open_by_record for key in mine),
                coming=TransferStatus.PENDING in to_us,
            )
        )
    return sorted(known, key=lambda k: k.name.casefold())


def records_to_ask(
    session: Session, intake: Intake, centre: Centre, *, matching: bool
) -> list[Intake | Case]:
    """What `centre` could be asked to transfer for this request: for the
    rule that asks (the holder sees its own record), never for a page."""
    if not matching or centre.id == intake.centre_id:
        return []
    matches = [m for m in _matches(session, intake) if m.centre_id == centre.id]
    records = {_key(r): r for m in matches if (r := m.record) is not None}
    taken = {_transfer_key(t) for t in _open_transfers(session, list(records.values()))}
    return [record for key, record in sorted(records.items()) if key not in taken]
