"""Partner organisations and their members' accounts.

A member is an account with the role "partner" and an organisation, made by
an operator (`create-partner`) or invited by a coordinator; sign-in, the
second factor, throttling, sessions and recovery are the staff code, and the
two faces refuse each other's accounts (signin.password_step)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity import passwords
from core.identity import staff as staff_rules
from core.model import PartnerOrganisation, Role, Staff
from core.network.centres import default_centre
from core.rules import RuleError

# The kinds of partner a case file knows (core.casework.partners uses them too).
KINDS = (
    "police",
    "prosecutor",
    "caw",
    "youth_care",
    "mental_health",
    "lawyer",
    "doctor",
    "school",
    "other",
)
NAME_MAX = 200


def is_partner(account: Staff) -> bool:
    return account.role == Role.PARTNER


def organisations(session: Session, centre_id: int) -> list[PartnerOrganisation]:
    return list(
        session.scalars(
            select(PartnerOrganisation)
            .where(PartnerOrganisation.centre_id == centre_id)
            .order_by(PartnerOrganisation.name, PartnerOrganisation.id)
        )
    )


def organisation_named(
    session: Session, name: str, kind: str | None = None, *, centre_id: int | None = None
) -> PartnerOrganisation:
    """The centre's organisation of this name; made (with `kind`, "other" when
    none is given) the first time it is named; refused when `kind` differs
    from a known one's. The name is compared as typed, spaces tidied."""
    clean = " ".join((name or "").split())
    if not clean:
        raise RuleError("organisation", "missing")
    if len(clean) > NAME_MAX:
        raise RuleError("organisation", "too_long")
    if kind is not None and kind not in KINDS:
        raise RuleError("kind", "missing")
    if centre_id is None:  # the operator's command on a one-centre installation
        centre_id = default_centre(session).id
    found = session.scalar(
        select(PartnerOrganisation).where(
            PartnerOrganisation.centre_id == centre_id, PartnerOrganisation.name == clean
        )
    )
    if found is None:
        found = PartnerOrganisation(centre_id=centre_id, kind=kind or "other", name=clean)
        session.add(found)
        session.flush()
    elif kind is not None and kind != found.kind:
        # Known under another kind: a police invitation must not make a member
        # of a school (what a member may be let in for follows the kind).
        raise RuleError("kind", "differs")
    return found


def _member(
    session: Session, *, email: str, name: str, organisation: PartnerOrganisation, password_hash
) -> Staff:
    # A member is at home in the centre of their organisation.
    member = staff_rules.new_account(
        session,
        email=email,
        name=name,
        role=Role.PARTNER,
        password_hash=password_hash,
        centre_id=organisation.centre_id,
    )
    member.organisation_id = organisation.id
    session.flush()
    return member


def create_member(
    session: Session, *, email: str, name: str, organisation: PartnerOrganisation, password: str
) -> Staff:
    """An active member with a password (the operator's command)."""
    passwords.check_policy(password, email=email, name=name)
    return _member(
        session,
        email=email,
        name=name,
        organisation=organisation,
        password_hash=passwords.hash_password(password),
    )


def invite_member(
    session: Session, *, email: str, name: str, organisation: PartnerOrganisation
) -> Staff:
    """A member without a password, inactive until the invitation is accepted."""
    return _member(session, email=email, name=name, organisation=organisation, password_hash="")


def active_members(session: Session, centre_id: int) -> list[Staff]:
    """Who can be linked to a case file's partner: the centre's active members,
    by organisation."""
    return list(
        session.scalars(
            select(Staff)
            .join(PartnerOrganisation, PartnerOrganisation.id == Staff.organisation_id)
            .where(
                Staff.centre_id == centre_id,
                Staff.role == Role.PARTNER,
                Staff.is_active.is_(True),
            )
            .order_by(PartnerOrganisation.name, Staff.name, Staff.id)
        )
    )
