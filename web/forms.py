"""What every form shares: the kernel's refusals shown on their fields,
field ids that say which form they belong to, and the phone number field.

A view hands a refused form back to its page; the page renders each field with
the one `field()` macro and the list of problems with the one `error_summary()`
macro (web/templates/macros.html). A RuleError's codes become messages here,
through the messages function of the form's screen area.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from babel import support
from flask import request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import (
    Field,
    FieldList,
    FormField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.i18n import messages_path
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from core.infra import phones
from core.rules import WHOLE, RuleError

# (field, code) -> the message a person reads.
Messages = Callable[[str, str], str]


def too_long(limit: int) -> Length:
    """The one length check of a text field, with the one message for it."""
    return Length(max=limit, message=_l("Please keep this under %(max)d characters.", max=limit))


def choices(pairs) -> list[SelectChoice]:
    """Options of a select, radio or checkbox field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class Form(FlaskForm):
    """A FlaskForm whose fields keep their names (what a browser posts) and get
    ids of their own: `id_prefix` tells two forms on one page apart
    ("person-name" and "relation-person"); `id_hyphens` writes "contact-details"
    for a field named contact_details."""

    id_prefix = ""
    id_hyphens = False
    # Where the kernel's name for a value differs from the field's name
    # ("consent_given_at" for the field consent_given_on): kernel name -> field name.
    rule_fields: dict[str, str] = {}
    # An id the prefix rule does not give (field short name -> id).
    field_ids: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self:
            if f.name == "csrf_token":
                continue
            name = f.name.replace("_", "-") if self.id_hyphens else f.name
            f.id = self.field_ids.get(f.short_name) or f"{self.id_prefix}{name}"
            if f.label.field_id:  # a group (radio, checkboxes) has a legend instead
                f.label.field_id = f.id
        self.rule_errors: list[str] = []

    @classmethod
    def blank(cls, **defaults):
        """The form as a page first shows it: not bound to what a request posted.
        (A page with several forms re-rendered after one was refused must not
        fill the others with that one's values.)"""
        return cls(formdata=None, **defaults)

    def prepare(self, found) -> None:
        """Set what depends on the record the form changes (the choices of a
        select, say) before it is validated. Nothing by default."""

    @property
    def has_errors(self) -> bool:
        return bool(self.rule_errors) or any(f.errors for f in self)


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; the macro renders it as a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Choose from the list."))


PHONE_MESSAGE = _l("Type a phone number we can call, like 0470 12 34 56 or +31 6 12345678.")


