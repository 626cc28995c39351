"""Transfers between the centres of the network (coordinators): sending a
request or a case file, answering what was sent here or asked of this centre,
asking another centre for what it holds, and the list of what this centre
sent. A transfer of another centre is not found (404), whatever its id."""

from __future__ import annotations

import re

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.case_page import case_page_with, case_section
from backoffice.forms.transfers import AnswerForm, AskForm, SendAskedForm, TransferForm
from backoffice.handlers import Done, case_change, intake_change
from backoffice.records import case_url, partner_or_404
from backoffice.transfer_page import answer_lists, case_part, matching_on, traces
from backoffice.views.intake import render_intake
from core.casework import transfers
from core.identity.permissions import Permission
from core.model import Case, Centre, CentreTransfer, Intake, TransferStatus
from core.network.centres import centre_by_slug
from core.network.known_elsewhere import records_to_ask
from core.rules import WHOLE, RuleError
from web.db import db
from web.forms import show_rule_error


def transfer_message(field: str, code: str) -> str:
    """What a coordinator reads when a transfer rule says no."""
    if field == "to_centre":
        if code == "missing":
            return _("Choose the centre it goes to.")
        return _("Choose another centre of the network.")
    if field == "reason":
        if code == "too_long":
            return _("Keep the reason to %(max)s characters or fewer.", max=transfers.REASON_MAX)
        return _("Say why it goes to this centre.")
    return {
        "pending": _("A transfer of it is already waiting for an answer."),
        "closed": _("A closed request cannot be transferred."),
        "erased": _("Its personal data were erased: it cannot be transferred."),
        "in_a_case": _("This request is part of a case file: transfer the case file instead."),
        "not_allowed": _("Only a coordinator of this centre can do this."),
        "decided": _("This transfer was already answered."),
        "inactive": _("That centre takes no transfers any more."),
        "same_centre": _("It is already at this centre."),
        "no_number": _("The case file could not get a number. Please try again."),
    }.get(code, _("The transfer did not go through."))


# What a centre's slug can be (core.network.centres): anything else names none,
# and never reaches the database (a NUL byte would upset PostgreSQL).
_SLUG = re.compile(r"[a-z][a-z0-9-]{0,39}")


def _centre_named(slug: str | None) -> Centre | None:
    slug = (slug or "").strip()
    return centre_by_slug(db.session, slug) if _SLUG.fullmatch(slug) else None


def _centre_chosen(form: TransferForm) -> Centre | None:
    return _centre_named(form.to_centre.data)


@case_section
def transfer_section(found: Case, forms: dict) -> dict:
    return case_part(found, forms)


@bp.post("/intakes/<int:intake_id>/transfer")
@requires(Permission.TRANSFER)
@intake_change(
    form=TransferForm,
    page=lambda found, form: render_intake(found, transfer_form=form),
    messages=transfer_message,
)
def transfer_intake(found: Intake, form: TransferForm) -> Done:
    to_centre = _centre_chosen(form)
    transfers.send(db.session, found, to_centre, form.reason.data, g.staff)
    return Done(
        _(
            "The request is offered to %(centre)s. It stays here until they accept it.",
            centre=to_centre.name,
        ),
        url_for("backoffice.intake", intake_id=found.id),
    )


# A closed file may move too (she moved, and may come back there); an erased one not.
@bp.post("/cases/<int:case_id>/transfer")
@requires(Permission.TRANSFER)
@case_change(
    open_only=False,
    form=TransferForm,
    page=case_page_with("transfer_form"),
    messages=transfer_message,
)
def transfer_case(found: Case, form: TransferForm) -> Done:
    to_centre = _centre_chosen(form)
    transfers.send(db.session, found, to_centre, form.reason.data, g.staff)
    return Done(
        _(
            "The case file is offered to %(centre)s. It stays here until they accept it.",
            centre=to_centre.name,
        ),
        case_url(found),
    )


@bp.post("/intakes/<int:intake_id>/ask-transfer")
@requires(Permission.TRANSFER)
@intake_change(form=AskForm)
def ask_transfer(found: Intake, form: AskForm) -> Done:
    """Ask the centre where this request's person is known to send it here.
    Only a centre the page offered: anything else is not found."""
    holder = _centre_named(form.centre.data)
    if holder is None or not matching_on():
        abort(404)
    records = records_to_ask(db.session, found, holder, matching=True)
    if not records:
        return Done(
            _("There is nothing to ask %(centre)s for now.", centre=holder.name),
            url_for("backoffice.intake", intake_id=found.id),
        )
    for record in records:
        transfers.ask(db.session, g.centre, record, g.staff)
    return Done(
        _("%(centre)s is asked to transfer it to this centre.", centre=holder.name),
        url_for("backoffice.intake", intake_id=found.id),
    )


