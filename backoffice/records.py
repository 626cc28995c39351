"""What a staff URL names, loaded or refused: 404 when it does not exist (or
belongs to another file, or to another centre than the one the member works
for), 403 when the signed-in member may not open it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from flask import abort, flash, g, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from core.casework import cases, transfers
from core.casework import people as people_rules
from core.intake.intakes import get_intake
from core.model import (
    Case,
    CaseAction,
    CaseIntake,
    CasePartner,
    CasePerson,
    CaseRelation,
    CaseStatus,
    Centre,
    CentreTransfer,
    ContactAttempt,
    Intake,
    IntakeHold,
    restricted_intake_ids,
)
from web.db import db

Row = TypeVar("Row", CasePartner, CaseAction, CaseRelation)


def intake_or_404(intake_id: int) -> Intake:
    """Every request route loads through here: a request in a case file the
    member may not open is refused (403) on its page and on every change."""
    found = get_intake(db.session, intake_id)
    # Another centre's request does not exist here, whoever asks.
    if found is None or found.centre_id != g.centre.id:
        abort(404)
    if not cases.can_view_intake(g.staff, found, db.session):
        abort(403)
    return found


@dataclass(frozen=True)
class RequestPage:
    """What the request's page reads before anything else, in one statement."""

    intake: Intake
    # Its case file, or None: who may open the request, and the page's link.
    case: Case | None
    # Under a restriction in force (GDPR art. 18), its own or its person's.
    restricted: bool
    # Whether a legal hold is in force and a transfer waits for an answer:
    # only then does the page read the hold or the transfer (None: not asked,
    # the page reads them as before).
    held: bool | None = None
    transfer_waiting: bool | None = None
    # Whether anyone tried to reach the person yet: only then are the
    # attempts read (None: not asked, the page reads them).
    attempted: bool | None = None
    # Whether the network has another active centre: only then are the
    # centres read for the transfer list (None: not asked, they are read).
    others_active: bool | None = None


@cache
def _request_page_query() -> Select:
    """Built once per process, with a bind parameter: a statement, never its
    rows, so a restriction or a case file made a moment ago is seen."""
    restricted = Intake.id.in_(restricted_intake_ids()).label("restricted")
    # The conditions of core.governance.retention_holds.active_intake_hold and
    # core.casework.transfers.open_transfer, as yes or no: the page shows
    # either one only when there is one (most requests have neither).
    held = (
        select(IntakeHold.id)
        .where(IntakeHold.intake_id == Intake.id, IntakeHold.lifted_at.is_(None))
        .exists()
        .label("held")
    )
    waiting = (
        select(CentreTransfer.id)
        .where(
            CentreTransfer.intake_id == Intake.id,
            CentreTransfer.status.in_(transfers.OPEN_STATUSES),
        )
        .exists()
        .label("transfer_waiting")
    )
    attempted = (
        select(ContactAttempt.id)
        .where(ContactAttempt.intake_id == Intake.id)
        .exists()
        .label("attempted")
    )
    others = (
        select(Centre.id)
        .where(Centre.active.is_(True), Centre.id != Intake.centre_id)
        .exists()
        .label("others_active")
    )
    return (
        select(Intake, Case, restricted, held, waiting, attempted, others)
        .outerjoin(CaseIntake, CaseIntake.intake_id == Intake.id)
        .outerjoin(Case, Case.id == CaseIntake.case_id)
        # The page shows both, and the ways of contact read the referral.
        .options(joinedload(Intake.referral), joinedload(Intake.messages))
        .where(Intake.id == bindparam("intake_id"))
    )


def request_page_or_404(intake_id: int) -> RequestPage:
    """intake_or_404 for the request's page: the same refusals (another
    centre's request 404, one in a file the member may not open 403), with
    the case file, the restriction and whether a hold, a transfer, a
    contact attempt or another active centre is there read in the same query."""
    row = db.session.execute(_request_page_query(), {"intake_id": intake_id}).unique().first()
    found = row[0] if row is not None else None
    if found is None or found.centre_id != g.centre.id:
        abort(404)
    case = row[1]
    if not cases.can_view_request_in(g.staff, case, db.session):
        abort(403)
    return RequestPage(
        found,
        case,
        bool(row[2]),
        held=bool(row[3]),
        transfer_waiting=bool(row[4]),
        attempted=bool(row[5]),
        others_active=bool(row[6]),
    )


def case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or case.centre_id != g.centre.id:
        abort(404)
    # Deny by default per file: the role allows case files, membership this one.
    if not cases.can_view(g.staff, case, db.session):
        abort(403)
    return case


def row_of_case_or_404(model: type[Row], found: Case, row_id: int) -> Row:
    """A row (partner, action, relation) of this case file; one of another file
    is not found, so a URL cannot reach across files."""
    row = db.session.get(model, row_id)
    if row is None or row.case_id != found.id:
        abort(404)
    return row


def partner_or_404(found: Case, partner_id: int) -> CasePartner:
    return row_of_case_or_404(CasePartner, found, partner_id)


def person_or_404(found: Case, person_id: int) -> CasePerson:
    person = people_rules.person_in(found, person_id)
    if person is None:
        abort(404)
    return person


def case_url(case: Case, anchor: str | None = None) -> str:
    """The case page, at the part an anchor names."""
    return url_for("backoffice.case", case_id=case.id, _anchor=anchor)


def back_to_case(case: Case, anchor: str | None = None):
    """After a change: the case page, at the part that changed."""
    return redirect(case_url(case, anchor), code=303)


def refuse_if_closed(case: Case):
    """A closed file shows no forms, but a page opened before it closed may
    still send one: nothing changes, and the case page says why."""
    if case.status == CaseStatus.OPEN:
        return None
    flash(_("This case file is closed. Open it again to make changes."))
    return back_to_case(case)
