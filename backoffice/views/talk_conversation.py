"""One conversation, as the team sees it: /staff/talk/<id>.

Any team member of the centre may read it (to help, or to be handed it);
each read is in the audit trail. Only the member who holds it writes, hands
it over, ends or blocks it. A waiting one can be taken by anyone: of two at
once, one gets it and the other is told so.

After every change that is committed, both channels are told (the
conversation's, which her page and this page listen to, and the centre's,
which the talk list listens to)."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from backoffice.access import record_read, requires
from backoffice.blueprint import bp
from backoffice.forms.talk import BlockForm, HandOverForm, InterpreterForm, SendForm
from backoffice.handlers import Done, change_view
from backoffice.talk_lines import END_LABELS, shown_lines, transcript
from backoffice.views.talk import fresh_read, keep_fresh
from core.casework.cases import can_view_intake
from core.governance import audit
from core.identity.permissions import Permission
from core.model import (
    Conversation,
    ConversationKind,
    ConversationStatus,
    EndReason,
    Intake,
    IntakeStatus,
    Sender,
    Staff,
)
from core.rules import WHOLE, RuleError
from core.talk import conversations, waiting
from web.db import db
from web.forms import show_rule_error
from web.live import Event, Look, announce, centre_channel, conversation_channel, stream
from web.talk_phrases import PHRASES, phrase_in


def conversation_or_404(conversation_id: int) -> Conversation:
    """A live conversation of the centre the member works for; another
    centre's is not found. Once it became a request in a case file the
    member may not open, its transcript is that file's (403); once that
    request was erased, it is gone here too."""
    found = db.session.get(Conversation, conversation_id)
    if found is None or found.centre_id != g.centre.id or found.kind != ConversationKind.LIVE:
        abort(404)
    if found.intake_id is not None:
        intake = db.session.get(Intake, found.intake_id)
        if intake is not None and intake.status == IntakeStatus.ERASED:
            abort(404)
        if intake is not None and not can_view_intake(g.staff, intake, db.session):
            abort(403)
    return found


def talk_message(field: str, code: str) -> str:
    """What the member reads when a change is refused (core.talk.conversations)."""
    return {
        ("body", "missing"): _("Type a message first."),
        ("body", "too_long"): _(
            "Please keep this under %(max)d characters.", max=conversations.MESSAGE_MAX
        ),
        ("to_staff", "invalid"): _("Choose a colleague who is available now."),
        (WHOLE, "conversation_ended"): _("This conversation has ended. Nothing was changed."),
        (WHOLE, "not_yours"): _("Only the team member who holds this conversation can do that."),
        (WHOLE, "already_taken"): _("A colleague took this conversation a moment ago."),
        (WHOLE, "waiting"): _("Take the conversation first."),
    }.get((field, code), _("This did not work. Nothing was changed."))


def _announcer(found: Conversation):
    conversation_id, centre_id = found.id, found.centre_id

    def after_commit() -> None:
        announce(conversation_channel(conversation_id), centre_channel(centre_id))

    return after_commit


def holds(found: Conversation) -> bool:
    return found.staff_id == g.staff.id and found.status != ConversationStatus.ENDED


def may_note_interpreter(found: Conversation) -> bool:
    """Anyone while it waits (so whoever takes it knows), then its holder."""
    return found.status == ConversationStatus.WAITING or holds(found)


def render_conversation(found: Conversation, **forms):
    session = db.session
    mine = holds(found)
    send_form = forms.get("send_form") or SendForm.fresh()
    hand_over_form = forms.get("hand_over_form") or HandOverForm.blank()
    if mine:
        hand_over_form.prepare(found)
    lines = transcript(session, found, reader_id=g.staff.id)
    return render_template(
        "backoffice/talk_conversation.html",
        conversation=found,
        lines=lines,
        last_seq=lines[-1].seq if lines else 0,
        holds=mine,
        holder=session.get(Staff, found.staff_id) if found.staff_id else None,
        waited=waiting.waited(found),
        send_form=send_form,
        # The phrases as the buttons say them, and as she will read them.
        phrases=[
            (code, str(words), phrase_in(code, found.language)) for code, words in PHRASES.items()
        ],
        interpreter_form=forms.get("interpreter_form")
        or InterpreterForm.blank(needed=found.interpreter_needed),
        may_note_interpreter=may_note_interpreter(found),
        hand_over_form=hand_over_form,
        block_form=forms.get("block_form") or BlockForm.blank(),
        end_labels=END_LABELS,
        intake=session.get(Intake, found.intake_id) if found.intake_id else None,
    )


@bp.get("/talk/<int:conversation_id>")
@requires(Permission.TALK)
def talk_conversation(conversation_id: int):
    found = conversation_or_404(conversation_id)
    # Reading a conversation is recorded, as reading a request is.
    record_read("talk.viewed", target_type="conversation", target_id=found.id)
    swept = keep_fresh(g.staff.id, g.centre.id)
    fresh_read()
    if found.id in swept:
        db.session.refresh(found)
    return render_conversation(found)


@bp.get("/talk/<int:conversation_id>/events")
@requires(Permission.TALK)
def talk_conversation_events(conversation_id: int):
    """Its lines after the reader's last one (event id = seq), then "end"
    once it ended. Lines of others it delivers are recorded as read."""
    found = conversation_or_404(conversation_id)
    conversation_id, centre_id, reader_id = found.id, found.centre_id, g.staff.id

    def look(session: Session, last_id: int) -> Look:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return Look(last_id=last_id, finished=True)
        lines = conversations.lines_after(session, conversation_id, last_id)
        shown = shown_lines(session, conversation, lines, reader_id=reader_id)
        events = [Event("line", line.as_event(), id=line.seq) for line in shown]
        read = [line.seq for line in shown if not line.mine and line.sender != Sender.SYSTEM]
        finished = conversation.status == ConversationStatus.ENDED
        if finished:
            reason = conversation.end_reason
            words = END_LABELS.get(EndReason(reason)) if reason in set(EndReason) else None
            events.append(Event("end", {"reason": reason, "text": str(words or "")}))
        after = (
            (lambda: _record_lines_read(reader_id, conversation_id, centre_id, read))
            if read
            else None
        )
        return Look(events, lines[-1].seq if lines else last_id, finished, after=after)

    return stream(
        conversation_channel(conversation_id),
        look,
        beat=lambda: keep_fresh(reader_id, centre_id),
    )


def _record_lines_read(
    reader_id: int, conversation_id: int, centre_id: int, read: list[int]
) -> None:
    """Lines of others the stream delivered: read, as the page is."""
    with db.writing() as writer:
        audit.record(
            writer,
            "talk.viewed",
            actor_id=reader_id,
            target_type="conversation",
            target_id=conversation_id,
            detail=(f"line {read[0]}" if len(read) == 1 else f"lines {read[0]}-{read[-1]}"),
            centre_id=centre_id,
        )


def _conversation_page_url(found: Conversation) -> str:
    return url_for("backoffice.talk_conversation", conversation_id=found.id)


def _step():
    """A step without fields (take, end): refused, the conversation's page
    says why."""
    return change_view(
        conversation_or_404,
        "conversation_id",
        messages=talk_message,
        back=_conversation_page_url,
    )


@bp.post("/talk/<int:conversation_id>/take")
@requires(Permission.TALK)
@_step()
def talk_take(found: Conversation, _form) -> Done:
    conversations.take(db.session, found.id, g.staff)
    return Done(
        _("You took the conversation. The person sees that someone is there."),
        url_for("backoffice.talk_conversation", conversation_id=found.id, _anchor="message-body"),
        after_commit=_announcer(found),
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _write(found: Conversation, body: str, client_id: str | None, phrase: str | None):
    try:
        return conversations.write(
            db.session,
            found.id,
            sender=Sender.STAFF,
            body=body,
            client_id=client_id,
            author=g.staff,
            phrase=phrase,
        )
    except RuleError as refused:
        if refused.code != "sent_twice":
            raise
    # The same message won a race on another instance: it is stored, once.
    return conversations.write(
        db.session,
        found.id,
        sender=Sender.STAFF,
        body=body,
        client_id=client_id,
        author=g.staff,
        phrase=phrase,
    )


@bp.post("/talk/<int:conversation_id>/send")
@requires(Permission.TALK)
def talk_send(conversation_id: int):
    """A message, or a safe phrase (stored in her language, with its code).
    JavaScript asks for JSON: {"seq": n} once it is stored (201, or 200 for
    a message sent before), or {"error": text}; a page without it comes
    back here (303), or shows the form again with the problem."""
    found = conversation_or_404(conversation_id)
    form = SendForm()
    if not form.validate():
        if _wants_json():
            problem = next((e for f in form for e in f.errors), _("Type a message first."))
            return jsonify(error=str(problem)), 400
        return render_conversation(found, send_form=form)
    phrase = form.phrase.data or None
    client_id = form.client_id.data or None
    if phrase is not None:
        body = phrase_in(phrase, found.language)
        # One page's id with each phrase: two different phrases are two lines.
        client_id = f"{client_id}:{phrase}" if client_id else None
    else:
        body = form.body.data
    try:
        line, new = _write(found, body, client_id, phrase)
    except RuleError as refused:
        db.session.rollback()
        if _wants_json():
            status = 400 if refused.field == "body" else 409
            return jsonify(error=talk_message(refused.field, refused.code)), status
        show_rule_error(form, refused, talk_message)
        return render_conversation(found, send_form=form)
    db.session.commit()
    if new:
        # A line changes no waiting list: only the conversation's readers
        # look again (a centre signal per line made every member's list
        # recompute, bench/talk.py).
        announce(conversation_channel(found.id))
    if _wants_json():
        return jsonify(seq=line.seq), 201 if new else 200
    flash(_("Sent."))
    return redirect(
        url_for("backoffice.talk_conversation", conversation_id=found.id, _anchor="message-body"),
        code=303,
    )


def _page_with(name: str):
    def page(found: Conversation, form):
        return render_conversation(found, **{name: form})

    return page


@bp.post("/talk/<int:conversation_id>/hand-over")
@requires(Permission.TALK)
@change_view(
    conversation_or_404,
    "conversation_id",
    form=HandOverForm,
    page=_page_with("hand_over_form"),
    messages=talk_message,
)
def talk_hand_over(found: Conversation, form: HandOverForm) -> Done:
    offered = {str(value) for value, _label in form.to_staff.choices or []}
    if form.to_staff.data not in offered:
        raise RuleError("to_staff", "invalid")
    to = db.session.get(Staff, int(form.to_staff.data))
    if to is None:
        raise RuleError("to_staff", "invalid")
    conversations.hand_over(db.session, found.id, g.staff, to)
    return Done(
        _("%(name)s holds the conversation now.", name=to.name),
        url_for("backoffice.talk"),
        after_commit=_announcer(found),
    )


@bp.post("/talk/<int:conversation_id>/interpreter")
@requires(Permission.TALK)
@change_view(
    conversation_or_404,
    "conversation_id",
    form=InterpreterForm,
    page=_page_with("interpreter_form"),
    messages=talk_message,
)
def talk_interpreter(found: Conversation, form: InterpreterForm) -> Done:
    if found.status == ConversationStatus.ENDED:
        raise RuleError(WHOLE, "conversation_ended")
    if not may_note_interpreter(found):
        raise RuleError(WHOLE, "not_yours")
    needed = bool(form.needed.data)
    conversations.set_interpreter_needed(db.session, found, g.staff, needed)
    return Done(
        _("Noted: an interpreter is needed.") if needed else _("Noted: no interpreter needed."),
        url_for("backoffice.talk_conversation", conversation_id=found.id),
        after_commit=_announcer(found),
    )


@bp.post("/talk/<int:conversation_id>/end")
@requires(Permission.TALK)
@_step()
def talk_end(found: Conversation, _form) -> Done:
    if found.status == ConversationStatus.ENDED:
        raise RuleError(WHOLE, "conversation_ended")
    intake_id = conversations.end(db.session, found.id, EndReason.BY_STAFF, staff=g.staff).intake_id
    if intake_id is None:
        return Done(
            _("The conversation has ended. The person wrote nothing, so there is no request."),
            url_for("backoffice.talk"),
            after_commit=_announcer(found),
        )
    # She wrote: it is a request now, taken by the member who talked with her.
    return Done(
        _("The conversation has ended. It is request #%(number)s now.", number=intake_id),
        url_for("backoffice.intake", intake_id=intake_id),
        after_commit=_announcer(found),
    )


@bp.post("/talk/<int:conversation_id>/block")
@requires(Permission.TALK)
@change_view(
    conversation_or_404,
    "conversation_id",
    form=BlockForm,
    page=_page_with("block_form"),
    messages=talk_message,
)
def talk_block(found: Conversation, form: BlockForm) -> Done:
    if found.status == ConversationStatus.ENDED:
        raise RuleError(WHOLE, "conversation_ended")
    conversations.end(db.session, found.id, EndReason.BLOCKED, staff=g.staff)
    return Done(
        _("The conversation has ended. This browser cannot start a new one for 24 hours."),
        url_for("backoffice.talk"),
        after_commit=_announcer(found),
    )
