"""Talk now, the person's side: a live conversation with the team (what
she can leave when nobody is there is in talk_left_behind).

Her browser holds the conversation's random token in the portal session and
her return code encrypted beside it, until the page after the end shows the
code once. Nothing else is kept in the browser: no storage, no service
worker, no cache (the pages are no-store). The quick exit ends the
conversation on the server (end_talk_session, called by /exit).

It works without JavaScript: the waiting page refreshes itself, an open
conversation has a button to look for new lines. With JavaScript
(static/js/talk.js) lines arrive live through the event stream and are sent
with fetch; each message carries a one-time client id, so a resend after a
lost answer is stored once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import dates
from cryptography.fernet import InvalidToken
from flask import (
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core.infra import clock
from core.infra.crypto import keyring
from core.intake import return_codes
from core.model import (
    Centre,
    Conversation,
    ConversationKind,
    ConversationMessage,
    ConversationStatus,
    EndReason,
    Intake,
    IntakeKind,
    Sender,
)
from core.network.centres import active_centres, active_municipalities, centre_for, default_centre
from core.rules import RuleError
from core.talk import conversations, hours
from core.talk.availability import available_staff, team_is_there
from core.talk.waiting import place_of
from portal import receipts
from portal.blueprint import bp
from portal.centre_text import centre_text
from portal.forms import ConfirmForm
from portal.talk_forms import KeepForm, SendForm, StartForm
from web.db import READ_METHODS, db
from web.live import Event, Look, announce, centre_channel, conversation_channel, stream
from web.security import client_key, limiter

# The portal session's keys. The token opens her conversation; the code
# waits encrypted (portal/receipts.py says why) for the page after the end.
TALK_KEY = "talk"
CODE_KEY = "talk_code"
# In a network of centres: the centre her municipality chose.
CENTRE_KEY = "talk_centre"
# Encrypted: until when this browser may not start a conversation.
BLOCKED_KEY = "talk_blocked"
# Encrypted: the booked call-back's time, for the receipt page, once.
BOOKED_KEY = "talk_booked"
# She pressed "Show my return code" (an end she did not make herself).
SHOW_CODE_KEY = "talk_show_code"

# Rate limits never count by address alone where that could lock her out: a
# home's Wi-Fi, a shelter, a school and a phone network's carrier-grade NAT
# share one address, and the person causing harm may share hers. So a message
# is limited per conversation only (whatever the address: one conversation
# cannot flood the member who holds it, from one device or many), and the
# start per address (web.security.client_key) counts only the conversations
# that did start: a "not now", a form sent back or a start refused costs
# nothing. The address limit is wide (a shelter's residents start their own
# conversations); what it still stops is one machine filling the waiting list.
# Refused, she gets the "nobody can talk now" page with its two ways on.
START_LIMIT = "10 per minute; 60 per hour"
SEND_LIMIT_PER_CONVERSATION = "20 per minute; 300 per hour"
_LIMIT_PURPOSE = "talk-limit"
# Set on g by a start that made a conversation: what the start limit counts.
_STARTED_FLAG = "talk_started"
# Blocked by the team: this browser starts no new conversation for this long.
BLOCKED_FOR = timedelta(hours=24)
# The page after the end lasts this long (as a receipt: portal/receipts.py);
# later the token is forgotten (a copied cookie then opens nothing) and the
# page starts afresh without a word of an earlier conversation: whoever holds
# the phone then must not learn she talked with us. It never shows what was
# said (her mailbox does, with her code, if she chooses). After an end she
# did not make herself (her page was left, the team ended it) it shows her
# code only when she presses "Show my return code", within this time: the
# phone may be in other hands by then.
ENDED_PAGE_LIFETIME = timedelta(minutes=10)
# Her page's sign of life is written at most this often (and the sweep for
# gone pages runs only then): a look at the page is a read, so a crawler or
# a refreshing page does not queue every portal write behind its own
# (SQLite runs one write at a time). The sweep's limits are minutes.
BEAT_EVERY = timedelta(seconds=20)
CLIENT_ID_MAX = 100
# The endings she made herself: her code is shown at once, once.
_HER_ENDINGS = frozenset({EndReason.BY_PERSON})

# What the system lines of a conversation say (core: event codes, no text).
EVENT_WORDS = {
    "taken": _l("A team member is with you now."),
    "handed_over": _l("Another team member continues the conversation."),
    "ended_by_person": _l("You ended the conversation."),
    "ended_by_staff": _l("The team ended the conversation."),
    "ended_quick_exit": _l("The conversation ended with the quick exit."),
    "ended_left": _l("The conversation ended because this page was closed for a while."),
    "ended_blocked": _l("The team ended the conversation."),
}
RULE_WORDS = {
    "missing": _l("Type your message first."),
    "too_long": _l("Your message is too long. Send it in parts."),
    "conversation_ended": _l("This conversation has ended."),
    "not_offered": _l("This time is no longer free. Choose another time."),
}


# --- what the pages show ---------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One line as she reads it: "You" or "The team", or what happened."""

    seq: int
    sender: str
    text: str
    at: datetime
    time: str
    event: str | None

    def as_data(self) -> dict:
        return {
            "seq": self.seq,
            "sender": self.sender,
            "text": self.text,
            "at": self.at.isoformat(),
            "time": self.time,
            "event": self.event,
        }


