"""The assign list's select (backoffice.forms.intake.PlainSelect) writes what
wtforms' Select writes, for every kind of choice it handles itself."""

import pytest
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import Select

from backoffice.forms.intake import PlainSelect
from web.forms import choices

CHOICES = choices([("", "Nobody"), ("1", "Ann <b>&\"quote'"), ("2", ""), ("3", "Bob")])


def _pair(**field_options):
    class Plain(Form):
        f = SelectField("F", choices=CHOICES, widget=PlainSelect(), **field_options)

    class Theirs(Form):
        f = SelectField("F", choices=CHOICES, widget=Select(), **field_options)

    return Plain, Theirs


@pytest.mark.parametrize("data", [None, "", "1", "3", "9"])
@pytest.mark.parametrize("options", [{}, {"validators": [InputRequired()]}])
def test_it_writes_the_markup_of_wtforms_select(data, options):
    plain, theirs = _pair(**options)
    kwargs = {"aria_describedby": "f-hint f-error", "aria_invalid": "true"}
    assert plain(data={"f": data}).f(**kwargs) == theirs(data={"f": data}).f(**kwargs)
    assert plain(data={"f": data}).f() == theirs(data={"f": data}).f()


def test_grouped_and_attributed_choices_are_left_to_wtforms():
    grouped = [
        SelectChoice("1", "Ann", optgroup="North"),
        SelectChoice("2", "Bob", render_kw={"disabled": True}, optgroup="South"),
    ]

    class Plain(Form):
        f = SelectField("F", choices=grouped, widget=PlainSelect())

    class Theirs(Form):
        f = SelectField("F", choices=grouped, widget=Select())

    assert Plain(data={"f": "2"}).f() == Theirs(data={"f": "2"}).f()
    assert "<optgroup" in Plain().f()
    attributed = choices([("1", "Ann")]) + [SelectChoice("2", "Bob", render_kw={"disabled": True})]

    class PlainAttributed(Form):
        f = SelectField("F", choices=attributed, widget=PlainSelect())

    class TheirsAttributed(Form):
        f = SelectField("F", choices=attributed, widget=Select())

    assert PlainAttributed().f() == TheirsAttributed().f()
    assert "disabled" in PlainAttributed().f()
