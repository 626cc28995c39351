"""What a partner member may open: the "virtual one roof".

A member sees a case file only while (1) the case director has linked them to
one of the file's partners, (2) the file is open, and (3) that partner's basis
holds now (`partners.may_see`: consent given, in scope, not withdrawn, or a
458ter consultation). Every partner route asks `access_to` on every request,
so a withdrawal or a removal cuts access at the member's next request.

The parts a member sees are exactly `may_see`'s; the actions their own
organisation owns are theirs to work on whatever the scope, since the team
gave them that task (their titles are shown, nothing else of the plan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.casework.cases import record
from core.casework.partners import PARTS, may_see
from core.identity.organisations import is_partner
from core.infra import clock
from core.model import (
    Case,
    CaseAction,
    CaseEvent,
    CasePartner,
    CasePartnerMember,
    CaseStatus,
    PartnerOrganisation,
    Staff,
)
from core.rules import RuleError

# The timeline's words for a member's reads: the parts read, as codes.
VIEWED = "partner.viewed"
PRINTED = "partner.printed"
READS = (VIEWED, PRINTED)


@dataclass(frozen=True)
class Access:
    """One member's way into one case file, now."""

    case: Case
    partners: tuple[CasePartner, ...]
    parts: frozenset[str]

    @property
    def partner_ids(self) -> set[int]:
        return {partner.id for partner in self.partners}

    def owns(self, action: CaseAction) -> bool:
        return action.case_id == self.case.id and action.owner_partner_id in self.partner_ids


def _links(session: Session, member: Staff, case_id: int | None = None):
    query = (
        select(Case, CasePartner)
        .join(CasePartner, CasePartner.case_id == Case.id)
        .join(CasePartnerMember, CasePartnerMember.case_partner_id == CasePartner.id)
        .where(
            CasePartnerMember.staff_id == member.id,
            # Asked again at every request: the partner is still the member's
            # organisation (core.casework.partners.update_partner keeps it so).
            CasePartner.organisation_id == member.organisation_id,
            Case.status == CaseStatus.OPEN,
            Case.erased_at.is_(None),
        )
        .order_by(Case.opened_at.desc(), Case.id.desc(), CasePartner.id)
    )
    if case_id is not None:
        query = query.where(Case.id == case_id)
    return session.execute(query).all()


def _accesses(rows, at: datetime) -> list[Access]:
    by_case: dict[int, tuple[Case, list[CasePartner], set[str]]] = {}
    for case, partner in rows:
        parts = may_see(partner, at)
        if not parts:
            continue
        entry = by_case.setdefault(case.id, (case, [], set()))
        entry[1].append(partner)
        entry[2].update(parts)
    return [
        Access(case=case, partners=tuple(found), parts=frozenset(parts))
        for case, found, parts in by_case.values()
    ]


def cases_for(session: Session, member: Staff, at: datetime | None = None) -> list[Access]:
    """The files this member may open now, newest first."""
    if not (is_partner(member) and member.is_active):
        return []
    return _accesses(_links(session, member), at or clock.now())


def access_to(
    session: Session, member: Staff, case_id: int, at: datetime | None = None
) -> Access | None:
    """This member's access to this file now, or None (the route says 404, so
    an id tells nothing about files the member may not open)."""
    if not (is_partner(member) and member.is_active):
        return None
    found = _accesses(_links(session, member, case_id), at or clock.now())
    return found[0] if found else None


# --- The case director links members to a partner of the file ---------------


def may_represent(partner: CasePartner, member: Staff) -> bool:
    """Whether the member works for this partner's organisation: the one its
    first member brought, or, before any, one of the partner's kind."""
    if member.organisation is None:
        return False
    if partner.organisation_id is not None:
        return member.organisation_id == partner.organisation_id
    return member.organisation.kind == partner.kind


def members_of(session: Session, case: Case) -> dict[int, list[Staff]]:
    """{case partner id: the members linked to it, by name}, in one query."""
    rows = session.execute(
        select(CasePartnerMember.case_partner_id, Staff)
        .join(Staff, Staff.id == CasePartnerMember.staff_id)
        .join(CasePartner, CasePartner.id == CasePartnerMember.case_partner_id)
        .where(CasePartner.case_id == case.id)
        .order_by(Staff.name, Staff.id)
    )
    linked: dict[int, list[Staff]] = {}
    for partner_id, member in rows:
        linked.setdefault(partner_id, []).append(member)
    return linked