def zone_of(centre_id: int, session: Session | None = None) -> ZoneInfo:
    centre = (session or db.session).get(Centre, centre_id)
    return ZoneInfo((centre.timezone if centre else None) or "Europe/Brussels")


def clock_time(moment: datetime, zone: ZoneInfo) -> str:
    return dates.format_time(moment.astimezone(zone), "short", tzinfo=zone, locale=get_locale())


def day_words(moment: datetime, zone: ZoneInfo) -> str:
    return dates.format_date(moment.astimezone(zone).date(), "full", locale=get_locale())


def zone_name(zone: ZoneInfo) -> str:
    """The zone as her language says it, from CLDR ("tijd in België")."""
    return dates.get_timezone_location(zone, locale=get_locale())


def shown(lines: list[ConversationMessage], zone: ZoneInfo) -> list[Shown]:
    return [
        Shown(
            seq=line.seq,
            sender=line.sender,
            text=str(EVENT_WORDS.get(line.event or "", ""))
            if line.sender == Sender.SYSTEM
            else (line.body or ""),
            at=line.created_at,
            time=clock_time(line.created_at, zone),
            event=line.event,
        )
        for line in lines
    ]


def _status(session: Session, conversation: Conversation) -> dict:
    """Where she is: waiting (her place, about how long), talking, or ended."""
    if conversation.status == ConversationStatus.WAITING:
        available = len(available_staff(session, conversation.centre_id))
        place = place_of(session, conversation, available)
        position, minutes = (place.position, place.minutes) if place else (1, 0)
        text = " ".join(
            (
                _("You are number %(position)d in line.", position=position),
                ngettext(
                    "The wait is about %(num)d minute.",
                    "The wait is about %(num)d minutes.",
                    minutes,
                ),
            )
        )
        return {"state": "waiting", "position": position, "minutes": minutes, "text": text}
    if conversation.status == ConversationStatus.ACTIVE:
        text = _("A team member is with you. You can write now.")
        return {"state": "active", "position": None, "minutes": None, "text": text}
    return {
        "state": "ended",
        "position": None,
        "minutes": None,
        "text": _("The conversation has ended."),
    }


# --- the session -----------------------------------------------------------


def _token() -> str | None:
    token = session.get(TALK_KEY)
    return token if isinstance(token, str) else None


def _forget_session() -> None:
    for key in (TALK_KEY, CODE_KEY, SHOW_CODE_KEY):
        session.pop(key, None)


def seal(payload: dict) -> str:
    return keyring().encrypt(json.dumps({**payload, "at": clock.now().isoformat()}))


def unseal(key: str, *, pop: bool) -> dict | None:
    sealed = session.pop(key, None) if pop else session.get(key)
    if not sealed:
        return None
    try:
        return json.loads(keyring().decrypt(sealed))
    except (InvalidToken, ValueError, TypeError):
        return None


def _take_code() -> str | None:
    """Her return code, once."""
    opened = unseal(CODE_KEY, pop=True)
    return opened.get("code") if opened else None


def _blocked_until() -> datetime | None:
    # A marker in her signed session, never her address: a person causing
    # harm may share the victim's address (the same home, the same phone
    # network), and a block by address would lock the victim out.
    opened = unseal(BLOCKED_KEY, pop=False)
    try:
        until = datetime.fromisoformat(opened["until"]) if opened else None
    except (KeyError, TypeError, ValueError):
        until = None
    if until is None or until <= clock.now():
        session.pop(BLOCKED_KEY, None)
        return None
    return until


