"""Forms of the transfers between centres: sending a request or a case file,
answering a transfer (accept, decline, send what was asked), asking another
centre for what it holds. The rules are the kernel's
(core.casework.transfers), so a refusal names every field at fault at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField

from backoffice.forms.intake import PanelForm
from core.model import Case, Intake
from core.network.centres import active_centres
from web.db import db
from web.forms import Form, choices


class TransferForm(Form):
    """On a request's or a case file's page: where it goes, and why."""

    id_prefix = "transfer-"

    # The kernel refuses a missing or wrong centre, with its own message.
    to_centre = SelectField(_l("Centre"), validate_choice=False)
    reason = TextAreaField(_l("Why does it go to this centre?"))

    def prepare(self, found: Intake | Case) -> None:
        self.to_centre.choices = [("", "–")] + choices(
            (centre.slug, centre.name)
            for centre in active_centres(db.session)
            if centre.id != found.centre_id
        )


class AnswerForm(PanelForm):
    """Accept, decline or send one transfer of a list: the fields carry the
    transfer's own prefix ("decline-7-reason"), so each row's are apart."""

    reason = TextAreaField(_l("Why? (optional)"))

    @classmethod
    def for_transfer(cls, action: str, transfer_id: int, **kwargs):
        return cls(prefix=f"{action}-{transfer_id}", **kwargs)


class SendAskedForm(AnswerForm):
    reason = TextAreaField(_l("Why does it go to this centre?"))


class AskForm(PanelForm):
    """The button next to "Known at another centre": which centre (its slug)."""

    centre = HiddenField()
