"""The parts of the back office pages that are about transfers between centres,
built in one place: the request page (send it, "known at another centre"),
the case page (send it, partners to review), the queue and /staff/transfers
(what was sent here, what was asked of this centre, what it sent).

Before it accepts, the receiving centre sees only what it needs to decide:
a request or a case file, from which centre, when, the sender's reason, and
codes (a request's door, danger now, a referral's urgency; a file's track).
Never a name, a number, an id or anything the person said. The sending centre
keeps only its trace: kind, date, which centre, status."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from backoffice.forms.transfers import AnswerForm, SendAskedForm, TransferForm
from core.casework import transfers
from core.identity.permissions import Permission, role_allows
from core.model import (
    Case,
    CasePartner,
    Centre,
    CentreTransfer,
    Intake,
    IntakeStatus,
    TransferStatus,
)
from core.network.centres import NETWORK_EXTENSION
from core.network.known_elsewhere import known_at
from web.db import db
from web.forms import choices

TRANSFER_STATUS_LABELS = {
    TransferStatus.PENDING: _l("Waiting for an answer"),
    TransferStatus.ASKED: _l("Waiting for an answer"),
    TransferStatus.ACCEPTED: _l("Accepted"),
    TransferStatus.DECLINED: _l("Declined"),
}


def matching_on() -> bool:
    """Whether this installation compares requests across its centres."""
    network = current_app.extensions.get(NETWORK_EXTENSION)
    return bool(network is not None and network.cross_centre_matching)


def can_transfer() -> bool:
    staff = g.get("staff")
    return staff is not None and role_allows(staff.role, Permission.TRANSFER)


def centre_names() -> dict[int, str]:
    rows = db.session.execute(select(Centre.id, Centre.name))
    return {centre_id: name for centre_id, name in rows}


@dataclass
class Row:
    """One transfer in a list, with the forms that answer it."""

    transfer: CentreTransfer
    # The other centre: the sender (sent here) or the one that asks.
    centre_name: str
    offer: transfers.Offer
    forms: dict = field(default_factory=dict)
    # What asked of this centre is about: its own record, so it may link it.
    own_url: str | None = None
    own_number: str | None = None


def _form(refused: dict, action: str, transfer: CentreTransfer, cls=AnswerForm):
    return refused.get((action, transfer.id)) or cls.for_transfer(
        action, transfer.id, formdata=None
    )


def answer_lists(refused: dict | None = None) -> dict:
    """For coordinators: transfers sent here to accept or decline, and asks
    from other centres to send or decline. `refused` holds a refused answer's
    form by (action, transfer id), with what was typed."""
    if not can_transfer():
        return {}
    refused = refused or {}
    session = db.session
    incoming, asked = transfers.awaiting_answer(session, g.centre.id)
    # The other centres' names only for a list that shows them.
    names = centre_names() if incoming or asked else {}
    sent_here = [
        Row(
            t,
            names.get(t.centre_id, ""),
            transfers.offer_of(session, t),
            {"decline": _form(refused, "decline", t)},
        )
        for t in incoming
    ]
    asked_here = []
    for t in asked:
        record = transfers.record_of(session, t)
        asked_here.append(
            Row(
                t,
                names.get(t.to_centre_id, ""),
                transfers.offer_of(session, t),
                {
                    "send": _form(refused, "send", t, SendAskedForm),
                    "decline": _form(refused, "decline", t),
                },
                own_url=_own_url(record),
                own_number=record.number if isinstance(record, Case) else None,
            )
        )
    return {"transfers_in": sent_here, "transfers_asked": asked_here}


def _own_url(record: Intake | Case | None) -> str | None:
    if isinstance(record, Case):
        return url_for("backoffice.case", case_id=record.id)
    if isinstance(record, Intake):
        return url_for("backoffice.intake", intake_id=record.id)
    return None


def traces() -> dict:
    """The transfers page's lists of what this centre sent and asked for:
    kind, date, centre and status only (no link, no name, no number)."""
    session = db.session
    return {
        "transfers_sent": transfers.sent_by(session, g.centre.id),
        "transfers_asked_by_us": transfers.asked_by(session, g.centre.id),
        "transfer_centre_names": centre_names(),
        "transfer_status_labels": TRANSFER_STATUS_LABELS,
    }


def _sending_part(found: Intake | Case, forms: dict) -> dict:
    session = db.session
    form = forms.get("transfer_form") or TransferForm.blank()
    form.prepare(found)
    waiting = transfers.open_transfer(session, found)
    other = None
    if waiting is not None:
        centre = session.get(Centre, waiting.to_centre_id)
        other = centre.name if centre else None
    return {"transfer_form": form, "transfer_waiting": waiting, "transfer_waiting_centre": other}


@cache
def _active_centres_query() -> Select:
    # Only what the list shows, by name (core.network.centres.active_centres).
    return (
        select(Centre.id, Centre.slug, Centre.name)
        .where(Centre.active.is_(True))
        .order_by(Centre.name)
    )


def intake_part(
    found: Intake,
    forms: dict,
    *,
    restricted: bool = False,
    waiting: bool | None = None,
    others: bool | None = None,
) -> dict:
    """The request page: send it, what is waiting, where the person is known.
    Only a member who may transfer sees the sending part (the template asks
    the same permission), so only then is it built. `restricted`: the request
    is under a restriction in force, so it is not compared (known_at would
    find that itself, in a query of its own). `waiting`: whether a transfer
    waits for an answer, when the page read that already (False: none to read).
    `others`: whether another centre is active, likewise: with none (a centre
    of its own) the centres are not read and no transfer form is built, the
    page says there is no other centre (transfer_send.html)."""
    session = db.session
    part: dict = {"transfer_form": None, "transfer_waiting": None, "transfer_waiting_centre": None}
    others_active = others is not False
    if can_transfer() and found.status != IntakeStatus.ERASED:
        centres = session.execute(_active_centres_query()).all() if others is not False else []
        offered = choices(
            (centre.slug, centre.name) for centre in centres if centre.id != found.centre_id
        )
        form = forms.get("transfer_form")
        if form is None and offered:
            form = TransferForm.blank()
        if form is not None:
            form.to_centre.choices = [("", "–")] + offered
        open_one = transfers.open_transfer(session, found) if waiting is not False else None
        names = {centre.id: centre.name for centre in centres}
        other = None
        if open_one is not None:
            other = names.get(open_one.to_centre_id)
            if other is None:  # an inactive centre: not in the list
                centre = session.get(Centre, open_one.to_centre_id)
                other = centre.name if centre else None
        part = {
            "transfer_form": form,
            "transfer_waiting": open_one,
            "transfer_waiting_centre": other,
        }
        # With no other active centre, nobody can be known at one.
        others_active = any(centre.id != found.centre_id for centre in centres)
    matching = matching_on() and others_active and not restricted
    return {**part, "known_elsewhere": known_at(session, found, matching=matching)}


def case_part(found: Case, forms: dict) -> dict:
    """The case page: send it, what is waiting, partners that came with it."""
    review = list(
        db.session.scalars(
            select(CasePartner)
            .where(CasePartner.case_id == found.id, CasePartner.transfer_review.is_(True))
            .order_by(CasePartner.id)
        )
    )
    return {**_sending_part(found, forms), "transfer_review_partners": review}
