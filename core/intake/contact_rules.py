"""How a person may be reached: one record, read everywhere.

A person gives her safe-contact rules once, on the portal: which ways each
number or address may be used, whether we may say who we are, on which days
and at which times, a safe word, the language, an interpreter, or "through the
referrer". They stay on her request (the Intake row), and everything that
reaches out reads them from there: the request page, the victim's card in the
case file, the print for partners and the contact-attempt form. Changing them
(on the case file) changes that one record and keeps what it was before.

Codes only; the back office says them in words (web/casefile/contact_words.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra import clock
from core.intake.intakes import DAYS, TIMES, SafeContact, apply_rules
from core.model import ContactRulesChange, Intake, IntakeKind, IntakeStatus, Staff
from core.rules import RuleError

SAFE_WORD_MAX = 200


@dataclass(frozen=True)
class ContactRules(SafeContact):
    """The rules as the person gave them (SafeContact's fields: what the portal
    asked), with what the request adds. None means "not said": never "yes"."""

    # Door 3: the client is best reached through the professional who referred.
    via_referrer: bool = False
    referrer_name: str | None = None
    referrer_organisation: str | None = None
    referrer_phone: str | None = None
    referrer_email: str | None = None
    # An anonymous question gave no details: the portal reply is the only way.
    portal_only: bool = False
    # A young person's own request (their door): under 18, and their age range.
    young: bool = False
    age_range: str | None = None

    @classmethod
    def of(cls, intake: Intake) -> ContactRules:
        referral = intake.referral
        return cls(
            name=intake.name,
            phone=intake.phone,
            email=intake.email,
            may_call=intake.may_call,
            may_text=intake.may_text,
            may_voicemail=intake.may_voicemail,
            phone_say_who=intake.phone_say_who,
            email_say_who=intake.email_say_who,
            safe_days=_split(intake.safe_days, DAYS),
            safe_times=_split(intake.safe_times, TIMES),
            safe_word=intake.safe_word,
            contact_language=intake.contact_language,
            interpreter_needed=intake.interpreter_needed,
            trusted_adult=intake.trusted_adult,
            via_referrer=bool(referral and referral.contact_via_referrer),
            referrer_name=referral.name if referral else None,
            referrer_organisation=referral.organisation if referral else None,
            referrer_phone=referral.phone if referral else None,
            referrer_email=referral.email if referral else None,
            portal_only=intake.kind == IntakeKind.QUESTION,
            young=intake.kind == IntakeKind.YOUNG,
            age_range=intake.age_range,
        )

    @property
    def phone_ways(self) -> tuple[str, ...]:
        """The ways the phone number may be used: "call", "text", "voicemail"."""
        if not self.phone:
            return ()
        allowed = (
            ("call", self.may_call),
            ("text", self.may_text),
            ("voicemail", self.may_voicemail),
        )
        return tuple(way for way, yes in allowed if yes is True)

    @property
    def has_referrer(self) -> bool:
        return bool(self.referrer_name or self.referrer_phone or self.referrer_email)

    def as_dict(self) -> dict:
        """What the history keeps (the person's own rules, not the referrer's)."""
        kept = asdict(self)
        # Her name is not a rule; the referrer's details are the referral's.
        for field in ("name", "referrer_name", "referrer_organisation", "referrer_phone"):
            kept.pop(field)
        kept.pop("referrer_email")
        for field in ("portal_only", "young", "age_range"):
            kept.pop(field)
        kept["safe_days"] = list(self.safe_days)
        kept["safe_times"] = list(self.safe_times)
        return kept


def _split(codes: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = set((codes or "").split(","))
    return tuple(code for code in allowed if code in chosen)


def change(
    session: Session,
    intake: Intake,
    new: SafeContact,
    staff: Staff,
    *,
    via_referrer: bool | None = None,
) -> bool:
    """Replace the rules on the one record; keep the old ones in the history.
    Returns False (and keeps no history) when nothing changed. The phone number
    and e-mail address must already be normalised by the caller's form."""
    if intake.status == IntakeStatus.ERASED:
        raise RuleError("intake", "erased")
    if new.safe_word and len(new.safe_word) > SAFE_WORD_MAX:
        raise RuleError("safe_word", "too_long")
    before = ContactRules.of(intake)
    apply_rules(intake, new)
    if via_referrer is not None and intake.referral is not None:
        intake.referral.contact_via_referrer = via_referrer
    if ContactRules.of(intake) == before:
        return False
    session.add(
        ContactRulesChange(
            intake_id=intake.id,
            staff_id=staff.id,
            previous=before.as_dict(),
            created_at=clock.now(),
        )
    )
    session.flush()
    return True


def history(session: Session, intake: Intake) -> list[ContactRulesChange]:
    """Earlier versions of the rules, newest first."""
    return list(
        session.scalars(
            select(ContactRulesChange)
            .where(ContactRulesChange.intake_id == intake.id)
            .order_by(ContactRulesChange.created_at.desc(), ContactRulesChange.id.desc())
        )
    )


def rules_from_history(row: ContactRulesChange) -> ContactRules:
    """An earlier version as ContactRules, to say it in words."""
    kept = dict(row.previous or {})
    kept["safe_days"] = tuple(kept.get("safe_days") or ())
    kept["safe_times"] = tuple(kept.get("safe_times") or ())
    known = set(ContactRules.__dataclass_fields__)
    return ContactRules(**{key: value for key, value in kept.items() if key in known})
