"""The forms of "Talk now": start a conversation, write in it, choose what
happens to it at the end, and what she leaves when nobody is there (a
message, a booked call-back). Plain language; a choice says who acts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from core.infra.ids import parse_id
from core.talk.conversations import MESSAGE_MAX
from core.talk.left_behind import STORY_MAX
from portal.forms import (
    OTHER_MUNICIPALITY,
    SAY_WHO_LABEL,
    HoneypotMixin,
    _check_radio,
    _long_text,
    _radio,
    _text,
    clean_text,
    filled,
)
from web.forms import PhoneField, too_long

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


class StartForm(FlaskForm):
    """Is it safe to write now? And, in a network of centres, where she lives
    (it decides which team answers)."""

    safe_now = _radio(_l("Is it safe for you to write now?"), YES_NO)
    municipality = SelectField(_l("Where do you live?"), validate_choice=False)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = [
            SelectChoice("", _l("Choose")),
            *(SelectChoice(str(m.id), m.name) for m in municipalities),
            SelectChoice(OTHER_MUNICIPALITY, _l("Another municipality, or I would rather not say")),
        ]

    def validate_safe_now(self, field):
        _check_radio(field)
        if not field.data:
            raise ValidationError(_l("Tell us if it is safe for you to write now."))

    def validate_municipality(self, field):
        if field.data not in (None, "", *[choice.value for choice in field.choices]):
            raise ValidationError(_l("Choose from the list."))

    def municipality_id(self) -> int | None:
        return parse_id(self.municipality.data)


class SendForm(FlaskForm):
    """One line. client_id is new for every message (the page's, or the
    script's crypto.randomUUID()): the same message sent again is stored once."""

    body = TextAreaField(
        _l("Your message"),
        id="talk-body",
        filters=[clean_text],
        validators=[too_long(MESSAGE_MAX)],
    )
    client_id = HiddenField()

    def validate_body(self, field):
        if not filled(field):
            raise ValidationError(_l("Type your message first."))


class KeepForm(FlaskForm):
    """Her choice at the end. The team keeps what she wrote as her request
    either way; this is only whether she can read it again herself."""

    keep = _radio(
        _l("Keep this conversation so I can read it again with my code?"),
        [
            ("yes", _l("Yes. I want to read it again in my mailbox, with my code.")),
            ("no", _l("No. I do not want to read it again.")),
        ],
    )

    def validate_keep(self, field):
        _check_radio(field)
        if not field.data:
            raise ValidationError(_l("Choose yes or no."))


class MessageForm(HoneypotMixin, FlaskForm):
    """Nobody is there: a message, answered in her mailbox."""

    message = TextAreaField(
        _l("Your message"), filters=[clean_text], validators=[too_long(STORY_MAX)]
    )
    submission_id = HiddenField()

    def validate_message(self, field):
        if not filled(field):
            raise ValidationError(_l("Type your message first."))


class CallBackForm(HoneypotMixin, FlaskForm):
    """Nobody is there: the team calls her back at a time she chose."""

    phone = PhoneField(
        _l("Phone number"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("Type the phone number on which we can call you back."))
        ],
    )
    # The slots of the coming days, grouped by day (optgroups), in the
    # centre's time zone; the value is the moment in UTC.
    slot = SelectField(_l("When may we call you?"), validate_choice=False)
    may_voicemail = BooleanField(_l("The team may leave me a voicemail"))
    say_who = BooleanField(SAY_WHO_LABEL)
    safe_word = _text(_l("A safe word or question (optional)"), limit=100)
    message = _long_text(_l("What would you like to tell us? (optional)"), limit=STORY_MAX)
    submission_id = HiddenField()

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        # (value, time, day) triples: a select with a group per day.
        self.slot.choices = [
            SelectChoice("", _l("Choose a time")),
            *(SelectChoice(value, time, optgroup=day) for value, time, day in slots),
        ]

    def offered_slots(self) -> set[str]:
        return {choice.value for choice in self.slot.choices if choice.value}

    def validate_slot(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a time when we may call you."))
        if field.data not in self.offered_slots():
            raise ValidationError(_l("This time is no longer free. Choose another time."))


__all__ = ["CallBackForm", "KeepForm", "MessageForm", "SendForm", "StartForm", "YES_NO"]
