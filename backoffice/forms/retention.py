"""Forms of retention and legal holds (/staff/rights/retention): placing a
hold (on the retention page by number, or on a case file's page) and lifting
one. The rules are the kernel's (core.governance.retention_holds), so a
refusal names every field at fault at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from backoffice.forms.actions import DayField
from web.forms import Form

# Where a form was sent from, so a refused one comes back to that page.
FROM_CASE = "case"
FROM_REQUEST = "request"


class HoldForm(Form):
    id_prefix = "hold-"

    # On a case file's page the number is a hidden field: the file itself.
    record = StringField(_l("Number of the case file or the request"))
    reason = TextAreaField(_l("Why must it be kept?"))
    review_on = DayField(_l("Look at the hold again on"))
    came_from = HiddenField()


class LiftForm(Form):
    id_prefix = "lift-"

    # "case_file" or "request": the two kinds of hold have ids of their own.
    kind = HiddenField()
    came_from = HiddenField()
