"""The staff home page: the triage queue, with the overdue actions on top."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import (
    current_app,
    g,
    render_template,
    request,
    url_for,
)

from backoffice.access import (
    requires,
)
from backoffice.blueprint import bp
from backoffice.forms.intake import QueueFilterForm
from backoffice.page_words import translated
from backoffice.queue_rows import row_words, rows_markup
from backoffice.transfer_page import answer_lists, can_transfer
from backoffice.views.rights import can_see_rights
from core.casework import actions, cases, transfers
from core.governance.rights import access
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.infra import clock
from core.intake import queue as triage_queue
from core.intake.triage import OPEN_STATUSES
from core.model import (
    IntakeKind,
    IntakeStatus,
)
from core.network.centres import listed_municipalities
from web.casefile.centre import centre_today, working_centre
from web.casefile.labels import KIND_LABELS
from web.db import db


def first_contact_target() -> timedelta:
    """The centre's own target (centre file), else the installation's."""
    hours = working_centre().first_contact_target_hours
    return timedelta(hours=hours or current_app.config["FJC_FIRST_CONTACT_TARGET_HOURS"])


def counted_along(today: date) -> triage_queue.Along:
    """What the home page counts besides the queue, for the roles that see
    it, selected with the queue's rows: one round trip instead of three a
    page (overdue actions, transfers waiting for an answer, access requests
    due). Their lists are read only when there is something to list."""
    staff, centre_id = g.staff, g.centre.id
    columns: list = []
    params: dict[str, object] = {}
    overdue = actions.overdue_total_along(staff, today, centre_id=centre_id)
    if overdue is not None:
        columns.append(overdue[0])
        params.update(overdue[1])
    if can_transfer():
        waiting, waiting_params = transfers.awaiting_answer_along(centre_id)
        columns.append(waiting)
        params.update(waiting_params)
    if can_see_rights():
        due_columns, due_params = access.due_along(centre_id, today)
        columns.extend(due_columns)
        params.update(due_params)
    return triage_queue.Along(tuple(columns), params)


def overdue_on_home(counted: Mapping[str, Any], today: date) -> dict:
    """The signed-in staff member's most pressing overdue actions for the home
    page, and how many there are in all (counted with the queue)."""
    total = counted.get("overdue_total") or 0
    shown = (
        actions.overdue_for(
            db.session, g.staff, today, centre_id=g.centre.id, limit=actions.HOME_LIMIT
        )
        if total
        else []
    )
    return {"overdue_actions": shown, "overdue_total": total}


def transfers_on_home(counted: Mapping[str, Any]) -> dict:
    """For coordinators: the transfers waiting for this centre's answer, read
    only when the queue's statement found some."""
    return answer_lists() if counted.get("transfers_waiting") else {}


def access_due_on_home(counted: Mapping[str, Any]) -> dict:
    """For coordinators: the access requests waiting for an answer (counted
    with the queue), as rights/_due.html shows them."""
    if not can_see_rights():
        return {}
    due = access.due_of(counted)
    return {"access_due": due} if due.open else {}


def request_url_prefix() -> str:
    """A request's address without its number ("/staff/intakes/"): one url_for
    for the queue's 50 links instead of one each."""
    probe = url_for("backoffice.intake", intake_id=1)
    if not probe.endswith("/1"):
        raise RuntimeError(f"a request's address no longer ends with its number: {probe}")
    return probe[:-1]


@bp.get("/")
@requires(Permission.VIEW_INTAKES)
def queue():
    filters = triage_queue.QueueFilters.from_args(request.args)
    session = db.session
    today = centre_today()
    page = triage_queue.load(
        session,
        filters,
        staff_id=g.staff.id,
        centre_id=g.centre.id,
        now=clock.now(),
        target=first_contact_target(),
        hidden=cases.hidden_intakes(g.staff),
        along=counted_along(today),
    )
    # The filter's choices, kept a few seconds (names of places, nothing personal).
    municipalities = listed_municipalities(session, g.centre.id)
    languages = current_app.config["FJC_LANGUAGES"]

    def filter_form() -> QueueFilterForm:
        # Built only when its markup is not cached yet (see filter_key).
        return QueueFilterForm.showing(
            filters,
            statuses=[*OPEN_STATUSES, IntakeStatus.DECIDED],
            kinds=list(IntakeKind),
            municipalities=municipalities,
            languages=languages,
        )

    return render_template(
        "backoffice/queue.html",
        page=page,
        filter_form=filter_form,
        # All the filter form's markup depends on (with the page's language):
        # codes and the centre's municipalities, nothing of anyone's request.
        filter_key=(
            filters.status,
            filters.kind,
            filters.municipality_id,
            filters.assigned,
            filters.language,
            tuple(municipalities),
            tuple(languages),
        ),
        queue_rows=rows_markup(
            page.rows,
            row_words(
                request_url_prefix(),
                names_of(session, (r.intake.assigned_to_id for r in page.rows)),
            ),
        ),
        target_hours=current_app.config["FJC_FIRST_CONTACT_TARGET_HOURS"],
        page_args={k: v for k, v in request.args.items() if k != "page"},
        # The transfers' door (transfer_answers.html): translated once per language.
        kind_labels=translated(KIND_LABELS),
        **overdue_on_home(page.along, today),
        # Coordinators: what other centres sent here or ask of this centre.
        **transfers_on_home(page.along),
        # Coordinators: access requests and their one-month deadline (issue 25).
        **access_due_on_home(page.along),
    )