def add_member(
    session: Session, case: Case, partner: CasePartner, member: Staff, by: Staff
) -> bool:
    """Link a member to this partner of the file; False when already linked.
    Refused for a closed file, a member who is not an active partner member,
    a member of another kind of organisation than the partner's, and a partner
    that may see nothing now (its consent was withdrawn)."""
    if partner.case_id != case.id:
        raise RuleError("partner", "other_case")
    if case.status != CaseStatus.OPEN:
        raise RuleError("case", "closed")
    if not (is_partner(member) and member.is_active):
        raise RuleError("member", "not_a_member")
    # A consent names an organisation (the school): a member of another one
    # (the police, another school) must not see the file on that consent. The
    # first member let in ties the partner to their organisation, which must be
    # one of the file's centre: another centre's police zone is not this one.
    if (
        member.organisation is None
        or member.organisation.centre_id != case.centre_id
        or not may_represent(partner, member)
    ):
        raise RuleError("member", "other_organisation")
    if not may_see(partner):
        raise RuleError("member", "basis_gone")
    linked = session.scalar(
        select(CasePartnerMember.id).where(
            CasePartnerMember.case_partner_id == partner.id,
            CasePartnerMember.staff_id == member.id,
        )
    )
    if linked is not None:
        return False
    partner.organisation_id = member.organisation_id
    savepoint = session.begin_nested()
    try:
        session.add(
            CasePartnerMember(
                case_partner_id=partner.id,
                staff_id=member.id,
                added_by_id=by.id,
                added_at=clock.now(),
            )
        )
        session.flush()
    except IntegrityError:
        # The same member let in twice at once (two tabs): once is enough.
        savepoint.rollback()
        return False
    savepoint.commit()
    record(
        session,
        case,
        by,
        "case.partner_member_added",
        member.name,
        audit_detail=f"partner {partner.id} member {member.id}",
    )
    session.flush()
    return True


def remove_member(
    session: Session, case: Case, partner: CasePartner, member: Staff, by: Staff
) -> bool:
    """Unlink a member: from their next request on, the file is closed to them."""
    if partner.case_id != case.id:
        raise RuleError("partner", "other_case")
    removed = session.execute(
        delete(CasePartnerMember).where(
            CasePartnerMember.case_partner_id == partner.id,
            CasePartnerMember.staff_id == member.id,
        )
    )
    if not getattr(removed, "rowcount", 0):
        return False
    still_linked = session.scalar(
        select(CasePartnerMember.id).where(CasePartnerMember.case_partner_id == partner.id)
    )
    if still_linked is None:
        # Nobody works on the file for this partner now: its details may change.
        partner.organisation_id = None
    record(
        session,
        case,
        by,
        "case.partner_member_removed",
        member.name,
        audit_detail=f"partner {partner.id} member {member.id}",
    )
    session.flush()
    return True


def members_to_tell(
    session: Session,
    case: Case,
    *,
    partner_ids: set[int] | None = None,
    part: str | None = None,
) -> list[Staff]:
    """The active members linked to this file's partners (only those in
    `partner_ids` when given) whose basis holds now (and shows `part`)."""
    rows = session.execute(
        select(CasePartner, Staff)
        .join(CasePartnerMember, CasePartnerMember.case_partner_id == CasePartner.id)
        .join(Staff, Staff.id == CasePartnerMember.staff_id)
        .where(
            CasePartner.case_id == case.id,
            Staff.is_active.is_(True),
            Staff.organisation_id == CasePartner.organisation_id,
        )
        .order_by(Staff.id)
    )
    told: dict[int, Staff] = {}
    for partner, member in rows:
        if partner_ids is not None and partner.id not in partner_ids:
            continue
        parts = may_see(partner)
        if parts and (part is None or part in parts):
            told[member.id] = member
    return list(told.values())


# --- Who read what -----------------------------------------------------------


def record_read(session: Session, access: Access, member: Staff, *, printed: bool = False) -> None:
    """A member read the file (or printed it): on the timeline and in the
    audit trail, with the parts shown, so staff can answer "who saw my file?"."""
    parts = [part for part in PARTS if part in access.parts]
    record(
        session,
        access.case,
        member,
        PRINTED if printed else VIEWED,
        ", ".join(parts),
        audit_detail=f"partner {','.join(str(i) for i in sorted(access.partner_ids))} "
        f"parts {','.join(parts)}",
    )


@dataclass(frozen=True)
class Read:
    """One organisation's reading of one part, the last time it happened."""

    organisation: str
    kind: str
    part: str
    last_at: datetime
    printed: bool


def reads_of(session: Session, case: Case) -> list[Read]:
    """Which organisations read which parts of the file, and when last: for
    the case page, and (when the centre allows it) for the person herself."""
    rows = session.execute(
        select(CaseEvent.action, CaseEvent.detail, CaseEvent.created_at, PartnerOrganisation)
        .join(Staff, Staff.id == CaseEvent.staff_id)
        .join(PartnerOrganisation, PartnerOrganisation.id == Staff.organisation_id)
        .where(CaseEvent.case_id == case.id, CaseEvent.action.in_(READS))
        .order_by(CaseEvent.id)
    )
    latest: dict[tuple[int, str], Read] = {}
    for action, detail, at, organisation in rows:
        for part in (detail or "").split(", "):
            if not part:
                continue
            earlier = latest.get((organisation.id, part))
            latest[(organisation.id, part)] = Read(
                organisation=organisation.name,
                kind=organisation.kind,
                part=part,
                last_at=at,
                printed=action == PRINTED or bool(earlier and earlier.printed),
            )
    return sorted(latest.values(), key=lambda r: (r.organisation, r.part))
