"""E-mail to partner members that something waits for them in the partner
face. A notice says only that: never a name, a case number, a date or a
detail of the file, because e-mail leaves the centre's systems. Each member
reads it in their own language (nl when they chose none)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from core.infra import mail
from core.model import Staff
from web.urls import link_for

NEW_ACTION = "new_action"
ADDED_TO_CASE = "added_to_case"
CONSULTATION_PLANNED = "consultation_planned"


def _subject_and_lead(what: str) -> tuple[str, str]:
    if what == NEW_ACTION:
        return (
            _("Family Justice Center: a new action for your organisation"),
            _("A case file has a new action for your organisation."),
        )
    if what == ADDED_TO_CASE:
        return (
            _("Family Justice Center: a case file is shared with you"),
            _("A case file of the Family Justice Center is now shared with you."),
        )
    return (
        _("Family Justice Center: a case consultation is planned"),
        _("A case consultation is planned in a case file you work on."),
    )


def tell(members: Iterable[Staff], what: str) -> int:
    """Send the notice to each active member; how many servers took it."""
    sent = 0
    link = link_for("partner.home")
    for member in members:
        if not member.is_active:
            continue
        with force_locale(member.language or "nl"):
            subject, lead = _subject_and_lead(what)
            body = "\n\n".join(
                [
                    lead,
                    _("Sign in to see it: %(link)s", link=link),
                    _("This message holds no personal data on purpose."),
                ]
            )
        sent += mail.send(current_app.config, [member.email], subject, body + "\n")
    return sent
