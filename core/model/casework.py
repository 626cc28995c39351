"""Joint case files and everything in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from core.infra.crypto import EncryptedJSON, EncryptedText
from core.model.base import Base, UTCDateTime, utcnow
from core.model.intake import Intake


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Case(Base):
    """The joint case file ("gezamenlijk dossier") that partners work from."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("centre_id", "year", "sequence"),
        # One centre's list, open files first and newest first, read in index
        # order (core.casework.cases.case_page); its open files (overdue actions).
        Index("ix_cases_centre_id_status_opened_at", "centre_id", "status", "opened_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    # "2026-0042": the number people say on the phone and in meetings.
    number: Mapped[str] = mapped_column(String(16), unique=True)
    track: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.OPEN, index=True)
    director_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    closure_note: Mapped[str | None] = mapped_column(EncryptedText)
    # Set by the retention purge: the file's personal content is gone; the row
    # keeps track, dates, closure reason and people's roles for the figures.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    intakes: Mapped[list[Intake]] = relationship(
        secondary="case_intakes", order_by="Intake.created_at"
    )
    people: Mapped[list[CasePerson]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CasePerson.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id.desc()"
    )


class CaseIntake(Base):
    """The requests a case was opened from: one request belongs to one case."""

    __tablename__ = "case_intakes"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), primary_key=True, unique=True)


class CasePerson(Base):
    __tablename__ = "case_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # victim, child, other_adult, person_causing_harm
    role: Mapped[str] = mapped_column(String(24))
    name: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    email: Mapped[str | None] = mapped_column(EncryptedText)
    # How to reach this person safely, in words, for someone staff added. The
    # victim a file was opened for has her rules as she gave them instead: the
    # request below is the one record of them (core.intake.contact_rules), which
    # the request page, the person card, the print and the attempt form all read.
    contact_safety: Mapped[str | None] = mapped_column(EncryptedText)
    contact_intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"))
    # Staff must not contact this person directly (e.g. the person causing harm
    # while the victim is still at home): only through the case director or police.
    no_direct_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Children: the year of birth (the age follows from it) and the school, day
    # care or other care contacts the partners may need to reach.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    school_contacts: Mapped[str | None] = mapped_column(EncryptedText)
    notes: Mapped[str | None] = mapped_column(EncryptedText)

    case: Mapped[Case] = relationship(back_populates="people")
    contact_intake: Mapped[Intake | None] = relationship()


class CaseMember(Base):
    """Staff invited into a case besides its case director: access is decided per
    case, not per role, so partners can be added the same way later."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Base):
    """The case's timeline: what happened, when, by whom. No personal data in
    `action`; a short free-text detail is encrypted."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events")


