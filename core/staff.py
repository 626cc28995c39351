"""Staff accounts: creating them and signing in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import passwords
from core.centres import current_centre
from core.models import Role, Staff, utcnow


class StaffExists(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.email == normalise_email(email)))


def create_staff(session: Session, *, email: str, name: str, role: str, password: str) -> Staff:
    role = Role(role)  # ValueError on an unknown role
    passwords.check_policy(password)
    if find_by_email(session, email) is not None:
        raise StaffExists(email)
    staff = Staff(
        centre_id=current_centre(session).id,
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        password_hash=passwords.hash_password(password),
    )
    session.add(staff)
    session.flush()
    return staff


def set_password(staff: Staff, password: str) -> None:
    passwords.check_policy(password)
    staff.password_hash = passwords.hash_password(password)
    staff.session_version += 1


def authenticate(session: Session, email: str, password: str) -> Staff | None:
    """The account if the e-mail and password match an active account, else None.

    Unknown e-mail, wrong password and inactive account all cost one argon2
    verification, so the answer and its timing do not reveal which it was.
    """
    staff = find_by_email(session, email)
    ok = passwords.verify_password(staff.password_hash if staff else None, password)
    if not ok or staff is None or not staff.is_active:
        return None
    if passwords.needs_rehash(staff.password_hash):
        staff.password_hash = passwords.hash_password(password)
    staff.last_login_at = utcnow()
    return staff
