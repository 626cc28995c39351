"""The form to add what a child says and wishes, on the case page under the
child. The case page holds one such form per child, so each form's fields
have ids of their own ("voice-12-said"); the page's one `csrf_token` input
(checked by the app-wide CSRFProtect) serves them all.

The kernel (core.casework.child_voice) checks every value and names each
field at fault; the form only carries what was typed, and keeps it."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from backoffice.forms.actions import DayField
from core.casework.child_voice import HEARD_BY_MAX
from web.forms import Form


class ChildVoiceForm(Form):
    class Meta:
        csrf = False

    heard_on = DayField(_l("Date the child was heard"))
    heard_by = StringField(_l("Who heard the child"), render_kw={"maxlength": HEARD_BY_MAX})
    said = TextAreaField(_l("What the child says and wishes, in the child's words"))

    def __init__(self, *args, person_id: int | None = None, **kwargs):
        # Set before the fields get their ids (web.forms.Form.__init__).
        self.person_id = person_id
        self.id_prefix = f"voice-{person_id}-"
        super().__init__(*args, **kwargs)

    @classmethod
    def for_person(cls, person_id: int, **defaults) -> ChildVoiceForm:
        """The form as the page first shows it, for one child."""
        return cls(formdata=None, person_id=person_id, **defaults)

    @classmethod
    def posted(cls) -> ChildVoiceForm:
        """The form a POST sent, for the child its URL names: a refusal then
        shows under that child, with that child's field ids."""
        return cls(person_id=(request.view_args or {}).get("person_id"))
