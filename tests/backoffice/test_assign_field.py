"""The assign list as the request page first shows it
(backoffice.forms.intake.first_shown_assign_field) is what the `field` macro
writes for a blank AssignForm, to the byte, whatever the names hold."""

from types import SimpleNamespace

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import select

from backoffice.forms.intake import AssignForm, first_shown_assign_field
from core.model import Staff
from web.db import db

NAMES = ("Ann <b>&\"quote'", "Bob", "Zoë Ø")


@pytest.mark.parametrize("language", ["en", "nl", "ar"])
def test_it_writes_what_the_macro_writes_for_a_blank_form(app, make_staff, language):
    made = [
        make_staff(role, name=name)[0]
        for role, name in zip(("coordinator", "case_director", "case_director"), NAMES, strict=True)
    ]
    with app.test_request_context("/staff/"), force_locale(language):
        # Their centre: the shared test database may hold other tests' centres too.
        centre_id = db.session.scalar(select(Staff.centre_id).where(Staff.id == made[0]))
        found = SimpleNamespace(centre_id=centre_id)
        form = AssignForm.blank()
        form.prepare(found)
        theirs = render_template_string(
            '{% from "macros.html" import field %}{{ field(form.staff_id) }}', form=form
        )
        ours = first_shown_assign_field(found)
    assert str(ours) == theirs
    assert "&lt;b&gt;&amp;&#34;quote&#39;" in ours
    assert ours.count("<option") == 1 + len(NAMES)
