"""Talk now: live conversations between a person on the portal and the team,
and what she leaves when nobody is there (a message, a booked call-back).

A conversation is anonymous while it runs. Its browser holds a random token;
the server keeps only the keyed hash (token_key). It becomes a request (an
Intake of kind "conversation") when it ends with something she wrote, so
triage, matching and case files carry it on; its transcript stays here."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from core.infra.crypto import EncryptedText
from core.model.base import Base, UTCDateTime, utcnow


class ConversationKind(StrEnum):
    LIVE = "live"
    # Nobody was there: she left a message (a mailbox request with a code).
    MESSAGE = "message"
    # Nobody was there: she booked a call-back in a slot of the opening hours.
    CALLBACK = "callback"


class ConversationStatus(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    BY_PERSON = "by_person"
    BY_STAFF = "by_staff"
    # The quick exit, on her device: she may be in danger right now.
    QUICK_EXIT = "quick_exit"
    # Her page stopped asking (closed, lost its connection) for too long.
    LEFT = "left"
    BLOCKED = "blocked"


class Sender(StrEnum):
    PERSON = "person"
    STAFF = "staff"
    # What happened (taken, handed over, ended): an event code, no text.
    SYSTEM = "system"


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        # The waiting list and the figures of one centre.
        Index("ix_conversations_centre_id_status", "centre_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    kind: Mapped[str] = mapped_column(String(12), default=ConversationKind.LIVE)
    status: Mapped[str] = mapped_column(String(12), default=ConversationStatus.WAITING)
    # The portal language she writes in; safe phrases are sent in it.
    language: Mapped[str] = mapped_column(String(8))
    # Keyed hash of the browser's random token; None once it ended (a copied
    # cookie then opens nothing).
    token_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Keyed hash of the return code she is shown at the end (the code itself
    # waits, encrypted, in her session only): the request takes it over.
    return_code_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(12))
    # Who holds it now (several at once; a hand-over changes it).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    # Her page's last sign of life: a waiting or open conversation whose page
    # is gone for long is ended as "left" (core.talk.conversations.sweep).
    person_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # She chose to read the conversation again in her mailbox.
    in_mailbox: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The request it became (when she wrote anything), or the message or
    # call-back request she left.
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"), index=True)
    # The sequence number of its newest message (0: none yet).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)

    messages: Mapped[list[ConversationMessage]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationMessage.seq",
    )


class ConversationMessage(Base):
    """One line of a conversation. seq counts from 1 in each conversation and is
    given under the conversation's row lock, so the order it was stored in is
    the order every reader sees, and a client resumes after the last seq it
    has (the SSE Last-Event-ID) with nothing lost or doubled."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_conversation_messages_seq"),
        # One message per client-side id: a resent message is stored once.
        UniqueConstraint(
            "conversation_id", "client_key", name="uq_conversation_messages_client_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str | None] = mapped_column(EncryptedText)
    # A safe phrase staff sent (core.talk.phrases): staff read it in their
    # own language, she in hers (the body).
    phrase: Mapped[str | None] = mapped_column(String(40))
    # System lines: "taken", "handed_over", "ended", ... (no text at all).
    event: Mapped[str | None] = mapped_column(String(20))
    # Keyed hash of the sender's one-time message id (a resend is not new).
    client_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class TalkAvailability(Base):
    """A staff member's "available for conversations" switch, per centre.

    seen_at is the last time their talk page was open: a switch left on by
    someone who closed the browser must not keep a person waiting for no one
    (core.talk.availability.FRESH)."""

    __tablename__ = "talk_availability"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
