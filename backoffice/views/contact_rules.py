"""How to reach a person in a case file safely: her rules as she gave them on
the portal (one record with her request), changed here with their history."""

from __future__ import annotations

from flask import abort, g, render_template
from flask_babel import gettext as _

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.contact_rules import ContactRulesForm
from backoffice.handlers import Done, case_change
from backoffice.records import case_or_404, case_url, person_or_404
from core.casework import contact
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.intake import contact_rules
from core.model import Case, CasePerson
from web.casefile.contact_words import describe
from web.db import db


def _rules_or_404(person: CasePerson) -> contact_rules.ContactRules:
    """Only a person whose rules came with a request has this page."""
    rules = contact.rules_of(person)
    if rules is None:
        abort(404)
    return rules


def _render(found: Case, person: CasePerson, form: ContactRulesForm):
    rules = _rules_or_404(person)
    earlier = contact_rules.history(db.session, person.contact_intake)
    return render_template(
        "backoffice/case_person_contact.html",
        case=found,
        person=person,
        form=form,
        rules=describe(rules),
        has_referrer=rules.has_referrer,
        earlier=[(row, describe(contact_rules.rules_from_history(row))) for row in earlier],
        staff_names=names_of(db.session, {row.staff_id for row in earlier}),
    )


@bp.get("/cases/<int:case_id>/people/<int:person_id>/contact")
@requires(Permission.CASES)
def case_person_contact(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = person_or_404(found, person_id)
    form = ContactRulesForm.showing(_rules_or_404(person))
    form.prepare(found)
    record_read(
        "case.person_viewed", target_type="case", target_id=found.id, detail=f"person {person.id}"
    )
    return _render(found, person, form)


def _message(field: str, code: str) -> str:
    if field == "safe_word":
        return _("Please keep this under %(max)d characters.", max=contact_rules.SAFE_WORD_MAX)
    return _("These rules can no longer be changed: the request was deleted.")


@bp.post("/cases/<int:case_id>/people/<int:person_id>/contact")
@requires(Permission.CASES)
@case_change(
    form=ContactRulesForm,
    page=lambda found, form, person_id: _render(found, person_or_404(found, person_id), form),
    messages=_message,
)
def change_case_person_contact(found: Case, form: ContactRulesForm, person_id: int) -> Done:
    person = person_or_404(found, person_id)
    rules = _rules_or_404(person)
    changed = contact.change_rules(
        db.session,
        found,
        person,
        g.staff,
        form.contact(),
        via_referrer=bool(form.via_referrer.data) if rules.has_referrer else None,
    )
    message = (
        _("The safe-contact rules are saved. Everyone who reaches out reads them.")
        if changed
        else _("Nothing changed.")
    )
    return Done(message, case_url(found, f"person-{person.id}"))