class RiskAssessment(Base):
    """One risk assessment of a case with an instrument (data/instruments). Kept
    for good: a reassessment adds a row, so the history shows how risk moved."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(40))
    instrument_version: Mapped[int] = mapped_column(Integer)
    # {item code: {"answer": yes|no|unknown, "source": victim|professional|file|None}}
    answers: Mapped[dict] = mapped_column(EncryptedJSON)
    score: Mapped[int] = mapped_column(Integer)
    computed_level: Mapped[str] = mapped_column(String(12))
    judged_level: Mapped[str] = mapped_column(String(12))
    final_level: Mapped[str] = mapped_column(String(12))
    judgement_reason: Mapped[str | None] = mapped_column(EncryptedText)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CasePartner(Base):
    """An organisation involved in a case (police zone, parket, CAW, ...) and the
    basis on which it may hear from the file: the client's consent for a scope,
    or a case consultation under art. 458ter Sw. Kept after a withdrawal, so the
    file shows who could see what, and until when."""

    __tablename__ = "case_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # police, prosecutor, caw, youth_care, mental_health, lawyer, doctor, school, other
    kind: Mapped[str] = mapped_column(String(24))
    organisation: Mapped[str] = mapped_column(EncryptedText)
    contact_name: Mapped[str | None] = mapped_column(EncryptedText)
    contact_details: Mapped[str | None] = mapped_column(EncryptedText)
    # consent, case_consultation
    basis: Mapped[str] = mapped_column(String(20))
    # What the client agreed may be shared: codes from core.casework.partners.PARTS.
    consent_scope: Mapped[list | None] = mapped_column(EncryptedJSON)
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The partner organisation whose members work on the file for this partner:
    # set when the first member is let in; only its members may be linked.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisations.id"))
    # Set when the file came from another centre: the partner's basis was given
    # there, so the receiving centre reviews it before anyone relies on it.
    transfer_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CasePartnerMember(Base):
    """A partner member working on a case file for one of its partners. The
    member sees the file only while this link exists and the partner's basis
    holds (core.casework.partner_access)."""

    __tablename__ = "case_partner_members"
    __table_args__ = (UniqueConstraint("case_partner_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_partner_id: Mapped[int] = mapped_column(ForeignKey("case_partners.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseRelation(Base):
    """How two people in a case file are related: `person` is `kind` of `other`
    (e.g. "parent" of the child, "ex_partner" of the victim)."""

    __tablename__ = "case_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    other_person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    # partner, ex_partner, parent, child, sibling, other_family, other
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetyPlan(Base):
    """One version of a person's safety plan. Saving adds a row, so earlier
    versions stay readable; the newest row is the plan."""

    __tablename__ = "safety_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    # {section code: text}, e.g. warning_signs, safe_places, safe_people, ...
    content: Mapped[dict] = mapped_column(EncryptedJSON)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChildVoice(Base):
    """What a child says and wishes, in their words, dated, with who heard it:
    the child's own voice in the file, kept like the timeline (a new row each
    time they are heard)."""

    __tablename__ = "child_voices"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"), index=True)
    heard_on: Mapped[date] = mapped_column(Date)
    # Who heard the child (a colleague, a teacher, a CAW worker): in words.
    heard_by: Mapped[str] = mapped_column(EncryptedText)
    said: Mapped[str] = mapped_column(EncryptedText)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseConsultation(Base):
    """A case consultation ("casusoverleg"): when, who took part for which
    organisation, on what legal basis, and what was decided."""

    __tablename__ = "case_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    # art_458ter, consent
    legal_basis: Mapped[str] = mapped_column(String(24))
    # [{"name": ..., "organisation": ...}]
    participants: Mapped[list] = mapped_column(EncryptedJSON)
    # [text, ...] in the order they were taken
    decisions: Mapped[list] = mapped_column(EncryptedJSON)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseAction(Base):
    """One action in the case's action plan: what, who (a staff member or a
    partner), by when, and how far it is. Status codes carry no personal data,
    so the home page and the figures can count overdue actions cheaply."""

    __tablename__ = "case_actions"
    # "Overdue" is status open or in progress with a due date before today: the
    # home page and the figures ask it of every action, so one index serves both.
    # One centre's overdue actions: from its open files to their due actions,
    # counted and ranked (whose first) from the index alone, without reading
    # the actions themselves.
    __table_args__ = (
        Index(
            "ix_case_actions_centre_overdue",
            "centre_id",
            "status",
            "due_on",
            "owner_staff_id",
            "id",
        ),
        Index(
            "ix_case_actions_case_overdue", "case_id", "status", "due_on", "owner_staff_id", "id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # The file's centre, copied (set on insert, moved with a transfer): one
    # centre's overdue actions come from this index alone, not from a join
    # over every centre's open files (bench/scale.py, PostgreSQL).
    centre_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(EncryptedText)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    owner_partner_id: Mapped[int | None] = mapped_column(ForeignKey("case_partners.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    # open, in_progress, done, cancelled
    status: Mapped[str] = mapped_column(String(12), default="open")
    # Set when the action came from a decision of a case consultation.
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("case_consultations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The owning partner's short report on it (what was done, what is next).
    report: Mapped[str | None] = mapped_column(EncryptedText)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlannedConsultation(Base):
    """A case consultation still to come: the partners on the file confirm they
    will attend and send their contribution before it is held."""

    __tablename__ = "planned_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    planned_on: Mapped[date] = mapped_column(Date)
    # art_458ter, consent
    legal_basis: Mapped[str] = mapped_column(String(24))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationContribution(Base):
    """A partner member's answer to a planned consultation: attending or not,
    and what they bring to it."""

    __tablename__ = "consultation_contributions"
    __table_args__ = (UniqueConstraint("planned_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    planned_id: Mapped[int] = mapped_column(ForeignKey("planned_consultations.id"), index=True)
    case_partner_id: Mapped[int] = mapped_column(ForeignKey("case_partners.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    attending: Mapped[bool] = mapped_column(Boolean)
    contribution: Mapped[str | None] = mapped_column(EncryptedText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(CaseAction, "before_insert")
def _action_of_its_file_s_centre(_mapper, connection, action: CaseAction) -> None:
    if action.centre_id is None:
        action.centre_id = connection.scalar(
            select(Case.centre_id).where(Case.id == action.case_id)
        )
