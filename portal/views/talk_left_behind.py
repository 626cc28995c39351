"""Talk now, when nobody of the team is there: she leaves a message (a
mailbox request with its return code) or books a call-back in a slot of the
opening hours. Both are requests of kind "conversation" and end on the
doors' receipt page (post, redirect, get), stored once per form."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, render_template, request, session
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.infra import clock
from core.infra.crypto import keyring
from core.intake import return_codes
from core.intake.intakes import SUBMISSION_PURPOSE
from core.model import Centre, Intake, IntakeKind
from core.network.centres import default_centre
from core.rules import RuleError
from core.talk.left_behind import CallBack, book_call_back, callback_slots, leave_message
from portal import receipts
from portal.blueprint import bp
from portal.centre_text import centre_text
from portal.talk_forms import CallBackForm, MessageForm
from portal.views.doors import LOADED_FORMS, LOADED_FORMS_KEPT, SUBMIT_LIMIT, _sent_before
from portal.views.doors import _to_receipt as to_receipt
from portal.views.talk import (
    BOOKED_KEY,
    RULE_WORDS,
    clock_time,
    day_words,
    page_centre,
    seal,
    unseal,
    zone_name,
    zone_of,
)
from web.db import db
from web.security import limiter


def _submission_key(submission_id: str | None) -> str | None:
    return keyring().lookup_key(SUBMISSION_PURPOSE, submission_id) if submission_id else None


def _earlier(submission_key: str | None) -> Intake | None:
    if submission_key is None:
        return None
    return db.session.scalar(select(Intake).where(Intake.submission_key == submission_key))


def _keep_booking(slot: datetime, centre: Centre) -> None:
    session[BOOKED_KEY] = seal({"slot": slot.isoformat(), "centre": centre.id})


def _left_behind(
    form,
    template: str,
    centre: Centre,
    store: Callable[[], tuple[Intake, str]],
    **context,
):
    """The doors' flow (portal.views.doors._handle): show, validate, store
    once per one-time submission id, show the code once on the receipt."""
    page = {"form": form, **context, **centre_text(centre.id)}
    if request.method == "GET":
        if receipts.restore(form):
            return render_template(template, **page)
        form.submission_id.data = secrets.token_urlsafe(16)
        loaded = session.get(LOADED_FORMS, [])
        session[LOADED_FORMS] = [*loaded, form.submission_id.data][-LOADED_FORMS_KEPT:]
    if not form.validate_on_submit():
        return receipts.send_back(form) or render_template(template, **page)
    session.pop(BOOKED_KEY, None)
    if form.is_bot():
        # Look the same to a bot; store nothing.
        return to_receipt(IntakeKind.CONVERSATION, False, return_codes.generate(), None, centre.id)
    submission_id = form.submission_id.data or None
    key = _submission_key(submission_id)
    earlier = _earlier(key)
    if earlier is not None:
        if earlier.callback_at is not None:
            _keep_booking(earlier.callback_at, centre)
        return _sent_before(form, IntakeKind.CONVERSATION)
    try:
        intake, code = store()
        # One request per form, as the doors (core.intake.intakes.submit).
        intake.submission_key = key
        db.session.commit()
    except RuleError as refused:
        db.session.rollback()
        for name, problem in refused.problems.items():
            if name in form:
                form[name].errors = [RULE_WORDS.get(problem, RULE_WORDS["missing"])]
        return receipts.send_back(form) or render_template(template, **page)
    except IntegrityError:
        # The same form, sent twice at once: the other one was stored.
        db.session.rollback()
        return _sent_before(form, IntakeKind.CONVERSATION)
    if intake.callback_at is not None:
        _keep_booking(intake.callback_at, centre)
    return to_receipt(IntakeKind.CONVERSATION, False, code, submission_id, centre.id)


@bp.route("/<lang:lang>/talk/message", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def talk_message():
    centre = page_centre(db.session)
    form = MessageForm()
    return _left_behind(
        form,
        "portal/talk_message.html",
        centre,
        lambda: leave_message(db.session, centre, g.lang, form.message.data or ""),
    )


def _slot_choices(slots: list[datetime], zone: ZoneInfo) -> list[tuple[str, str, str]]:
    """(value, time, day): the value is the moment in UTC, the words are the
    centre's local time, in her language."""
    return [
        (
            slot.astimezone(ZoneInfo("UTC")).isoformat(),
            clock_time(slot, zone),
            day_words(slot, zone),
        )
        for slot in slots
    ]


def _parse_slot(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(value or "")
    except ValueError:
        raise RuleError("slot", "not_offered") from None


@bp.route("/<lang:lang>/talk/call-back", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMIT, methods=["POST"])
def talk_call_back():
    centre = page_centre(db.session)
    slots = callback_slots(centre)
    form = CallBackForm(slots=_slot_choices(slots, zone_of(centre.id)))

    def store() -> tuple[Intake, str]:
        booking = CallBack(
            phone=form.phone.data or "",
            slot=_parse_slot(form.slot.data),
            may_voicemail=bool(form.may_voicemail.data),
            say_who=bool(form.say_who.data),
            message=form.message.data,
            safe_word=form.safe_word.data,
        )
        return book_call_back(db.session, centre, g.lang, booking)

    return _left_behind(
        form,
        "portal/talk_call_back.html",
        centre,
        store,
        has_slots=bool(slots),
        zone_name=zone_name(zone_of(centre.id)),
    )


@bp.context_processor
def _talk_context():
    return {"talk_booking": _booking_once}


def _booking_once() -> dict | None:
    """The booked call-back's day and time in the centre's zone, for the
    receipt page, once; None when the receipt is for a message."""
    opened = unseal(BOOKED_KEY, pop=True)
    if not opened:
        return None
    try:
        slot = datetime.fromisoformat(opened["slot"])
        made = datetime.fromisoformat(opened["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if clock.now() - made > receipts.LIFETIME:
        return None
    zone = zone_of(int(opened.get("centre") or 0) or default_centre(db.session).id)
    return {"day": day_words(slot, zone), "time": clock_time(slot, zone), "zone": zone_name(zone)}
