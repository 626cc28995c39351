"""A centre after some years of work, generated: 100,000 requests and 20,000
case files with their people, partners, risk assessments, safety plans,
actions, consultations and timelines. Personal fields are encrypted as the app
would store them, so page times include decryption.

Rows are inserted in bulk with explicit ids (fast, and the files can point at
each other without reading back); on PostgreSQL the id sequences are moved past
them afterwards so the app can go on inserting."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from core.identity.staff import create_staff
from core.model import (
    Case,
    CaseAction,
    CaseConsultation,
    CaseEvent,
    CaseIntake,
    CaseMember,
    CasePartner,
    CasePerson,
    CaseRelation,
    Centre,
    Intake,
    IntakeKind,
    IntakeStatus,
    IntakeStatusChange,
    Municipality,
    RiskAssessment,
    SafetyPlan,
)

BATCH = 5_000
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway bench account
COORDINATOR_EMAIL = "coordinator@bench.example"
DIRECTOR_COUNT = 12
RISK_CODES = (
    "separation",
    "strangulation",
    "threats_to_kill",
    "weapons",
    "escalation",
    "stalking",
    "pregnancy",
    "children_present",
    "substance_abuse",
    "jealousy",
    "injuries",
    "isolation",
)


def _batches(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _insert(session: Session, model, rows: list[dict]) -> None:
    for batch in _batches(rows):
        session.execute(insert(model), batch)


def _staff(session: Session) -> tuple[int, list[int]]:
    coordinator = create_staff(
        session, email=COORDINATOR_EMAIL, name="Coordinator", role="coordinator", password=PASSWORD
    )
    directors = [
        create_staff(
            session,
            email=f"director{n}@bench.example",
            name=f"Case director {n}",
            role="case_director",
            password=PASSWORD,
        )
        for n in range(DIRECTOR_COUNT)
    ]
    session.flush()
    return coordinator.id, [d.id for d in directors]


def fill(session: Session, *, intakes: int, cases: int, seed: int = 1) -> dict[str, int]:
    """Generate the data set; the ids of a large open case file to look at."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    centre_id = session.scalar(select(Centre.id))
    municipalities = list(session.scalars(select(Municipality.id)))
    coordinator_id, directors = _staff(session)
    staff_ids = [coordinator_id, *directors]

    intake_rows, change_rows = [], []
    # The newest requests are still in the queue; the rest were handled.
    for n in range(1, intakes + 1):
        created = now - timedelta(hours=rng.uniform(0, 24 * 730))
        is_open = n > intakes - intakes // 50
        becomes_case = n <= cases
        contacted = None if is_open else created + timedelta(hours=rng.expovariate(1 / 30))
        decided = None if is_open else contacted + timedelta(hours=rng.expovariate(1 / 60))
        outcome = None
        if decided is not None:
            outcome = (
                rng.choice(("track_2", "track_3"))
                if becomes_case
                else rng.choice(("track_1", "out_of_scope", "could_not_reach"))
            )
        intake_rows.append(
            {
                "id": n,
                "centre_id": centre_id,
                "kind": rng.choice(list(IntakeKind)),
                "status": IntakeStatus.NEW if is_open else IntakeStatus.CLOSED,
                "priority": rng.choice((0, 0, 0, 20, 25, 40, 100)),
                "language": rng.choice(("nl", "nl", "nl", "fr", "en", "ar", "tr", "pl")),
                "municipality_id": rng.choice(municipalities),
                "children_involved": rng.choice(("yes", "no", "unknown", None)),
                "danger_now": False,
                "name": f"Person {n}",
                "phone": f"0470 {n:06d}",
                "story": "A story of some length, as people tell it. " * 6,
                "may_call": True,
                "return_code_key": f"bench-{n}",
                "created_at": created,
                "first_contact_at": contacted,
                "decided_at": decided,
                "closed_at": decided,
                "outcome": outcome,
                "assigned_to_id": None if is_open else rng.choice(staff_ids),
            }
        )
        if not is_open:
            for from_status, to_status, at in (
                (None, "new", created),
                ("new", "contact_attempted", contacted),
                ("contact_attempted", "decided", decided),
                ("decided", "closed", decided),
            ):
                change_rows.append(
                    {
                        "intake_id": n,
                        "from_status": from_status,
                        "to_status": to_status,
                        "created_at": at,
                    }
                )
    _insert(session, Intake, intake_rows)
    _insert(session, IntakeStatusChange, change_rows)

    tables: dict[type, list[dict]] = {
        model: []
        for model in (
            Case,
            CaseIntake,
            CasePerson,
            CaseRelation,
            CasePartner,
            CaseMember,
            RiskAssessment,
            SafetyPlan,
            CaseConsultation,
            CaseAction,
            CaseEvent,
        )
    }
    ids = {model: 0 for model in tables}

    def add(model, **row) -> int:
        ids[model] += 1
        row.setdefault("id", ids[model])
        tables[model].append(row)
        return row["id"]

    sequence_per_year: dict[int, int] = {}
    for n in range(1, cases + 1):
        intake = intake_rows[n - 1]
        opened = intake["decided_at"] or now
        year = opened.year
        sequence_per_year[year] = sequence_per_year.get(year, 0) + 1
        closed = rng.random() < 0.7
        closed_at = opened + timedelta(days=rng.uniform(20, 300)) if closed else None
        if closed_at and closed_at > now:
            closed, closed_at = False, None
        director = rng.choice(directors)
        case_id = add(
            Case,
            centre_id=centre_id,
            year=year,
            sequence=sequence_per_year[year],
            number=f"{year}-{sequence_per_year[year]:05d}",
            track=intake["outcome"] or "track_2",
            status="closed" if closed else "open",
            director_id=director,
            opened_at=opened,
            closed_at=closed_at,
            closure_reason=rng.choice(("goals_reached", "client_stopped", "moved", "referred"))
            if closed
            else None,
        )
        add(CaseIntake, id=None, case_id=case_id, intake_id=intake["id"])
        victim = add(
            CasePerson,
            case_id=case_id,
            role="victim",
            name=intake["name"],
            phone=intake["phone"],
            contact_safety="Call on weekdays before noon.",
            no_direct_contact=False,
        )
        harm = add(CasePerson, case_id=case_id, role="person_causing_harm", name="Ex partner")
        add(
            CaseRelation, case_id=case_id, person_id=harm, other_person_id=victim, kind="ex_partner"
        )
        for child in range(rng.choice((0, 0, 1, 2, 3))):
            child_id = add(
                CasePerson,
                case_id=case_id,
                role="child",
                name=f"Child {child}",
                birth_year=year - rng.randint(1, 16),
                school_contacts="School: the class teacher.",
            )
            add(
                CaseRelation,
                case_id=case_id,
                person_id=victim,
                other_person_id=child_id,
                kind="parent",
            )
        partners = [
            add(
                CasePartner,
                case_id=case_id,
                kind=kind,
                organisation=f"{kind} organisation",
                contact_name="Contact person",
                basis=rng.choice(("consent", "case_consultation")),
                consent_scope=["contact_details", "risk_assessment"],
                consent_given_at=opened,
                added_by_id=director,
                added_at=opened,
            )
            for kind in rng.sample(("police", "caw", "youth_care", "school", "doctor"), 2)
        ]
        if rng.random() < 0.2:
            add(CaseMember, case_id=case_id, staff_id=rng.choice(directors), added_at=opened)
        for _ in range(rng.choice((1, 1, 2))):
            answers = {
                code: {"answer": rng.choice(("yes", "no", "unknown")), "source": "victim"}
                for code in RISK_CODES
            }
            add(
                RiskAssessment,
                case_id=case_id,
                instrument_id="fjc-risk",
                instrument_version=1,
                answers=answers,
                score=rng.randint(0, 30),
                computed_level="elevated",
                judged_level="elevated",
                final_level="elevated",
                staff_id=director,
                created_at=opened,
            )
        add(
            SafetyPlan,
            case_id=case_id,
            person_id=victim,
            content={"warning_signs": "When he drinks.", "safe_places": "My sister's flat."},
            staff_id=director,
            created_at=opened,
        )
        consultation = None
        if rng.random() < 0.5:
            consultation = add(
                CaseConsultation,
                case_id=case_id,
                held_on=opened.date() + timedelta(days=14),
                legal_basis="art_458ter",
                participants=[{"name": "A", "organisation": "Police"}] * 4,
                decisions=["Decision one.", "Decision two."],
                created_by_id=director,
                created_at=opened,
            )
        for number in range(rng.randint(2, 5)):
            due: date = opened.date() + timedelta(days=rng.randint(7, 120))
            add(
                CaseAction,
                case_id=case_id,
                title=f"Action {number}",
                owner_staff_id=director if number % 2 else None,
                owner_partner_id=None if number % 2 else partners[0],
                due_on=due,
                status="done" if closed or rng.random() < 0.5 else "open",
                consultation_id=consultation if number == 0 else None,
                created_by_id=director,
                created_at=opened,
            )
        for action in ("case.opened", "case.partner_added", "case.risk_assessed"):
            add(CaseEvent, case_id=case_id, staff_id=director, action=action, created_at=opened)

    # The largest open file is the one a case director would find slowest.
    open_cases = [row["id"] for row in tables[Case] if row["status"] == "open"]
    people_per_case: dict[int, int] = {}
    for row in tables[CasePerson]:
        people_per_case[row["case_id"]] = people_per_case.get(row["case_id"], 0) + 1
    largest = max(open_cases, key=lambda case_id: people_per_case[case_id])

    for model, rows in tables.items():
        if model is CaseIntake:
            for row in rows:
                row.pop("id")
        _insert(session, model, rows)
    _move_sequences(session, [Intake, *[m for m in tables if m is not CaseIntake]])
    return {
        "case_id": largest,
        "cases": cases,
        "intakes": intakes,
        "rows": len(intake_rows) + len(change_rows) + sum(len(r) for r in tables.values()),
    }


def _move_sequences(session: Session, models: list) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table names from the models
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def director_emails() -> list[str]:
    return [f"director{n}@bench.example" for n in range(DIRECTOR_COUNT)]
