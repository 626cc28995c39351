"""A conversation's lines as a team member reads them: who wrote, what
happened (system lines carry an event code, never text: here they become
words), and a safe phrase in the reader's language with the person's
version beside it.

The talk pages, their live stream and the request page that carries a
conversation on all show lines through here, so they say the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity.staff import names_of
from core.model import Conversation, ConversationKind, ConversationMessage, EndReason, Sender
from web.i18n import format_datetime
from web.talk_phrases import PHRASES

# How the person came to us through "Talk now" (core.model.ConversationKind).
ROUTE_LABELS = {
    ConversationKind.LIVE: _l("A live conversation in the portal"),
    ConversationKind.MESSAGE: _l("A message left when nobody was there to talk"),
    ConversationKind.CALLBACK: _l("A call-back booked when nobody was there to talk"),
}
# How a conversation ended, in the list and on its page.
END_LABELS = {
    EndReason.BY_PERSON: _l("The person ended it."),
    EndReason.BY_STAFF: _l("The team ended it."),
    EndReason.QUICK_EXIT: _l("The person used the quick exit. They may not be safe now."),
    EndReason.LEFT: _l("The person left. Their page closed or lost its connection."),
    EndReason.BLOCKED: _l("The team ended and blocked it."),
}


@dataclass(frozen=True)
class ShownLine:
    seq: int
    sender: str
    # "The person", "You", a colleague's name; empty for what happened.
    who: str
    # What the reader reads (a phrase in the reader's language).
    text: str
    # A phrase as the person read it, when that differs from `text`.
    original: str | None
    at: datetime
    event: str | None
    # The reader wrote it.
    mine: bool
    # The person may be in danger now (the quick exit).
    warning: bool

    def as_event(self) -> dict:
        """The data of a live stream's "line" event (JavaScript shows it as
        text, never as markup)."""
        return {
            "seq": self.seq,
            "sender": self.sender,
            "who": self.who,
            "text": self.text,
            "original": self.original,
            "at": format_datetime(self.at),
            "event": self.event,
            "mine": self.mine,
            "warning": self.warning,
        }


def _recipients(session: Session, conversation: Conversation) -> dict[int, int | None]:
    """Who each hand-over went to, by its line. A hand-over line names the
    member who gave it; the next hand-over was given by whoever received
    this one, and the last one went to the member who holds it now."""
    givers = list(
        session.execute(
            select(ConversationMessage.seq, ConversationMessage.author_id)
            .where(
                ConversationMessage.conversation_id == conversation.id,
                ConversationMessage.event == "handed_over",
            )
            .order_by(ConversationMessage.seq)
        )
    )
    return {
        seq: (givers[index + 1][1] if index + 1 < len(givers) else conversation.staff_id)
        for index, (seq, _author) in enumerate(givers)
    }


def _event_words(
    event: str, author: int | None, to: int | None, reader_id: int, names: dict
) -> str:
    name = names.get(author, _("A colleague"))
    mine = author is not None and author == reader_id
    if event == "taken":
        return (
            _("You took the conversation.")
            if mine
            else _("%(name)s took the conversation.", name=name)
        )
    if event == "handed_over":
        if mine:
            return _(
                "You handed the conversation over to %(name)s.",
                name=names.get(to, _("a colleague")),
            )
        if to == reader_id:
            return _("%(name)s handed the conversation over to you.", name=name)
        return _(
            "%(name)s handed the conversation over to %(other)s.",
            name=name,
            other=names.get(to, _("a colleague")),
        )
    reason = event.removeprefix("ended_")
    if reason == EndReason.BY_STAFF:
        return (
            _("You ended the conversation.")
            if mine
            else _("%(name)s ended the conversation.", name=name)
        )
    if reason == EndReason.BLOCKED:
        return (
            _("You ended and blocked the conversation.")
            if mine
            else _("%(name)s ended and blocked the conversation.", name=name)
        )
    if reason in END_LABELS:
        return str(END_LABELS[EndReason(reason)])
    return event


def shown_lines(
    session: Session,
    conversation: Conversation,
    lines: Iterable[ConversationMessage],
    *,
    reader_id: int,
) -> list[ShownLine]:
    lines = list(lines)
    recipients = (
        _recipients(session, conversation)
        if any(line.event == "handed_over" for line in lines)
        else {}
    )
    names = names_of(
        session, [line.author_id for line in lines] + [to for to in recipients.values()]
    )
    shown = []
    for line in lines:
        mine = line.sender == Sender.STAFF and line.author_id == reader_id
        original = None
        if line.sender == Sender.SYSTEM:
            who = ""
            text = _event_words(
                line.event or "", line.author_id, recipients.get(line.seq), reader_id, names
            )
        elif line.sender == Sender.PERSON:
            who = _("The person")
            text = line.body or ""
        else:
            who = _("You") if mine else names.get(line.author_id, _("A colleague"))
            text = line.body or ""
            if line.phrase in PHRASES:
                # The reader's words, and hers beside them when they differ.
                text = str(PHRASES[line.phrase])
                original = line.body if line.body != text else None
        shown.append(
            ShownLine(
                seq=line.seq,
                sender=line.sender,
                who=who,
                text=text,
                original=original,
                at=line.created_at,
                event=line.event,
                mine=mine,
                warning=line.event == f"ended_{EndReason.QUICK_EXIT}",
            )
        )
    return shown


def transcript(session: Session, conversation: Conversation, *, reader_id: int) -> list[ShownLine]:
    return shown_lines(session, conversation, conversation.messages, reader_id=reader_id)