class PhoneField(StringField):
    """A phone number, typed the way people write one ("0470/12.34.56",
    "+32 470 12 34 56", "0031 6 12345678"). A valid one becomes the one form
    the centre stores and shows (core.infra.phones.normalise: "0470 12 34 56",
    "+31 6 12345678") before the other validators run. One nobody can call is
    refused with `message`, and the field keeps what was typed, to correct it.
    Empty is left to the field's validators (Optional(), DataRequired()).

    `refuse=False` only normalises, and leaves the refusal to a kernel rule
    that checks the same number: a form whose rules are all in the kernel then
    still names every field at fault at once.
    """

    def __init__(self, label=None, validators=None, *, message=None, refuse=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or PHONE_MESSAGE
        self.refuse = refuse

    def pre_validate(self, form):
        typed = self.data.strip() if isinstance(self.data, str) else ""
        if not typed:
            return
        try:
            self.data = phones.normalise(typed)
        except phones.NotAPhoneNumber:
            if self.refuse:
                raise ValidationError(self.message) from None


def show_rule_error(form: Form, error: RuleError, messages: Messages) -> None:
    """Put each problem's message on its field. A problem about a field the
    form does not have (or about the whole change) is shown above the form."""
    for name, code in error.problems.items():
        message = messages(name, code)
        field_name = getattr(form, "rule_fields", {}).get(name, name)
        target = _find_field(form, field_name) if name != WHOLE else None
        if target is None:
            form.rule_errors.append(message)
        else:
            target.errors = [*_own_errors(target), message]


def _own_errors(f: Field) -> list:
    return list(f.errors) if isinstance(f.errors, list | tuple) else []


def _find_field(form, name: str) -> Field | None:
    """A field by its name as the kernel says it: "title", or "decision-2-owner"
    for a field inside a row of a FieldList."""
    for f in form:
        if f.name == name or f.short_name == name:
            return f
        if isinstance(f, FieldList):
            for entry in f:
                inner = entry.form if isinstance(entry, FormField) else None
                if inner is None:
                    if entry.name == name:
                        return entry
                    continue
                for sub in inner:
                    if sub.name == name:
                        return sub
    return None


def summary_items(form) -> Iterator[tuple[str, str]]:
    """(field id, text) for each problem, in the order of the form: the links of
    the error summary. Inside a row of a FieldList the text names the row
    ("Decision 2: Choose who does it.") as the field itself sits inside it."""
    for message in getattr(form, "rule_errors", []):
        first = next((f for f in form if f.name != "csrf_token"), None)
        yield (first.id if first else ""), message
    for f in form:
        if isinstance(f, FieldList):
            for entry in f:
                if isinstance(entry, FormField):
                    row = entry.label.text
                    for sub in entry.form:
                        for message in _own_errors(sub):
                            yield (
                                sub.id,
                                (
                                    gettext("%(row)s: %(problem)s", row=row, problem=message)
                                    if row
                                    else message
                                ),
                            )
                else:
                    for message in _own_errors(entry):
                        yield entry.id, message
        elif f.name != "csrf_token":
            for message in _own_errors(f):
                yield f.id, message


# wtforms' own messages ("Not a valid date value.") per language, loaded once
# per process: flask-wtf reads and parses the catalogue file again for every
# request that builds a form (9 % of a portal form page's time).
_WTFORMS_CATALOGUES: dict[str, support.Translations] = {}


class _WtformsCatalogue:
    """Stands in for flask-wtf's per-request catalogue; the language is asked
    only when a message is translated, as flask-wtf asks it (a staff page
    knows its reader's language only after signing-in has run)."""

    @staticmethod
    def _catalogue() -> support.Translations:
        language = str(get_locale())
        found = _WTFORMS_CATALOGUES.get(language)
        if found is None:
            found = support.Translations.load(messages_path(), [language], domain="wtforms")
            _WTFORMS_CATALOGUES[language] = found
        return found

    def ugettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


WTFORMS_CATALOGUE = _WtformsCatalogue()


def _wtforms_catalogue_of_this_process() -> None:
    # flask-wtf looks for a catalogue on the request before it loads one.
    request.wtforms_translations = WTFORMS_CATALOGUE


HIDDEN_INPUT = Markup('<input id="%s" name="%s" type="hidden" value="%s">')


def hidden_input(f: Field) -> Markup:
    """A hidden field (the CSRF token, a submission id) as wtforms writes it,
    without its general attribute machinery: that cost a portal form page
    a fifth of its time for its two tokens, the only markup rendered per visit."""
    return HIDDEN_INPUT % (f.id, f.name, f._value())


def csrf_input() -> Markup:
    """The CSRF token's hidden field of a form without a prefix, as
    hidden_input(form.csrf_token) writes it, for a page that shows a blank
    form from its shared copy and builds no form object (the same token:
    flask-wtf's public generate_csrf, which the form's field calls too)."""
    return HIDDEN_INPUT % ("csrf_token", "csrf_token", generate_csrf())


def init_app(app) -> None:
    app.jinja_env.globals["summary_items"] = summary_items
    app.jinja_env.globals["hidden_input"] = hidden_input
    app.jinja_env.globals["csrf_input"] = csrf_input
    app.before_request(_wtforms_catalogue_of_this_process)