def _conversation_limit_key() -> str:
    """The per-conversation counter: a keyed hash of her token (never the
    token itself, and not the hash the database keeps)."""
    token = _token()
    if not token:
        return f"talk-none:{client_key()}"
    return "talk:" + keyring().lookup_key(_LIMIT_PURPOSE, token)


def page_centre(dbs: Session) -> Centre:
    chosen = session.get(CENTRE_KEY)
    centre = dbs.get(Centre, chosen) if isinstance(chosen, int) else None
    return centre if centre is not None and centre.active else default_centre(dbs)


def _several_centres() -> bool:
    return len(active_centres(db.session)) > 1


@contextmanager
def _writer() -> Iterator[Session]:
    """Where a side write goes: the request's own write session on a POST,
    a short write transaction of its own on a GET (whose session reads)."""
    if request.method in READ_METHODS:
        with db.writing() as dbs:
            yield dbs
        return
    yield db.session
    db.session.commit()


def _announce(conversation_id: int, centre_id: int) -> None:
    """After the commit: both sides' pages look again."""
    announce(conversation_channel(conversation_id), centre_channel(centre_id))


def _to_page():
    return redirect(url_for("portal.talk"), code=303)


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best == "application/json" or (accept.accept_json and not accept.accept_html)


def _json_error(message, status: int):
    return jsonify(error=str(message)), status


# --- the page --------------------------------------------------------------


def _beat_due(conversation: Conversation) -> bool:
    return conversations.is_open(conversation) and (
        clock.now() - conversation.person_seen_at >= BEAT_EVERY
    )


def _beat_and_sweep(conversation: Conversation) -> bool:
    """Her page is alive, noted when the last sign is older than BEAT_EVERY;
    only then conversations of her centre whose page is gone end ("left"),
    hers first if it is gone (the sweep runs before her sign of life: whoever
    opens her phone after she left finds it ended). Both sides hear of it.
    A visitor without a conversation writes nothing (the team's pages sweep
    too). Returns whether anything was written."""
    if not _beat_due(conversation):
        return False
    conversation_id, centre_id = conversation.id, conversation.centre_id
    with db.writing() as dbs:
        gone = conversations.sweep(dbs, centre_id)
        mine = dbs.get(Conversation, conversation_id)
        if mine is not None and conversations.is_open(mine):
            conversations.note_person_seen(dbs, mine)
    for gone_id in gone:
        _announce(gone_id, centre_id)
    return True


@bp.get("/<lang:lang>/talk")
def talk():
    token = _token()
    conversation = conversations.find(db.session, token)
    if conversation is not None and _beat_and_sweep(conversation):
        # Read again after the write, in a fresh transaction (a read's
        # snapshot on SQLite would not see it).
        db.session.rollback()
        conversation = conversations.find(db.session, token)
    if conversation is None:
        _forget_session()
        return _start_page()
    if conversations.is_open(conversation):
        return _conversation_page(conversation)
    return _ended_page(conversation)


def _start_page(form: StartForm | None = None, status: int = 200):
    centre = page_centre(db.session)
    context = centre_text(centre.id) if session.get(CENTRE_KEY) else {}
    until = _blocked_until()
    if until is not None:
        zone = zone_of(centre.id)
        return render_template(
            "portal/talk.html",
            state="blocked",
            until_day=day_words(until, zone),
            until_time=clock_time(until, zone),
        ), status
    # In a network the municipality decides the team; until she chose it, the
    # start form asks, and the start says whether that team is there.
    choose = _several_centres() and not session.get(CENTRE_KEY)
    if not choose and not team_is_there(db.session, centre):
        return _nobody_page(centre, context)
    if form is None:
        form = StartForm(municipalities=active_municipalities(db.session) if choose else ())
        receipts.restore(form)
    return render_template(
        "portal/talk.html", state="start", form=form, with_municipality=choose, **context
    ), status


def _nobody_page(centre: Centre, context: dict):
    now = clock.now()
    zone = zone_of(centre.id)
    nxt = hours.next_opening(centre, now)
    return render_template(
        "portal/talk.html",
        state="nobody",
        open_now=hours.is_open(centre, now),
        next_day=day_words(nxt, zone) if nxt else None,
        next_time=clock_time(nxt, zone) if nxt else None,
        **{**context, **centre_text(centre.id)},
    )


