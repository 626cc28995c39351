"""Staff accounts: creating and inviting them, passwords, signing in, deactivating.

These are the building blocks; a change a person makes to an account goes
through core.identity.accounts, which records it in the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Integer, Select, and_, bindparam, select, update
from sqlalchemy.orm import Session, defer

from core.identity import passwords, throttle
from core.model import Role, Staff, StaffCentre, StaffSession
from core.network.centres import default_centre, is_member
from core.rules import RuleError


class StaffExists(RuleError):
    """There is already an account with this e-mail address."""

    def __init__(self):
        super().__init__("email", "taken")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.email == normalise_email(email)))


def names_of(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """{id: name} of the accounts named (None is skipped), in one query; an
    id that names no account is left out. No id: no query."""
    wanted = {staff_id for staff_id in ids if staff_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(wanted)))
    return {staff_id: name for staff_id, name in rows}


def of_centre(centre_id: int | BindParameter[int]):
    """SQL: the staff who work for this centre (home centre or a membership)."""
    others = select(StaffCentre.staff_id).where(StaffCentre.centre_id == centre_id)
    return (Staff.centre_id == centre_id) | Staff.id.in_(others)


def _can_be_assigned(centre_id: int | BindParameter[int]):
    """SQL: the centre's active accounts that see requests."""
    return and_(
        Staff.is_active.is_(True),
        Staff.role.in_((Role.COORDINATOR, Role.CASE_DIRECTOR)),
        of_centre(centre_id),
    )


def assignable(session: Session, centre_id: int) -> list[Staff]:
    """Who a request of this centre can be given to: its active accounts that
    see requests, by name. A list to choose from: their TOTP secrets are not
    read (each would be decrypted)."""
    return list(
        session.scalars(
            select(Staff)
            .options(defer(Staff.totp_secret))
            .where(_can_be_assigned(centre_id))
            .order_by(Staff.name, Staff.id)
        )
    )


def assignable_names(session: Session, centre_id: int) -> list[tuple[int, str]]:
    """`assignable` as the list shows it, (id, name): only those two columns,
    in a statement built once per process (the centre a bind parameter)."""
    return [(row.id, row.name) for row in session.execute(_assignable_names(), {"c": centre_id})]


@cache
def _assignable_names() -> Select:
    centre: BindParameter[int] = bindparam("c", type_=Integer)
    return (
        select(Staff.id, Staff.name).where(_can_be_assigned(centre)).order_by(Staff.name, Staff.id)
    )


def works_for(session: Session, staff: Staff, centre_id: int) -> bool:
    return is_member(session, staff, centre_id)


def new_account(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password_hash: str,
    centre_id: int | None = None,
) -> Staff:
    """A team member's or a partner member's account (core.identity.organisations),
    at home in `centre_id` (None: the default centre, the only one of most
    installations)."""
    role = Role(role)  # ValueError on an unknown role
    if find_by_email(session, email) is not None:
        raise StaffExists
    staff = Staff(
        centre_id=centre_id if centre_id is not None else default_centre(session).id,
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        password_hash=password_hash,
        is_active=bool(password_hash),
        session_version=1,
    )
    session.add(staff)
    # An address tried before the account existed starts with a clean slate.
    throttle.clear(session, staff.email)
    session.flush()
    return staff


def _team_role(role: str) -> Role:
    """A team role; a partner member's account comes with its organisation
    (core.identity.organisations). ValueError otherwise."""
    if Role(role) == Role.PARTNER:
        raise ValueError("a partner member is made with its organisation")
    return Role(role)


def create_staff(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    centre_id: int | None = None,
) -> Staff:
    _team_role(role)
    passwords.check_policy(password, email=email, name=name)
    return new_account(
        session,
        email=email,
        name=name,
        role=role,
        password_hash=passwords.hash_password(password),
        centre_id=centre_id,
    )


def invite_staff(
    session: Session, *, email: str, name: str, role: str, centre_id: int | None = None
) -> Staff:
    """An account without a password, inactive until the invitation is accepted."""
    return new_account(
        session,
        email=email,
        name=name,
        role=_team_role(role),
        password_hash="",
        centre_id=centre_id,
    )


def is_invited(staff: Staff) -> bool:
    """Invited and not yet accepted: no password has been chosen."""
    return not staff.password_hash


def accept_invite(staff: Staff, password: str) -> None:
    set_password(staff, password)
    staff.is_active = True


def set_password(staff: Staff, password: str) -> None:
    """A new password ends every session of the account."""
    passwords.check_policy(password, email=staff.email, name=staff.name)
    staff.password_hash = passwords.hash_password(password)
    staff.session_version += 1


def end_all_sessions(session: Session, staff: Staff, at: datetime) -> None:
    staff.session_version += 1
    session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff.id, StaffSession.ended_at.is_(None))
        .values(ended_at=at)
    )


def deactivate(session: Session, staff: Staff, at: datetime) -> None:
    staff.is_active = False
    end_all_sessions(session, staff, at)


def activate(staff: Staff) -> bool:
    """Only an account that has a password can be active again."""
    if is_invited(staff):
        return False
    staff.is_active = True
    return True


def authenticate(
    session: Session, email: str, password: str, *, partner: bool = False
) -> Staff | None:
    """The account if the e-mail and password match an active account of this
    face (a partner member's at /partner, a team member's at /staff), else None.

    Unknown e-mail, wrong password and inactive account all cost one argon2
    verification, so the answer and its timing do not reveal which it was.
    A hash made with older parameters is made again with the current ones.
    """
    staff = find_by_email(session, email)
    ok = passwords.verify_password(staff.password_hash if staff else None, password)
    if not ok or staff is None or not staff.is_active:
        return None
    if (staff.role == Role.PARTNER) is not partner:
        return None
    if passwords.needs_rehash(staff.password_hash):
        staff.password_hash = passwords.hash_password(password)
    return staff
