"""A child's own voice on the case page: under each child in the People
section, what the child says and wishes (the latest first, then earlier
ones), a form to add it, and a clear "Not heard yet" while nobody has; the
top of the page says when a child of the file is not heard yet."""

from __future__ import annotations

from flask import abort, g
from flask_babel import gettext as _

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_section, render_case
from backoffice.forms.child_voice import ChildVoiceForm
from backoffice.handlers import Done, case_change
from backoffice.records import case_url, person_or_404
from core.casework import child_voice
from core.casework.people import SHORT_MAX, TEXT_MAX
from core.identity.permissions import Permission
from core.model import Case
from web.casefile.centre import centre_today
from web.db import db


def _voice_error(field: str, code: str) -> str:
    """What staff read when a rule refuses a child's voice."""
    if code == "too_long":
        limit = SHORT_MAX if field == "heard_by" else TEXT_MAX
        return _("Please keep this under %(max)d characters.", max=limit)
    return {
        ("heard_on", "missing"): _("Give the date the child was heard."),
        ("heard_on", "invalid"): _("Write the date like 2026-03-15."),
        ("heard_on", "future"): _("The date cannot be in the future."),
        ("heard_on", "before_birth"): _("Check the date: it is before the child was born."),
        ("heard_by", "missing"): _("Say who heard the child."),
        ("said", "missing"): _("Write what the child says and wishes."),
    }.get((field, code), _("Check this field."))


@case_section
def voice_section(case: Case, forms: dict) -> dict:
    """Every child's voices in one query; a form per child, the refused one
    with what was typed. (Who recorded a voice: the page's staff_by_id.)"""
    session = db.session
    voices = child_voice.voices_of(session, case)
    children = [p for p in case.people if p.role == child_voice.CHILD]
    refused = forms.get("voice_form")
    today = centre_today().isoformat()
    voice_forms = {
        child.id: (
            refused
            if refused is not None and refused.person_id == child.id
            else ChildVoiceForm.for_person(child.id, data={"heard_on": today})
        )
        for child in children
    }
    return {
        "child_voices": voices,
        "voice_forms": voice_forms,
        "children_not_heard": child_voice.children_not_heard(case.people, voices),
    }


def _voice_page_again(found: Case, form: ChildVoiceForm, person_id: int):
    return render_case(found, voice_form=form)


@bp.post("/cases/<int:case_id>/people/<int:person_id>/voice")
@requires(Permission.CASES)
@case_change(form=ChildVoiceForm.posted, page=_voice_page_again, messages=_voice_error)
def add_child_voice(found: Case, form: ChildVoiceForm, person_id: int) -> Done:
    person = person_or_404(found, person_id)
    if person.role != child_voice.CHILD:
        # Only a child has a voice of their own here: the page offers no form
        # for anyone else, so this address names nothing to add to.
        abort(404)
    child_voice.record_voice(
        db.session,
        found,
        person,
        g.staff,
        heard_on=form.heard_on.data,
        heard_by=form.heard_by.data,
        said=form.said.data,
        today=centre_today(),
    )
    return Done(
        _("What the child says and wishes is added."), case_url(found, f"person-{person.id}-voice")
    )
