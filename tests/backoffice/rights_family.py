"""A family's case file with something in every part, for the access-request
tests: the victim Sam (her request with her story, numbers, safe word and
municipality, a message, her safety plan, her risk answers), the person
causing harm Tom, a child, a partner organisation whose name says where she
is, an action and a partner's note. Every value the person causing harm must
never see is a constant here, so the tests can look for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from core.casework import actions, cases, partners, people, risk, safety_plans
from core.casework.actions import Owner
from core.infra import clock
from core.intake import mailbox, triage
from core.intake.intakes import SafeContact, Submission, submit
from core.model import Case, CaseEvent, IntakeKind, Staff, TriageOutcome
from core.network.centres import active_municipalities, default_centre

VICTIM_NAME = "Sam Peeters"
VICTIM_PHONE = "0470 12 34 56"
VICTIM_EMAIL = "sam.peeters@example.be"
VICTIM_SAFE_WORD = "zonnebloem"
VICTIM_STORY = "Tom sloeg me in de keuken. Ik slaap nu bij mijn zus."
VICTIM_MESSAGE = "Mijn nieuwe nummer is 0468 55 44 33."
VICTIM_ADDRESS = "Kerkstraat 5, 3500 Hasselt"
SAFE_PLACE = f"Bij mijn zus, {VICTIM_ADDRESS}"
VICTIM_NOTE = f"Verhuisd naar {VICTIM_ADDRESS}."
REFUGE = "Vluchthuis De Schuilplaats"
HARM_NAME = "Tom Janssens"
HARM_PHONE = "0485 11 22 33"
HARM_NOTE = "Kwam op 3 maart naar het onthaal."
CHILD_NAME = "Noor"
SCHOOL = "Basisschool De Klimop, juf Els"
ACTION_TITLE = "Opvangplaats regelen in het vluchthuis"
PARTNER_NOTE = "Sam belde ons vanuit het vluchthuis."
# What a copy for Tom must never hold.
NEVER_FOR_HARM = (
    VICTIM_NAME,
    VICTIM_PHONE,
    VICTIM_EMAIL,
    VICTIM_SAFE_WORD,
    VICTIM_STORY,
    VICTIM_MESSAGE,
    VICTIM_ADDRESS,
    REFUGE,
    SCHOOL,
    ACTION_TITLE,
    PARTNER_NOTE,
)


@dataclass(frozen=True)
class Family:
    case_id: int
    case_number: str
    intake_id: int
    victim_id: int
    harm_id: int
    child_id: int
    municipality: str


def family_file(session, staff: Staff) -> Family:
    centre = default_centre(session)
    municipality = active_municipalities(session, centre)[-1]
    intake, _code = submit(
        session,
        Submission(
            kind=IntakeKind.CONTACT,
            language="nl",
            contact=SafeContact(
                name=VICTIM_NAME,
                phone=VICTIM_PHONE,
                email=VICTIM_EMAIL,
                may_call=True,
                safe_word=VICTIM_SAFE_WORD,
            ),
            story=VICTIM_STORY,
            municipality_id=municipality.id,
        ),
    )
    mailbox.add_requester_message(session, intake, VICTIM_MESSAGE)
    triage.decide(session, intake, staff, outcome=TriageOutcome.TRACK_3)
    case = cases.open_case(session, [intake], staff, track=TriageOutcome.TRACK_3)
    victim = case.people[0]
    victim.notes = VICTIM_NOTE
    year = clock.now().year
    harm, _relation = people.add_person(
        session,
        case,
        staff,
        people.PersonDetails(
            role="person_causing_harm",
            name=HARM_NAME,
            phone=HARM_PHONE,
            no_direct_contact=True,
            notes=HARM_NOTE,
        ),
        year,
        relation_kind="ex_partner",
        related_to=victim.id,
    )
    child, _relation = people.add_person(
        session,
        case,
        staff,
        people.PersonDetails(
            role="child", name=CHILD_NAME, birth_year=str(year - 8), school_contacts=SCHOOL
        ),
        year,
    )
    safety_plans.save(session, case, victim, staff, {"safe_places": SAFE_PLACE})
    instrument = risk.current("fjc-risk")
    answers = {item.code: {"answer": "yes", "source": "victim"} for item in instrument.items}
    risk.assess(session, case, staff, instrument, answers, None, None)
    partners.add_partner(
        session, case, staff, kind="caw", organisation=REFUGE, basis="case_consultation"
    )
    actions.add_action(
        session,
        case,
        staff,
        title=ACTION_TITLE,
        owner=Owner(staff_id=staff.id).value,
        due_on=None,
        zone=UTC,
    )
    session.add(CaseEvent(case=case, staff_id=staff.id, action="partner.note", detail=PARTNER_NOTE))
    session.flush()
    return Family(
        case_id=case.id,
        case_number=session.get(Case, case.id).number,
        intake_id=intake.id,
        victim_id=victim.id,
        harm_id=harm.id,
        child_id=child.id,
        municipality=municipality.name,
    )
