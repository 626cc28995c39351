"""The period of the figures page: a GET form, so its fields keep the names of
the address (?from=2026-01&to=2026-03) and it has no CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from web.forms import Form


class PeriodForm(Form):
    """The months are checked by the kernel (core.reporting.stats.parse_period),
    which names the field it refuses: "from" or "to"."""

    id_prefix = "period-"

    class Meta:
        csrf = False

    # "from" is a Python keyword: the attribute has another name, the field not.
    first = StringField(_l("First month"), name="from")
    last = StringField(_l("Last month"), name="to")