def _conversation_page(conversation: Conversation, form: SendForm | None = None, status=200):
    if form is None:
        form = SendForm()
        receipts.restore(form)  # a message sent back with its problem, once
    if not form.client_id.data:
        form.client_id.data = secrets.token_urlsafe(16)
    lines = conversations.lines_after(db.session, conversation.id, 0)
    return render_template(
        "portal/talk_conversation.html",
        conversation=conversation,
        waiting=conversation.status == ConversationStatus.WAITING,
        status=_status(db.session, conversation),
        lines=shown(lines, zone_of(conversation.centre_id)),
        last_seq=conversation.last_seq,
        form=form,
    ), status


def _forget(conversation_id: int) -> None:
    with _writer() as dbs:
        conversation = dbs.get(Conversation, conversation_id)
        if conversation is not None:
            conversations.forget_token(dbs, conversation)
    _forget_session()


def _expired(conversation: Conversation) -> bool:
    return clock.now() - (conversation.ended_at or clock.now()) > ENDED_PAGE_LIFETIME


def _ended_page(conversation: Conversation, form: KeepForm | None = None):
    """How it ended, her code once, and the choice to read it again; never
    what was said (ENDED_PAGE_LIFETIME says why)."""
    if conversation.end_reason == EndReason.BLOCKED:
        # No code and no mailbox: the team ended it for what was written.
        until = (conversation.ended_at or clock.now()) + BLOCKED_FOR
        session[BLOCKED_KEY] = seal({"until": until.isoformat()})
        _forget(conversation.id)
        return render_template("portal/talk_ended.html", blocked=True)
    if conversation.end_reason == EndReason.QUICK_EXIT or _expired(conversation):
        # Not a word of it: the page is the start page, as for anyone.
        _forget(conversation.id)
        return _start_page()
    reason = str(EVENT_WORDS.get(f"ended_{conversation.end_reason}", ""))
    if conversation.intake_id is None:
        # She wrote nothing: nothing was kept, there is nothing to come back to.
        _forget(conversation.id)
        return render_template("portal/talk_ended.html", blocked=False, reason=reason, kept=False)
    # An end she made herself: she is at her phone, the code shows at once.
    # Any other: only after "Show my return code" (talk_show_code).
    code_waits = CODE_KEY in session
    if conversation.end_reason in _HER_ENDINGS or session.pop(SHOW_CODE_KEY, False):
        code, code_waits = _take_code(), False
    else:
        code = None
    if form is None:
        form = KeepForm()
        receipts.restore(form)
    zone = zone_of(conversation.centre_id)
    shown_until = (conversation.ended_at or clock.now()) + ENDED_PAGE_LIFETIME
    return render_template(
        "portal/talk_ended.html",
        blocked=False,
        reason=reason,
        kept=True,
        return_code=code,
        # Her mailbox choice only once she has (had) the code that opens it.
        code_waits=code_waits,
        code_until=clock_time(shown_until, zone),
        form=form,
    )


# --- start, write, end -----------------------------------------------------


def _started_one(_response) -> bool:
    return bool(g.get(_STARTED_FLAG))


@bp.post("/<lang:lang>/talk/start")
@limiter.limit(START_LIMIT, deduct_when=_started_one)
def talk_start():
    choose = _several_centres() and not session.get(CENTRE_KEY)
    form = StartForm(municipalities=active_municipalities(db.session) if choose else ())
    if not form.validate_on_submit():
        return receipts.send_back(form, to=url_for("portal.talk")) or _start_page(form)
    if conversations.find(db.session, _token()) is not None or _blocked_until() is not None:
        return _to_page()  # one at a time; a blocked browser gets its page
    if form.safe_now.data == "no":
        flash(
            _(
                "Then please do not write now. Come back when it is safe. "
                "You can also ask us to call you at a time that is safe."
            )
        )
        return _to_page()
    centre = centre_for(db.session, form.municipality_id()) if choose else page_centre(db.session)
    if choose:
        session[CENTRE_KEY] = centre.id
    if not team_is_there(db.session, centre):
        return _to_page()  # the page now says when the team is there
    started = conversations.start(db.session, centre_id=centre.id, language=g.lang)
    conversation_id = started.conversation.id
    db.session.commit()
    setattr(g, _STARTED_FLAG, True)
    session[TALK_KEY] = started.token
    session[CODE_KEY] = seal({"code": return_codes.display(started.return_code)})
    _announce(conversation_id, centre.id)
    return _to_page()


