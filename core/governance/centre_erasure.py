"""erase-centre: delete every row of a centre that leaves the network.

The centre's rows are found through the one mapping of which row belongs to
which centre (core.network.centre_rows) and deleted children first. Kept: the
centre's own row (marked inactive, so the audit trail's centre ids still name
it) and the audit trail, which carries ids and codes only and gains one
"centre.erased" event. Refused while the centre is in the centre file (remove
it there and run `migrate` first, so nothing routes to it any more) and while
it is the default centre.

Rows of other centres may point at the erased centre's rows, mostly after a
transfer. They are settled first, one rule per kind (ADR 0033):
- an account of the centre that also works for another centre moves there;
- an account still named in another centre's rows (the author of a
  transferred file's history) stays as a stripped, inactive account of that
  centre: no name, no address, no password, no second factor;
- a link between the two (linked requests, a membership, a transfer) goes;
- a municipality of the centre is replaced by the one of the same name the
  network now serves, if any; any other optional reference is emptied;
- anything else stops the erasure, changing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Column, Table, delete, func, select, update
from sqlalchemy.orm import Session

from core.governance import audit
from core.governance.centre_export import CentreExitError
from core.model import Base, Centre, Municipality, Staff, StaffCentre
from core.network.centre_rows import (
    KEPT_ON_ERASE,
    LEADS_TO_CENTRE,
    centre_of,
    centre_tables,
    of_centre,
    outside_centre,
)
from core.network.centres import NetworkData

ERASED_EVENT = "centre.erased"
# Rows that only connect two records: when one end is erased, the row goes.
LINKS = frozenset(
    {
        ("intake_links", "intake_id"),
        ("intake_links", "linked_intake_id"),
        ("case_intakes", "intake_id"),
        ("case_intakes", "case_id"),
        ("case_members", "staff_id"),
        ("case_partner_members", "staff_id"),
        ("staff_centres", "staff_id"),
        ("centre_transfers", "to_centre_id"),
    }
)
# What a stripped account keeps: its id (other centres' rows name it).
FORMER_STAFF_NAME = "Former staff member"
UNUSABLE_HASH = "!"  # noqa: S105 - no password verifies against it


@dataclass
class ErasureReport:
    deleted: dict[str, int] = field(default_factory=dict)
    moved_accounts: int = 0
    stripped_accounts: int = 0
    loosened: int = 0

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def refusal(session: Session, centre: Centre, network: NetworkData) -> str | None:
    """Why the centre cannot be erased now, or None."""
    if any(c.slug == centre.slug for c in network.centres):
        return (
            f"centre {centre.slug} is still in the centre file; remove it there and run "
            "`flask --app wsgi migrate` first, so no request goes to it any more"
        )
    others = session.scalar(select(func.count(Centre.id)).where(Centre.id != centre.id)) or 0
    if centre.is_default and others:
        return (
            f"centre {centre.slug} is the default centre; run `flask --app wsgi migrate` "
            "with the new centre file first, so another centre becomes the default"
        )
    return None


def erase_centre(session: Session, centre: Centre, network: NetworkData) -> ErasureReport:
    """Delete every row of the centre (the caller commits, once)."""
    problem = refusal(session, centre, network)
    if problem:
        raise CentreExitError(problem)
    report = ErasureReport()
    report.moved_accounts = _move_members(session, centre.id)
    report.stripped_accounts = _strip_named_accounts(session, centre.id)
    report.loosened = _loosen_references(session, centre.id)
    for model_table in reversed(centre_tables()):
        if model_table.name in KEPT_ON_ERASE:
            continue
        result = session.execute(delete(model_table).where(of_centre(model_table, centre.id)))
        report.deleted[model_table.name] = result.rowcount or 0  # type: ignore[attr-defined]
    centre.active = False
    centre.is_default = False
    session.flush()
    audit.record(
        session,
        ERASED_EVENT,
        target_type="centre",
        target_id=centre.id,
        centre_id=centre.id,
        detail=f"rows={report.total}",
    )
    return report


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _move_members(session: Session, centre_id: int) -> int:
    """Accounts of the centre that also work for another one move there."""
    moves = session.execute(
        select(StaffCentre.staff_id, func.min(StaffCentre.centre_id))
        .join(Staff, Staff.id == StaffCentre.staff_id)
        .where(Staff.centre_id == centre_id, StaffCentre.centre_id != centre_id)
        .group_by(StaffCentre.staff_id)
    ).all()
    for staff_id, new_home in moves:
        session.execute(update(Staff).where(Staff.id == staff_id).values(centre_id=new_home))
        session.execute(
            delete(StaffCentre).where(
                StaffCentre.staff_id == staff_id, StaffCentre.centre_id == new_home
            )
        )
    return len(moves)


def _references_to(target: Table) -> list[tuple[Table, Column]]:
    """Every (table, column) of a centre's rows that points at `target`."""
    found = []
    for model_table in centre_tables():
        for key in sorted(model_table.foreign_keys, key=lambda k: k.parent.name):
            if key.column.table is target and key.parent.name != LEADS_TO_CENTRE[model_table.name]:
                found.append((model_table, key.parent))
    return found


