"""Forms on a case file's own page: inviting a colleague, closing the file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import RadioField, SelectField, TextAreaField

from core.casework import cases
from core.identity.staff import of_centre
from core.model import Case, CaseMember, Role, Staff
from web.casefile.labels import CLOSURE_REASON_LABELS
from web.db import db
from web.forms import Form, choices


class MemberForm(Form):
    id_prefix = "member-"

    staff_id = SelectField(_l("Case director"), coerce=int)

    def prepare(self, found: Case) -> None:
        members = set(
            db.session.scalars(select(CaseMember.staff_id).where(CaseMember.case_id == found.id))
        )
        team = db.session.scalars(select(Staff).where(of_centre(found.centre_id)))
        self.offer(candidates(team, found, members))

    def offer(self, staff: list[Staff]) -> None:
        self.staff_id.choices = choices((s.id, s.name) for s in staff)


def candidates(everyone, found: Case, member_ids: set[int]) -> list[Staff]:
    """Active case directors who cannot open this file yet, by name."""
    return sorted(
        (
            s
            for s in everyone
            if s.role == Role.CASE_DIRECTOR
            and s.is_active
            and s.id not in member_ids
            and s.id != found.director_id
        ),
        key=lambda s: s.name,
    )


class CloseForm(Form):
    id_prefix = "closure-"

    reason = RadioField(
        _l("Why?"),
        choices=choices((code, CLOSURE_REASON_LABELS[code]) for code in cases.CLOSURE_REASONS),
        validate_choice=False,
    )
    note = TextAreaField(_l("Note (optional)"))