def _write(conversation_id: int, form: SendForm) -> tuple[ConversationMessage, bool]:
    client_id = (form.client_id.data or "")[:CLIENT_ID_MAX] or None
    for attempt in range(2):
        try:
            return conversations.write(
                db.session,
                conversation_id,
                sender=Sender.PERSON,
                body=form.body.data or "",
                client_id=client_id,
            )
        except RuleError as refused:
            # Another instance stored the same client id a moment ago: the
            # second try finds that line (stored once, answered as sent).
            if refused.code != "sent_twice" or attempt:
                raise
    raise AssertionError("unreachable")


@bp.post("/<lang:lang>/talk/send")
@limiter.limit(SEND_LIMIT_PER_CONVERSATION, key_func=_conversation_limit_key)
def talk_send():
    wants_json = _wants_json()
    conversation = conversations.find(db.session, _token())
    if conversation is None or not conversations.is_open(conversation):
        if wants_json:
            return _json_error(RULE_WORDS["conversation_ended"], 409)
        return _to_page()
    form = SendForm()
    if not form.validate_on_submit():
        if wants_json:
            problems = [m for messages in form.errors.values() for m in messages]
            return _json_error(problems[0] if problems else RULE_WORDS["missing"], 400)
        return receipts.send_back(form, to=url_for("portal.talk")) or _conversation_page(
            conversation, form
        )
    conversation_id, centre_id = conversation.id, conversation.centre_id
    try:
        line, is_new = _write(conversation_id, form)
        db.session.commit()
    except RuleError as refused:
        db.session.rollback()
        ended = refused.code == "conversation_ended"
        message = RULE_WORDS.get(refused.code, RULE_WORDS["missing"])
        if wants_json:
            return _json_error(message, 409 if ended else 400)
        if ended:
            return _to_page()
        form.body.errors = [message]
        return receipts.send_back(form, to=url_for("portal.talk")) or _conversation_page(
            conversation, form
        )
    if is_new:
        # A line changes no waiting list: the team's lists are not woken
        # for it (bench/talk.py), only the conversation's readers.
        announce(conversation_channel(conversation_id))
    if wants_json:
        # "at" and "time" let the script show the line before the stream does.
        answer = {
            "seq": line.seq,
            "at": line.created_at.isoformat(),
            "time": clock_time(line.created_at, zone_of(centre_id)),
        }
        return jsonify(answer), 201 if is_new else 200
    return redirect(url_for("portal.talk", _anchor="talk-form"), code=303)


@bp.get("/<lang:lang>/talk/events")
def talk_events():
    """Her lines, her place in the list and the end, as server-sent events.
    Resumes after the browser's Last-Event-ID: nothing lost, nothing twice."""
    conversation = conversations.find(db.session, _token())
    if conversation is None:
        # 204 tells EventSource to stop asking.
        return "", 204
    conversation_id = conversation.id
    zone = zone_of(conversation.centre_id)
    last_status: dict = {}

    def look(dbs: Session, last_id: int) -> Look:
        found = dbs.get(Conversation, conversation_id)
        if found is None:
            return Look(last_id=last_id, finished=True)
        events = [
            Event("line", line.as_data(), id=line.seq)
            for line in shown(conversations.lines_after(dbs, conversation_id, last_id), zone)
        ]
        status = _status(dbs, found)
        if status != last_status:
            last_status.clear()
            last_status.update(status)
            events.append(Event("status", status))
        finished = not conversations.is_open(found)
        if finished:
            events.append(Event("end", {"state": "ended"}))
        return Look(events=events, last_id=events_last_id(events, last_id), finished=finished)

    def beat() -> None:
        # Read first, write only when her last sign of life is old (BEAT_EVERY).
        with db.reading() as dbs:
            found = dbs.get(Conversation, conversation_id)
            if found is None or not _beat_due(found):
                return
        with db.writing() as dbs:
            found = dbs.get(Conversation, conversation_id)
            if found is not None and conversations.is_open(found):
                conversations.note_person_seen(dbs, found)

    return stream(conversation_channel(conversation_id), look, beat=beat)