@bp.get("/transfers")
@requires(Permission.TRANSFER)
def transfer_list():
    return _transfers_page()


def _transfers_page(refused: dict | None = None, status: int = 200):
    return (
        render_template("backoffice/transfers.html", **answer_lists(refused), **traces()),
        status,
    )


def _transfer_or_404(transfer_id: int) -> CentreTransfer:
    """A transfer this centre takes part in; another centre's is not found."""
    found = db.session.get(CentreTransfer, transfer_id)
    if found is None or g.centre.id not in (found.centre_id, found.to_centre_id):
        abort(404)
    return found


def _answering_side(found: CentreTransfer) -> int | None:
    """The centre whose answer the transfer waits for (None: answered)."""
    if found.status == TransferStatus.PENDING:
        return found.to_centre_id
    if found.status == TransferStatus.ASKED:
        return found.centre_id
    return None


def _to_transfers():
    return redirect(url_for("backoffice.transfer_list"), code=303)


def _answer(found: CentreTransfer, action: str, form, change):
    """The script of an answer: this centre's to give, the form read, the
    kernel's rule, then commit and the list again (or the refused form)."""
    side = _answering_side(found)
    if side is None:
        flash(_("This transfer was already answered."))
        return _to_transfers()
    if side != g.centre.id:
        abort(404)
    if form is not None and not form.validate():
        return _transfers_page({(action, found.id): form}, 400)
    try:
        outcome = change()
    except RuleError as error:
        db.session.rollback()
        if form is None or WHOLE in error.problems:
            flash(transfer_message(error.field, error.code))
            return _to_transfers()
        show_rule_error(form, error, transfer_message)
        return _transfers_page({(action, found.id): form}, 400)
    db.session.commit()
    flash(outcome.message)
    return redirect(outcome.to, code=303)


@bp.post("/transfers/<int:transfer_id>/accept")
@requires(Permission.TRANSFER)
def accept_transfer(transfer_id: int):
    found = _transfer_or_404(transfer_id)
    if found.status == TransferStatus.ASKED:
        abort(404)  # an ask is answered by sending, not accepting

    def change() -> Done:
        record = transfers.accept(db.session, found, g.staff)
        if isinstance(record, Case):
            return Done(
                _("The case file is now this centre's, number %(number)s.", number=record.number),
                case_url(record),
            )
        return Done(
            _("The request is now in this centre's queue."),
            url_for("backoffice.intake", intake_id=record.id),
        )

    return _answer(found, "accept", None, change)


@bp.post("/transfers/<int:transfer_id>/decline")
@requires(Permission.TRANSFER)
def decline_transfer(transfer_id: int):
    found = _transfer_or_404(transfer_id)
    form = AnswerForm.for_transfer("decline", found.id)

    def change() -> Done:
        transfers.decline(db.session, found, g.staff, form.reason.data)
        return Done(
            _("The transfer is declined. Nothing moved."), url_for("backoffice.transfer_list")
        )

    return _answer(found, "decline", form, change)


@bp.post("/transfers/<int:transfer_id>/send")
@requires(Permission.TRANSFER)
def send_asked_transfer(transfer_id: int):
    """Send what another centre asked for: the ask becomes a transfer."""
    found = _transfer_or_404(transfer_id)
    if found.status == TransferStatus.PENDING:
        abort(404)
    form = SendAskedForm.for_transfer("send", found.id)

    def change() -> Done:
        record = transfers.record_of(db.session, found)
        if record is None:
            abort(404)
        asking = db.session.get(Centre, found.to_centre_id)
        transfers.send(db.session, record, asking, form.reason.data, g.staff)
        return Done(
            _(
                "It is offered to %(centre)s. It stays here until they accept it.",
                centre=asking.name,
            ),
            url_for("backoffice.transfer_list"),
        )

    return _answer(found, "send", form, change)


@bp.post("/cases/<int:case_id>/partners/<int:partner_id>/reviewed")
@requires(Permission.CASES)
@case_change(open_only=False)
def partner_reviewed(found: Case, _form: None, partner_id: int) -> Done:
    """The basis of a partner that came with the file is checked here."""
    partner = partner_or_404(found, partner_id)
    transfers.mark_partner_reviewed(db.session, found, partner, g.staff)
    return Done(_("The partner's basis is checked."), case_url(found, "partners"))
