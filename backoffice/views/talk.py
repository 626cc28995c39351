"""Talk now, the team's side: /staff/talk.

The switch "available / not available", the people waiting (how long, in
which language, whether an interpreter is needed), the member's own
conversations, the colleagues', and the call-backs to make today. Opening
the page says the member is still there (their switch counts only while
their page is open) and ends the conversations whose page is gone.

Without JavaScript the page reloads itself every 10 seconds. With it,
static/js/staff_talk.js listens to /staff/talk/events and fetches the page
again when what it shows has changed."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session

from backoffice.access import requires
from backoffice.blueprint import bp
from backoffice.forms.talk import AvailabilityForm
from backoffice.talk_lines import END_LABELS
from core.casework.cases import hidden_intakes
from core.identity.permissions import Permission
from core.identity.staff import names_of
from core.infra import clock
from core.intake.triage import OPEN_STATUSES
from core.model import (
    Centre,
    Conversation,
    ConversationMessage,
    Intake,
    IntakeKind,
    Sender,
    Staff,
)
from core.talk import availability, conversations, hours, waiting
from web.accounts.session_state import waiting_to_talk
from web.db import db
from web.live import Event, Look, announce, centre_channel, conversation_channel, stream

# The call-backs list: today's, and earlier ones nobody made yet.
CALLBACKS_SHOWN = 50
# Without JavaScript the list reloads itself this often (seconds).
REFRESH_SECONDS = 10


@dataclass
class Board:
    """What the talk page shows, read once for the page and for each look
    of its live stream (which says "changed" when `state()` differs)."""

    switched_on: bool
    open_now: bool
    team_there: bool
    waiting: list[Conversation]
    mine: list[Conversation]
    colleagues: list[Conversation]
    # Open conversations whose last words are the person's: she waits for us.
    answer_due: set[int]
    callbacks: list[Intake]
    names: dict[int, str]
    now: datetime

    def minutes_waited(self, conversation: Conversation) -> int:
        return int(waiting.waited(conversation, self.now).total_seconds() // 60)

    def state(self) -> int:
        """A number for what the page shows: equal numbers, the same page."""
        shown = (
            self.switched_on,
            self.team_there,
            [
                (c.id, self.minutes_waited(c), c.interpreter_needed, c.language)
                for c in self.waiting
            ],
            [
                (c.id, c.staff_id, c.last_seq, c.interpreter_needed, c.id in self.answer_due)
                for c in self.mine + self.colleagues
            ],
            [(i.id, i.callback_at.isoformat() if i.callback_at else "") for i in self.callbacks],
        )
        return zlib.crc32(repr(shown).encode()) or 1


def _answer_due(session: Session, ids: list[int]) -> set[int]:
    """Of these conversations, those whose last line written (not an event)
    is the person's."""
    if not ids:
        return set()
    last = (
        select(
            ConversationMessage.conversation_id.label("conversation_id"),
            func.max(ConversationMessage.seq).label("seq"),
        )
        .where(
            ConversationMessage.conversation_id.in_(ids),
            ConversationMessage.sender != Sender.SYSTEM,
        )
        .group_by(ConversationMessage.conversation_id)
        .subquery()
    )
    return set(
        session.scalars(
            select(ConversationMessage.conversation_id)
            .join(
                last,
                and_(
                    ConversationMessage.conversation_id == last.c.conversation_id,
                    ConversationMessage.seq == last.c.seq,
                ),
            )
            .where(ConversationMessage.sender == Sender.PERSON)
        )
    )


def callbacks_due(session: Session, centre: Centre, staff: Staff, now: datetime) -> list[Intake]:
    """Booked call-backs of today and before that nobody made yet (she was
    not reached), earliest first."""
    zone = ZoneInfo(centre.timezone or "Europe/Brussels")
    tomorrow = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(0), zone)
    query = (
        select(Intake)
        .where(
            Intake.centre_id == centre.id,
            Intake.kind == IntakeKind.CONVERSATION,
            Intake.status.in_(OPEN_STATUSES),
            Intake.callback_at.is_not(None),
            Intake.callback_at < tomorrow,
            Intake.first_contact_at.is_(None),
        )
        .order_by(Intake.callback_at, Intake.id)
        .limit(CALLBACKS_SHOWN)
    )
    hidden = hidden_intakes(staff)
    if hidden is not None:
        query = query.where(Intake.id.not_in(hidden))
    return list(session.scalars(query))


