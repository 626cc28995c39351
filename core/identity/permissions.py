"""What each staff role may do. Staff routes declare one permission each;
a route that declares none is refused (deny by default)."""

from __future__ import annotations

from enum import StrEnum

from core.model import Role


class Permission(StrEnum):
    # Reachable without signing in (the sign-in steps, accepting an invitation).
    PUBLIC = "public"
    # Any signed-in account, whatever its role (its own account pages, sign-out).
    SIGNED_IN = "signed_in"
    VIEW_INTAKES = "view_intakes"
    REPLY_TO_REQUESTER = "reply_to_requester"
    # Take a request, log contact attempts, decide the track, link matches.
    TRIAGE = "triage"
    # Give a request to someone else (the operational lead's job).
    ASSIGN = "assign"
    # Case files; which ones is decided per file (core.casework.cases.can_view).
    CASES = "cases"
    # Figures (/staff/stats). Coordinators see exact numbers; every other role
    # that may see figures, and every export, gets small counts suppressed.
    VIEW_STATS = "view_stats"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT = "view_audit"
    # Invite a partner organisation's member (an account at /partner).
    INVITE_PARTNERS = "invite_partners"
    # The partner face: a member's own case files, which ones decided per file
    # (core.casework.partner_access.access_to).
    PARTNER_WORK = "partner_work"
    # The network's figures, all centres side by side (/staff/network).
    VIEW_NETWORK = "view_network"
    # Send a request or a case file to another centre, accept one sent here.
    TRANSFER = "transfer"
    # Live conversations with people on the portal (/staff/talk).
    TALK = "talk"
    # Data-subject requests: access, rectification, restriction, erasure,
    # retention and legal holds (/staff/rights). Coordinators only.
    DATA_SUBJECT_RIGHTS = "data_subject_rights"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Case directors see the queue of requests. Case files are decided per file:
    # only those they direct or are invited into (core.casework.cases.can_view).
    Role.CASE_DIRECTOR: frozenset(
        {
            Permission.VIEW_INTAKES,
            Permission.REPLY_TO_REQUESTER,
            Permission.TRIAGE,
            Permission.CASES,
            Permission.VIEW_STATS,
            Permission.TALK,
        }
    ),
    # The operational lead sees everything, assigns work and reads the audit trail.
    Role.COORDINATOR: frozenset(
        {
            Permission.VIEW_INTAKES,
            Permission.REPLY_TO_REQUESTER,
            Permission.TRIAGE,
            Permission.ASSIGN,
            Permission.CASES,
            Permission.VIEW_STATS,
            Permission.VIEW_AUDIT,
            Permission.INVITE_PARTNERS,
            Permission.TRANSFER,
            Permission.TALK,
            Permission.DATA_SUBJECT_RIGHTS,
        }
    ),
    # Admins manage accounts and settings, not the content of requests.
    Role.ADMIN: frozenset(
        {Permission.MANAGE_STAFF, Permission.VIEW_AUDIT, Permission.INVITE_PARTNERS}
    ),
    # Partner members work only in the partner face, never in the back office.
    Role.PARTNER: frozenset({Permission.PARTNER_WORK}),
    # The network's figures and nothing of any centre's content.
    Role.NETWORK: frozenset({Permission.VIEW_NETWORK}),
}


def role_allows(role: str, permission: Permission) -> bool:
    if permission in (Permission.PUBLIC, Permission.SIGNED_IN):
        return True
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