def events_last_id(events: list[Event], last_id: int) -> int:
    ids = [event.id for event in events if event.id is not None]
    return max(ids) if ids else last_id


@bp.post("/<lang:lang>/talk/end")
def talk_end():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    conversation = conversations.find(db.session, _token())
    if conversation is not None and conversations.is_open(conversation):
        conversation_id, centre_id = conversation.id, conversation.centre_id
        conversations.end(db.session, conversation_id, EndReason.BY_PERSON)
        db.session.commit()
        _announce(conversation_id, centre_id)
    return _to_page()


@bp.post("/<lang:lang>/talk/code")
def talk_show_code():
    """ "Show my return code", after an end she did not make herself, within
    ENDED_PAGE_LIFETIME. The page that follows (GET) shows it, once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    conversation = conversations.find(db.session, _token())
    if (
        conversation is not None
        and not conversations.is_open(conversation)
        and not _expired(conversation)
        and CODE_KEY in session
    ):
        session[SHOW_CODE_KEY] = True
    return _to_page()


@bp.post("/<lang:lang>/talk/keep")
def talk_keep():
    conversation = conversations.find(db.session, _token())
    if (
        conversation is None
        or conversations.is_open(conversation)
        or conversation.intake_id is None
        or conversation.end_reason == EndReason.BLOCKED
        # Not before she saw the code that opens her mailbox.
        or (conversation.end_reason not in _HER_ENDINGS and CODE_KEY in session)
    ):
        return _to_page()
    form = KeepForm()
    if not form.validate_on_submit():
        return receipts.send_back(form, to=url_for("portal.talk")) or _ended_page(
            conversation, form
        )
    keep = form.keep.data == "yes"
    conversations.keep_in_mailbox(db.session, conversation, keep)
    conversations.forget_token(db.session, conversation)
    db.session.commit()
    _forget_session()
    if keep:
        flash(_("You can read the conversation again in your mailbox. Open it with your code."))
    else:
        flash(_("The conversation is not in your mailbox. The team keeps it with your request."))
    return _to_page()


def end_talk_session() -> None:
    """The quick exit: her open conversation ends on the server at once (the
    team sees why), and the session's token opens nothing afterwards."""
    token = _token()
    _forget_session()
    if not token:
        return
    changed: tuple[int, int] | None = None
    with _writer() as dbs:
        conversation = conversations.find(dbs, token)
        if conversation is None:
            return
        if conversations.is_open(conversation):
            conversations.end(dbs, conversation.id, EndReason.QUICK_EXIT)
            changed = (conversation.id, conversation.centre_id)
        conversations.forget_token(dbs, conversation)
    if changed:
        _announce(*changed)


# --- the mailbox's read-only copy ------------------------------------------


def kept_transcript(intake: Intake) -> list[Shown] | None:
    """The conversation, when she chose to read it again in her mailbox."""
    if intake.kind != IntakeKind.CONVERSATION:
        return None
    conversation = conversations.conversation_of(db.session, intake)
    if (
        conversation is None
        or conversation.kind != ConversationKind.LIVE
        or not conversation.in_mailbox
    ):
        return None
    lines = conversations.lines_after(db.session, conversation.id, 0)
    return shown(lines, zone_of(conversation.centre_id))


# --- too many --------------------------------------------------------------


@bp.errorhandler(429)
def _too_many(_exc):
    """A send refused by a rate limit keeps what she typed: JSON for the
    script (the text stays in its box), the page with the box filled without
    it. A start refused gets the "nobody can talk now" page with its two ways
    on (START_LIMIT says why). Every other portal page gets the calm error
    page, as web.security."""
    if request.endpoint == "portal.talk_start":
        # As when everyone is busy; the centre's hours once it is known.
        centre = page_centre(db.session)
        known = session.get(CENTRE_KEY) or not _several_centres()
        context = centre_text(centre.id) if known else {}
        return render_template("portal/talk.html", state="nobody", open_now=True, **context), 429
    if request.endpoint == "portal.talk_send":
        message = _("You sent many messages in a short time. Wait a minute, then send again.")
        if _wants_json():
            return _json_error(message, 429)
        conversation = conversations.find(db.session, _token())
        if conversation is not None and conversations.is_open(conversation):
            form = SendForm()
            form.body.errors = [message]
            return _conversation_page(conversation, form, status=429)
    return render_template("error.html", status="too_many", code=429), 429
