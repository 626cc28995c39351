"""How the load and fault tests read back what a burst of submissions stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.model import Intake, Referral
from web.db import db


@dataclass
class Stored:
    kind: str
    email: str | None
    referral_email: str | None  # None: no referral row


def stored_requests(app, run: str) -> dict[str, list[Stored]]:
    """The stored requests of this run by marker; reading them decrypts every
    field, so a request stored in part (or under another key) fails here."""
    found: dict[str, list[Stored]] = {}
    with app.app_context():
        session = db.session
        referrals = {r.intake_id: r for r in session.scalars(select(Referral))}
        for intake in session.scalars(select(Intake)):
            for name in ("name", "phone", "email", "safe_word", "story"):
                getattr(intake, name)  # raises if a value does not decrypt
            referral = referrals.get(intake.id)
            if referral is not None:
                _ = (referral.organisation, referral.name, referral.email, referral.risk_concerns)
            if intake.story and intake.story.startswith(run):
                found.setdefault(intake.story, []).append(
                    Stored(intake.kind, intake.email, referral.email if referral else None)
                )
        session.rollback()
    return found


def check_stored_once(
    doors: dict[str, str], acknowledged: set[str], stored: dict[str, list[Stored]]
) -> None:
    """Every acknowledged request is stored, each request at most once, whole,
    and nothing stored that was never sent. `doors`: each sent marker's door."""
    lost = [marker for marker in acknowledged if marker not in stored]
    assert not lost, f"{len(lost)} acknowledged requests are not stored: {lost[:5]}"
    twice = {marker: len(rows) for marker, rows in stored.items() if len(rows) != 1}
    assert not twice, f"stored more than once: {twice}"
    assert set(stored) <= set(doors), "a stored request that was never sent"
    for marker, [row] in stored.items():
        door = doors[marker]
        assert row.kind == door, marker
        if door != "question":
            assert row.email == f"{marker}@example.be", marker
        if door == "referral":
            assert row.referral_email == f"ref-{marker}@example.be", f"{marker}: referral missing"
        else:
            assert row.referral_email is None, marker
