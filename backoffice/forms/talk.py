"""Forms of "Talk now": the availability switch, and on a conversation's
page the message box, the safe phrases, the interpreter note, the hand-over
and the block.

Several of them share one page: each takes the page's one csrf_token input
(the app-wide CSRFProtect checks it before any view runs), and its fields
keep the names the URL contract gives (body, client_id, phrase, to_staff)."""

from __future__ import annotations

import secrets

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Optional

from core.identity.staff import assignable
from core.model import Conversation, Staff
from core.talk import availability
from core.talk.conversations import MESSAGE_MAX
from web.db import db
from web.forms import Form, too_long
from web.talk_phrases import PHRASES


def colleagues_to_hand_to(session: Session, centre_id: int, staff: Staff) -> list[Staff]:
    """The centre's team members available for conversations now (their talk
    page open, their switch on), but not the one who hands over."""
    team = {member.id for member in assignable(session, centre_id)}
    return [
        member
        for member in availability.available_staff(session, centre_id)
        if member.id in team and member.id != staff.id
    ]


class _OnePage(Form):
    class Meta:
        csrf = False


class AvailabilityForm(_OnePage):
    # "1": available for conversations, "0": not.
    available = HiddenField(validators=[AnyOf(("0", "1"))])


def new_client_id() -> str:
    """A message's one-time id: the same message sent twice is stored once.
    A page without JavaScript gets one per page it shows; the script makes a
    new one for each message."""
    return secrets.token_urlsafe(16)


class SendForm(_OnePage):
    """A message typed by the member, or a safe phrase (phrase=<code>)."""

    id_prefix = "message-"

    body = TextAreaField(_l("Your message"), validators=[too_long(MESSAGE_MAX)])
    client_id = HiddenField(validators=[Optional()])
    phrase = HiddenField(
        validators=[Optional(), AnyOf(tuple(PHRASES), message=_l("Choose one of the phrases."))]
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.phrase.data and not (self.body.data or "").strip():
            self.body.errors = [_l("Type a message first.")]
            return False
        return True

    @classmethod
    def fresh(cls) -> SendForm:
        return cls.blank(client_id=new_client_id())


class InterpreterForm(_OnePage):
    id_prefix = "interpreter-"

    needed = BooleanField(_l("An interpreter is needed"))


class HandOverForm(_OnePage):
    id_prefix = "hand-over-"

    # Only colleagues available now are offered; an id the list did not offer
    # (a stale page, a forged post) is refused on the field.
    to_staff = SelectField(_l("Hand over to"), coerce=str, validate_choice=False)

    def offer(self, colleagues: list[Staff]) -> None:
        self.to_staff.choices = [(str(s.id), s.name) for s in colleagues]

    def prepare(self, found: Conversation) -> None:
        self.offer(colleagues_to_hand_to(db.session, found.centre_id, g.staff))


class BlockForm(_OnePage):
    id_prefix = "block-"

    confirm = BooleanField(
        _l("Yes, end it and block this browser for 24 hours"),
        validators=[DataRequired(message=_l("Tick the box to block. Nothing was changed."))],
    )
