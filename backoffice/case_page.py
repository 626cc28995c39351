"""The case page is made of sections, each from the view module of its screen
area (people, risk, partners, actions, consultations). A section registers a
function here: given the case and the forms of a refused POST (by name), it
returns its part of the template context."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from backoffice.forms.case import CloseForm, MemberForm, candidates
from core.identity.staff import of_centre
from core.model import Case, CaseMember, Staff
from web.db import db

CaseSection = Callable[[Case, dict], dict]
CASE_SECTIONS: list[CaseSection] = []


def case_section(section: CaseSection) -> CaseSection:
    CASE_SECTIONS.append(section)
    return section


def render_case(found: Case, **forms):
    """The case page; a refused form comes back in `forms` with what was typed."""
    session = db.session
    sections: dict = {}
    for section in CASE_SECTIONS:
        sections.update(section(found, forms))
    member_ids = set(
        session.scalars(select(CaseMember.staff_id).where(CaseMember.case_id == found.id))
    )
    # Partner members' organisations too: the timeline names them.
    staff_by_id = {
        s.id: s for s in session.scalars(select(Staff).options(selectinload(Staff.organisation)))
    }
    member_form = MemberForm.blank()
    team_ids = set(session.scalars(select(Staff.id).where(of_centre(found.centre_id))))
    team = [s for s in staff_by_id.values() if s.id in team_ids]
    member_form.offer(candidates(team, found, member_ids))
    return render_template(
        "backoffice/case.html",
        case=found,
        director=staff_by_id.get(found.director_id),
        members=[staff_by_id[i] for i in sorted(member_ids) if i in staff_by_id],
        member_form=member_form,
        close_form=forms.get("close_form") or CloseForm.blank(),
        staff_by_id=staff_by_id,
        **sections,
    )


def case_page_with(form_name: str):
    """The page a refused form of a section comes back to: the case page, with
    the form under the name its section reads (`forms.get(form_name)`)."""

    def page(found: Case, form, **_ids):
        return render_case(found, **{form_name: form})

    return page
