"""The three-centre network of data/centres-example.json and what the
network tests build in it: staff of a centre, a request from a Leuven
municipality, a Leuven case file with everything a file can hold, a Leuven
with a row of every kind a route or an export of a centre names."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.casework import (
    actions,
    cases,
    child_voice,
    consultations,
    partner_access,
    partner_work,
    partners,
    people,
    risk,
    safety_plans,
    transfers,
)
from core.identity import accounts
from core.identity.staff import create_staff
from core.infra import clock
from core.infra.config import PROJECT_ROOT
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message, add_staff_reply
from core.model import (
    Case,
    CasePartner,
    Centre,
    Intake,
    IntakeKind,
    Municipality,
    PlannedConsultation,
    Staff,
    TriageOutcome,
)
from tests.conftest import TEST_PASSWORD

NETWORK_FILE = str(PROJECT_ROOT / "data" / "centres-example.json")
LEUVEN_NAME = "Family Justice Center Leuven"
MECHELEN_NAME = "Family Justice Center Mechelen"
PHONE = "0470 98 76 54"
STORY = "Mijn verhaal uit Leuven."
BRUSSELS = ZoneInfo("Europe/Brussels")
# The person behind every request of `leuven_of_everything`.
REQUESTER = "Lotte Leuvenaar"


def centre(session, slug: str) -> Centre:
    return session.scalar(select(Centre).where(Centre.slug == slug))


def staff_at(session, slug: str, role: str = "coordinator", name: str | None = None) -> Staff:
    return create_staff(
        session,
        email=f"{slug}-{role}-{secrets.token_hex(3)}@fjc.example",
        name=name or f"{role.title()} {slug.title()}",
        role=role,
        password=TEST_PASSWORD,
        centre_id=centre(session, slug).id,
    )


def request_in(session, municipality: str = "Leuven", **contact) -> Intake:
    """A contact request from a person in `municipality`, who may be called."""
    place = session.scalar(
        select(Municipality).where(Municipality.name == municipality, Municipality.active.is_(True))
    )
    intake, _ = submit(
        session,
        Submission(
            kind=IntakeKind.CONTACT,
            language="nl",
            municipality_id=place.id,
            contact=SafeContact(**{"name": "Sam", "phone": PHONE, "may_call": True, **contact}),
            story=STORY,
        ),
    )
    return intake


def _today() -> date:
    return clock.now().astimezone(BRUSSELS).date()


def partner_member(session, case: Case, partner: CasePartner, director: Staff, name: str) -> Staff:
    """An account of the file's centre for `partner`'s organisation, a member
    of that partner on the file."""
    member = accounts.create_partner_member(
        session,
        email=f"{partner.kind}-{secrets.token_hex(3)}@partner.example",
        name=name,
        organisation=partner.organisation,
        kind=partner.kind,
        password=TEST_PASSWORD,
        centre_id=case.centre_id,
    )
    partner_access.add_member(session, case, partner, member, director)
    return member


def answered_consultation(
    session, case: Case, director: Staff, member: Staff, today: date
) -> PlannedConsultation:
    """A consultation planned for today, to which `member` answered "Wij komen."."""
    planned = partner_work.plan_consultation(
        session, case, director, planned_on=today, legal_basis="art_458ter", today=today
    )
    access = partner_access.access_to(session, member, case.id)
    assert access is not None
    partner_work.contribute(
        session, access, member, planned, attending=True, contribution="Wij komen.", today=today
    )
    return planned


@dataclass(frozen=True)
class WholeFile:
    case_id: int
    intake_id: int
    director_id: int
    colleague_id: int
    partner_id: int
    member_id: int
    planned_id: int


def whole_leuven_file(session, coordinator: Staff) -> WholeFile:
    """A Leuven case file with a child, a safety plan, a risk assessment, an
    action owned by its case director, an invited colleague, a partner (the
    CAW, on a case consultation) with a member who answered a planned
    consultation."""
    director = staff_at(session, "leuven", "case_director", "Lien Leuven")
    colleague = staff_at(session, "leuven", "case_director", "Koen Leuven")
    intake = request_in(session)
    triage.decide(session, intake, director, outcome=TriageOutcome.TRACK_3)
    case = cases.open_case(session, [intake], director, track=TriageOutcome.TRACK_3)
    cases.add_member(session, case, colleague, director)
    year = clock.now().year
    people.add_person(
        session,
        case,
        director,
        people.PersonDetails(role="child", name="Noor", birth_year=str(year - 8)),
        year,
    )
    safety_plans.save(session, case, case.people[0], director, {"warning_signs": "Hij drinkt."})
    instrument = risk.current("fjc-risk")
    answers = {item.code: {"answer": "no", "source": "victim"} for item in instrument.items}
    risk.assess(session, case, director, instrument, answers, None, None)
    actions.add_action(
        session,
        case,
        director,
        title="Bel de school",
        owner=f"staff:{director.id}",
        due_on=None,
        zone=BRUSSELS,
    )
    partner = partners.add_partner(
        session,
        case,
        director,
        kind="caw",
        organisation="CAW Leuven",
        basis="case_consultation",
    )
    member = partner_member(session, case, partner, director, "Mia CAW")
    planned = answered_consultation(session, case, director, member, _today())
    session.flush()
    return WholeFile(
        case_id=case.id,
        intake_id=intake.id,
        director_id=director.id,
        colleague_id=colleague.id,
        partner_id=partner.id,
        member_id=member.id,
        planned_id=planned.id,
    )


@dataclass(frozen=True)
class LeuvenRows:
    """What `leuven_of_everything` made: the ids of its rows."""

    coordinator_id: int
    director_id: int
    colleague_id: int
    member_id: int
    waiting_id: int
    message_ids: tuple[int, int]
    in_file_id: int
    case_id: int
    victim_id: int
    child_id: int
    relation_id: int
    plan_id: int
    voice_id: int
    assessment_id: int
    police_id: int
    action_id: int
    planned_id: int
    offered_id: int


def leuven_of_everything(session) -> LeuvenRows:
    """A Leuven with a row of every kind: a coordinator; a request from Herent
    that waits, with a message each way; a case file (from Leuven) of its case
    director and a colleague, with a child related to the victim, a safety
    plan, a child's voice, a risk assessment, the police as a partner with a
    member, an action that partner owns, a consultation held and one planned
    that the member answered; a request (from Tienen) offered to Antwerpen.
    Every request is REQUESTER's."""
    today = _today()
    coordinator = staff_at(session, "leuven", "coordinator", "Lien Leuven")
    director = staff_at(session, "leuven", "case_director", "Lode Leuven")
    colleague = staff_at(session, "leuven", "case_director", "Koen Leuven")

    waiting = request_in(session, "Herent", name=REQUESTER)
    asked = add_requester_message(session, waiting, "Ik wil iets toevoegen.")
    replied = add_staff_reply(session, waiting, coordinator, "We bellen u morgen.")

    in_file = request_in(session, "Leuven", name=REQUESTER)
    triage.decide(session, in_file, director, outcome=TriageOutcome.TRACK_3)
    case = cases.open_case(session, [in_file], director, track=TriageOutcome.TRACK_3)
    cases.add_member(session, case, colleague, director)
    victim = case.people[0]
    child, relation = people.add_person(
        session,
        case,
        director,
        people.PersonDetails(role="child", name="Noor"),
        today.year,
        relation_kind="child",
        related_to=victim.id,
    )
    assert relation is not None
    plan = safety_plans.save(session, case, victim, director, {"safe_places": "Bij haar zus."})
    assert plan is not None
    voice = child_voice.record_voice(
        session,
        case,
        child,
        director,
        heard_on=today - timedelta(days=1),
        heard_by="Lode",
        said="Ik wil bij mama blijven.",
        today=today,
    )
    instrument = next(iter(risk.instruments().values()))
    answers = {item.code: {"answer": "unknown", "source": ""} for item in instrument.items}
    assessment = risk.assess(session, case, director, instrument, answers, None, None)
    police = partners.add_partner(
        session,
        case,
        director,
        kind="police",
        organisation="PZ Leuven",
        basis="case_consultation",
        scope=None,
        consent_given_at=None,
    )
    member = partner_member(session, case, police, director, "Pieter Politie Leuven")
    action = actions.add_action(
        session,
        case,
        director,
        title="Patrouille bij het huis",
        owner=f"partner:{police.id}",
        due_on=None,
        zone=BRUSSELS,
    )
    consultations.record_consultation(
        session,
        case,
        director,
        held_on=today,
        legal_basis="art_458ter",
        participants=[
            {"name": "Lode", "organisation": "FJC Leuven"},
            {"name": "Piet", "organisation": "PZ Leuven"},
        ],
        decisions=[consultations.Decision(text="De school spreken")],
        notes=None,
        today=today,
        zone=BRUSSELS,
    )
    planned = answered_consultation(session, case, director, member, today)
    offered = transfers.send(
        session,
        request_in(session, "Tienen", name=REQUESTER),
        centre(session, "antwerpen"),
        "Verhuisd.",
        coordinator,
    )
    session.flush()
    return LeuvenRows(
        coordinator_id=coordinator.id,
        director_id=director.id,
        colleague_id=colleague.id,
        member_id=member.id,
        waiting_id=waiting.id,
        message_ids=(asked.id, replied.id),
        in_file_id=in_file.id,
        case_id=case.id,
        victim_id=victim.id,
        child_id=child.id,
        relation_id=relation.id,
        plan_id=plan.id,
        voice_id=voice.id,
        assessment_id=assessment.id,
        police_id=police.id,
        action_id=action.id,
        planned_id=planned.id,
        offered_id=offered.id,
    )


def case_of_request(session, intake_id: int) -> Case | None:
    return cases.case_of(session, session.get(Intake, intake_id))
