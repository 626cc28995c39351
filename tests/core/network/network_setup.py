"""The three-centre network of data/centres-example.json and what the
transfer tests build in it: staff of a centre, a request from a Leuven
municipality, a Leuven case file with everything a file can hold."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.casework import (
    actions,
    cases,
    partner_access,
    partner_work,
    partners,
    people,
    risk,
    safety_plans,
)
from core.identity import accounts
from core.identity.staff import create_staff
from core.infra import clock
from core.infra.config import PROJECT_ROOT
from core.intake import triage
from core.intake.intakes import SafeContact, Submission, submit
from core.model import Case, Centre, Intake, IntakeKind, Municipality, Staff, TriageOutcome
from tests.conftest import TEST_PASSWORD

NETWORK_FILE = str(PROJECT_ROOT / "data" / "centres-example.json")
LEUVEN_NAME = "Family Justice Center Leuven"
MECHELEN_NAME = "Family Justice Center Mechelen"
PHONE = "0470 98 76 54"
STORY = "Mijn verhaal uit Leuven."


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
    place = session.scalar(select(Municipality).where(Municipality.name == municipality))
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
        zone=ZoneInfo("Europe/Brussels"),
    )
    partner = partners.add_partner(
        session,
        case,
        director,
        kind="caw",
        organisation="CAW Leuven",
        basis="case_consultation",
    )
    member = accounts.create_partner_member(
        session,
        email=f"caw-{secrets.token_hex(3)}@partner.example",
        name="Mia CAW",
        organisation="CAW Leuven",
        kind="caw",
        password=TEST_PASSWORD,
        centre_id=centre(session, "leuven").id,
    )
    partner_access.add_member(session, case, partner, member, director)
    today = clock.now().astimezone(ZoneInfo("Europe/Brussels")).date()
    planned = partner_work.plan_consultation(
        session, case, director, planned_on=today, legal_basis="art_458ter", today=today
    )
    access = partner_access.access_to(session, member, case.id)
    assert access is not None
    partner_work.contribute(
        session, access, member, planned, attending=True, contribution="Wij komen.", today=today
    )
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


def case_of_request(session, intake_id: int) -> Case | None:
    return cases.case_of(session, session.get(Intake, intake_id))
