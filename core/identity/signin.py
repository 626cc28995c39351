"""The sign-in rules, step by step, as plain functions (the views only route).

Step 1, password: refused without checking while the address waits or is
locked; a wrong password counts a failure for the address (known or not).
Step 2, second factor: a TOTP code or a recovery code; wrong codes count for
the same address. Only a complete sign-in clears the count and starts a session.
Every outcome is audited, without the e-mail address, password or code, and
so is signing out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.governance import audit
from core.identity import staff_sessions, throttle, two_factor
from core.identity.staff import authenticate, find_by_email
from core.identity.throttle import Verdict
from core.model import Staff


@dataclass
class StepResult:
    staff: Staff | None = None
    # The verdict for the next attempt (locked, or a wait).
    verdict: Verdict = field(default_factory=Verdict)
    method: str | None = None
    # False when the attempt was refused without looking at the password or code.
    checked: bool = True

    @property
    def ok(self) -> bool:
        return self.staff is not None


def _target(session: Session, email: str) -> dict:
    known = find_by_email(session, email)
    return {"target_type": "staff", "target_id": known.id} if known else {}


def _failed(session: Session, email: str, at: datetime, reason: str) -> Verdict:
    verdict = throttle.record_failure(session, email, at)
    target = _target(session, email)
    audit.record(session, "staff.login_failed", detail=reason, **target)
    if verdict.locked:
        audit.record(session, "staff.locked", detail="too many failed attempts", **target)
    return verdict


def password_step(
    session: Session, email: str, password: str, at: datetime, *, partner: bool = False
) -> StepResult:
    """`partner`: the partner face's sign-in, which takes only partner members'
    accounts (and the back office's only the team's); the other face's account
    is refused with the same words and cost as a wrong password."""
    verdict = throttle.check(session, email, at)
    if not verdict.allowed:
        reason = "locked" if verdict.locked else "waiting"
        audit.record(session, "staff.login_refused", detail=reason, **_target(session, email))
        return StepResult(verdict=verdict, checked=False)
    staff = authenticate(session, email, password, partner=partner)
    if staff is None:
        return StepResult(verdict=_failed(session, email, at, "password"))
    return StepResult(staff=staff)


def code_step(session: Session, staff: Staff, code: str, at: datetime) -> StepResult:
    verdict = throttle.check(session, staff.email, at)
    if not verdict.allowed:
        reason = "locked" if verdict.locked else "waiting"
        audit.record(
            session, "staff.login_refused", detail=reason, target_type="staff", target_id=staff.id
        )
        return StepResult(verdict=verdict, checked=False)
    method = two_factor.verify(session, staff, code, at)
    if method is None:
        return StepResult(verdict=_failed(session, staff.email, at, "code"))
    return StepResult(staff=staff, method=method)


def complete(session: Session, staff: Staff, at: datetime, method: str) -> str:
    """Clear the failure count, start a server-side session, audit; the session token."""
    throttle.clear(session, staff.email)
    token = staff_sessions.start(session, staff, at)
    audit.record(session, "staff.login", actor_id=staff.id, detail=method)
    return token


def sign_out(session: Session, staff: Staff, token: str, at: datetime) -> None:
    """End this session on the server (a copied cookie stops working), audited."""
    staff_sessions.end(session, token, at)
    audit.record(session, "staff.logout", actor_id=staff.id)