def load_board(session: Session, staff: Staff, centre: Centre) -> Board:
    now = clock.now()
    active = waiting.active(session, centre.id)
    mine = [c for c in active if c.staff_id == staff.id]
    colleagues = [c for c in active if c.staff_id != staff.id]
    return Board(
        switched_on=availability.switched_on(session, staff, centre.id),
        open_now=hours.is_open(centre, now),
        team_there=availability.team_is_there(session, centre),
        waiting=waiting.waiting(session, centre.id),
        mine=mine,
        colleagues=colleagues,
        answer_due=_answer_due(session, [c.id for c in active]),
        callbacks=callbacks_due(session, centre, staff, now),
        names=names_of(session, (c.staff_id for c in colleagues)),
        now=now,
    )


def keep_fresh(staff_id: int, centre_id: int) -> list[int]:
    """The member's talk page is open: their switch still counts. Ends the
    conversations whose page is gone ("left") and tells everyone who
    listens. In a write transaction of its own (pages are GETs); returns the
    ids it ended."""
    with db.writing() as session:
        staff = session.get(Staff, staff_id)
        if staff is not None:
            availability.note_seen(session, staff, centre_id)
        ended = conversations.sweep(session, centre_id)
    if ended:
        announce(centre_channel(centre_id), *(conversation_channel(i) for i in ended))
    return ended


def fresh_read() -> None:
    """End the page's read transaction, so what keep_fresh wrote is seen
    (SQLite reads from the snapshot its first query took)."""
    db.session.commit()


@bp.context_processor
def _talk_waiting():
    def talk_waiting() -> int:
        """How many people wait to talk, for the menu: one indexed count."""
        centre = g.get("centre")
        if centre is None:
            return 0
        # Counted with the sign-in check when nothing changed since.
        counted = waiting_to_talk(centre.id)
        if counted is not None:
            return counted
        # A count, not objects: on the session's connection (its transaction),
        # without the ORM's handling of a result (every staff page asks);
        # flushed first, as the session's own execute would.
        session = db.session
        session.flush()
        return session.connection().scalar(_waiting_query(), {"talk_centre_id": centre.id}) or 0

    return {"talk_waiting": talk_waiting}


@lru_cache(maxsize=1)
def _waiting_query() -> Select:
    """talk_waiting's statement, built once: every staff page's menu runs it."""
    return waiting.waiting_now(bindparam("talk_centre_id"))


@bp.get("/talk")
@requires(Permission.TALK)
def talk():
    swept = keep_fresh(g.staff.id, g.centre.id)
    fresh_read()
    board = load_board(db.session, g.staff, g.centre)
    return render_template(
        "backoffice/talk.html",
        board=board,
        swept=len(swept),
        availability_form=AvailabilityForm.blank(available="0" if board.switched_on else "1"),
        next_opening=None if board.open_now else hours.next_opening(g.centre, board.now),
        refresh_seconds=REFRESH_SECONDS,
        end_labels=END_LABELS,
    )


@bp.post("/talk/availability")
@requires(Permission.TALK)
def talk_availability():
    form = AvailabilityForm()
    if not form.validate():
        abort(400)
    available = form.available.data == "1"
    availability.set_available(db.session, g.staff, g.centre.id, available)
    db.session.commit()
    # The portal's "is the team there" and colleagues' lists change with it.
    announce(centre_channel(g.centre.id))
    flash(
        _("You are available for conversations. Keep this page open.")
        if available
        else _("You are not available for conversations now.")
    )
    return redirect(url_for("backoffice.talk"), code=303)


@bp.get("/talk/events")
@requires(Permission.TALK)
def talk_events():
    """Says "changed" when the talk page would show something else; the
    event id is the page's state, so a reconnect (Last-Event-ID) or the
    page's own state (?after=) says nothing until there is news."""
    staff_id, centre_id = g.staff.id, g.centre.id

    def look(session: Session, last_id: int) -> Look:
        staff, centre = session.get(Staff, staff_id), session.get(Centre, centre_id)
        if staff is None or centre is None:
            return Look(last_id=last_id, finished=True)
        state = load_board(session, staff, centre).state()
        if state == last_id:
            return Look(last_id=last_id)
        return Look(events=[Event("changed", {}, id=state)], last_id=state)

    return stream(centre_channel(centre_id), look, beat=lambda: keep_fresh(staff_id, centre_id))
