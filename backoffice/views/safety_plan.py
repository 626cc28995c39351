"""A person's safety plan, with its earlier versions."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.safety_plan import SafetyPlanForm
from backoffice.handlers import Done, case_change
from backoffice.naming import person_names
from backoffice.records import case_or_404, person_or_404
from core.casework import people as people_rules
from core.casework import safety_plans
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.model import Case, CasePerson
from web.casefile.labels import SAFETY_PLAN_SECTION_LABELS
from web.db import db

PLAN_SECTION_HINTS = {
    "warning_signs": _l("What the person notices before violence happens."),
    "safe_places": _l("Where the person can go at once, day and night."),
    "safe_people": _l("Who knows, and what each of them will do."),
    "emergency": _l("Danger now: call 112 or 101 (police). Advice and support: call 1712."),
    "keep_ready": _l("For example: ID, bank card, medicines, keys, phone charger, papers."),
    "children": _l("School and care: who may pick them up, who may not, and what to say."),
    "staying_in_touch": _l("How, when and by whom we may contact the person safely."),
    # A child's own plan: written with the child, in the child's words.
    "who_i_call": _l("Names and numbers the child can call. In danger: 112."),
    "where_i_go": _l("A safe place the child can go at once, at home, at school or nearby."),
    "code_word": _l("A word the child says or texts to ask for help without saying why."),
    "trusted_adult": _l("An adult the child trusts, who knows the plan, and how to reach them."),
}


def _plan_error(field: str, code: str) -> str:
    """What staff read when a rule refuses a plan: a part too long, or no
    part filled in (said on the first part)."""
    if code == "too_long":
        return _("Please keep this under %(max)d characters.", max=people_rules.TEXT_MAX)
    return _("Fill in at least one part of the plan.")


def _render_plan(found: Case, person: CasePerson, form: SafetyPlanForm):
    session = db.session
    versions = safety_plans.history(session, person)
    staff_names = names_of(session, (v.staff_id for v in versions))
    current = versions[0].content if versions else None
    return render_template(
        "backoffice/safety_plan.html",
        case=found,
        person=person,
        person_label=person_names(list(found.people))[person.id],
        versions=versions,
        staff_names=staff_names,
        plan_form=form,
        # The form offers the parts of this person's plan; a version shows
        # every part it holds, in the labels' order.
        plan_sections=safety_plans.sections_for(person, current),
        for_child=person.role == "child",
        plan_section_labels=SAFETY_PLAN_SECTION_LABELS,
        plan_section_hints=PLAN_SECTION_HINTS,
    )


@bp.get("/cases/<int:case_id>/people/<int:person_id>/safety-plan")
@requires(Permission.CASES)
def safety_plan(case_id: int, person_id: int):
    found = case_or_404(case_id)
    person = person_or_404(found, person_id)
    record_read(
        "case.safety_plan_viewed",
        target_type="case",
        target_id=found.id,
        detail=f"person {person.id}",
    )
    plan = safety_plans.current(db.session, person)
    form = SafetyPlanForm.blank(data=plan.content if plan is not None else {})
    return _render_plan(found, person, form)


def _plan_page_again(found: Case, form: SafetyPlanForm, person_id: int):
    return _render_plan(found, person_or_404(found, person_id), form)


@bp.post("/cases/<int:case_id>/people/<int:person_id>/safety-plan")
@requires(Permission.CASES)
@case_change(form=SafetyPlanForm, page=_plan_page_again, messages=_plan_error)
def save_safety_plan(found: Case, form: SafetyPlanForm, person_id: int) -> Done:
    person = person_or_404(found, person_id)
    plan = safety_plans.save(db.session, found, person, g.staff, form.content())
    here = url_for("backoffice.safety_plan", case_id=found.id, person_id=person.id)
    if plan is None:
        return Done(
            _("Nothing changed: the plan is the same as the last version, so nothing was added."),
            here,
        )
    return Done(_("The safety plan is saved."), here)