def _strip_named_accounts(session: Session, centre_id: int) -> int:
    """Accounts of the centre still named by another centre's rows (not by a
    mere link) stay, stripped, as accounts of that centre."""
    staff_table = _table(Staff.__tablename__)
    ours = select(staff_table.c.id).where(of_centre(staff_table, centre_id))
    new_home: dict[int, int | None] = {}
    for model_table, pointer in _references_to(staff_table):
        if (model_table.name, pointer.name) in LINKS:
            continue
        rows = session.execute(
            select(pointer, centre_of(model_table)).where(
                outside_centre(model_table, centre_id), pointer.in_(ours)
            )
        )
        for staff_id, owner in rows:
            if new_home.get(staff_id) is None:
                new_home[staff_id] = owner
    fallback = session.scalar(
        select(Centre.id)
        .where(Centre.id != centre_id)
        .order_by(Centre.is_default.desc(), Centre.id)
    )
    for staff_id, owner in new_home.items():
        session.execute(
            update(Staff)
            .where(Staff.id == staff_id)
            .values(
                centre_id=owner or fallback,
                name=FORMER_STAFF_NAME,
                email=f"erased-{staff_id}@erased.invalid",
                password_hash=UNUSABLE_HASH,
                is_active=False,
                session_version=Staff.session_version + 1,
                totp_secret=None,
                totp_confirmed_at=None,
                totp_last_step=None,
                language=None,
                last_login_at=None,
                organisation_id=None,
            )
        )
        for name in ("staff_sessions", "staff_recovery_codes", "staff_centres"):
            owned = _table(name)
            session.execute(delete(owned).where(owned.c.staff_id == staff_id))
    return len(new_home)


def _loosen_references(session: Session, centre_id: int) -> int:
    """Settle every row of another centre that points at one of ours."""
    settled = 0
    pointers = [
        (model_table, pointer, target)
        for target in [_table(Centre.__tablename__), *centre_tables()]
        for model_table, pointer in _references_to(target)
    ]
    # Links first: a link that goes needs no other rule.
    pointers.sort(key=lambda found: (found[0].name, found[1].name) not in LINKS)
    for model_table, pointer, target in pointers:
        if target.name == Centre.__tablename__:
            ours = select(target.c.id).where(target.c.id == centre_id)
        else:
            ours = select(target.c.id).where(of_centre(target, centre_id))
        where = [outside_centre(model_table, centre_id), pointer.in_(ours)]
        if (model_table.name, pointer.name) in LINKS:
            settled += session.execute(delete(model_table).where(*where)).rowcount or 0  # type: ignore[attr-defined]
        elif target.name == Municipality.__tablename__:
            settled += _replace_municipalities(session, model_table, pointer, centre_id)
        elif pointer.nullable:
            result = session.execute(update(model_table).where(*where).values({pointer.name: None}))
            settled += result.rowcount or 0  # type: ignore[attr-defined]
        else:
            held = session.scalar(select(func.count()).select_from(model_table).where(*where))
            if held:
                raise CentreExitError(
                    f"{held} rows of {model_table.name} at other centres need "
                    f"{target.name} of this centre ({pointer.name}); nothing was erased"
                )
    return settled


def _replace_municipalities(
    session: Session, model_table: Table, pointer: Column, centre_id: int
) -> int:
    """Another centre's request from one of our municipalities: the same
    municipality as the network serves it now, else none."""
    ours = session.execute(
        select(Municipality.id, Municipality.name).where(Municipality.centre_id == centre_id)
    ).all()
    settled = 0
    for municipality_id, name in ours:
        served = session.scalar(
            select(Municipality.id)
            .where(
                Municipality.centre_id != centre_id,
                Municipality.active.is_(True),
                func.lower(Municipality.name) == name.lower(),
            )
            .limit(1)
        )
        result = session.execute(
            update(model_table)
            .where(outside_centre(model_table, centre_id), pointer == municipality_id)
            .values({pointer.name: served})
        )
        settled += result.rowcount or 0  # type: ignore[attr-defined]
    return settled
