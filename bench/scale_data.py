"""A network of centres after some years of work, generated: for each centre
100,000 requests and 20,000 case files with their people, partners, risk
assessments, safety plans, actions, consultations, timelines and audit trail.
Personal fields are encrypted as the app would store them, so page times
include decryption.

The centres' rows are interleaved (request 1 of every centre, then request 2
of every centre...), as years of work in one installation would leave them: a
query that scans the whole table and filters on the centre is as slow here as
it would be in production, not hidden by one centre's rows lying together.

Rows are inserted in bulk with explicit ids, a few thousand requests at a time
(fast, memory stays flat, and the files can point at each other without reading
back); on PostgreSQL the id sequences are moved past them afterwards so the app
can go on inserting."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnDefault, Table, insert, select, text
from sqlalchemy.orm import Session

from core.identity import passwords
from core.identity.staff import create_staff, new_account
from core.model import (
    AuditEvent,
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

# Requests generated (for every centre) before the rows go to the database.
CHUNK = 1_000
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway bench account
# The centre whose pages are measured, and its coordinator (signed in there).
MEASURED = "mechelen"
COORDINATOR_EMAIL = f"coordinator@{MEASURED}.bench.example"
DIRECTOR_COUNT = 12
# The nine Flemish centres, the measured one first so that any FJC_BENCH_CENTRES
# includes it. A few municipalities each (Mechelen: its region, as in
# data/centre.json): enough for routing and the queue's filter, not a map.
CENTRES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "mechelen",
        (
            "Berlaar",
            "Bonheiden",
            "Bornem",
            "Duffel",
            "Heist-op-den-Berg",
            "Lier",
            "Mechelen",
            "Nijlen",
            "Putte",
            "Puurs-Sint-Amands",
            "Sint-Katelijne-Waver",
            "Willebroek",
        ),
    ),
    ("antwerpen", ("Antwerpen", "Brasschaat", "Kapellen", "Schoten")),
    ("geel", ("Geel", "Herentals", "Mol", "Turnhout")),
    ("hasselt", ("Genk", "Hasselt", "Sint-Truiden", "Tongeren")),
    ("leuven", ("Aarschot", "Herent", "Leuven", "Tienen")),
    ("halle", ("Asse", "Dilbeek", "Halle", "Vilvoorde")),
    ("gent", ("Aalst", "Eeklo", "Gent", "Lokeren")),
    ("kortrijk", ("Ieper", "Kortrijk", "Roeselare", "Waregem")),
    ("oostende", ("Brugge", "Knokke-Heist", "Oostende", "Veurne")),
)
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
# Parents first: a chunk's rows are inserted in this order, so every foreign
# key points at a row that is already there (PostgreSQL checks at once).
MODELS = (
    Intake,
    IntakeStatusChange,
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
    AuditEvent,
)
# Tables whose rows take the database's ids (nothing points at them).
DATABASE_IDS = (IntakeStatusChange, CaseIntake)


def centre_file(count: int) -> dict:
    """The centre file (FJC_CENTRE_FILE) of a network of `count` centres."""
    if not 1 <= count <= len(CENTRES):
        raise ValueError(f"FJC_BENCH_CENTRES must be 1 to {len(CENTRES)}, not {count}")
    return {
        "default_centre": MEASURED,
        "cross_centre_matching": True,
        "centres": [
            {
                "slug": slug,
                "name": f"Family Justice Center {slug.title()}",
                "timezone": "Europe/Brussels",
                "opening_hours": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu")},
                "municipalities": list(municipalities),
            }
            for slug, municipalities in CENTRES[:count]
        ],
    }


def write_centre_file(path: Path, count: int) -> Path:
    path.write_text(json.dumps(centre_file(count), indent=2), encoding="utf-8")
    return path


@dataclass
class _CentreState:
    """What the generator keeps of one centre between its requests."""

    centre: Centre
    municipalities: list[int]
    coordinator_id: int
    directors: list[int]

    @property
    def staff_ids(self) -> list[int]:
        return [self.coordinator_id, *self.directors]


class _Rows:
    """Rows waiting to be inserted, per table, with the next explicit id."""

    def __init__(self, session: Session):
        self.session = session
        self.waiting: dict[type, list[dict]] = {model: [] for model in MODELS}
        self.ids = dict.fromkeys(MODELS, 0)
        self.total = 0
        # Case numbers: the year's sequence runs over the whole network, as
        # in core.casework.cases.
        self.sequence_per_year: dict[int, int] = {}

    def add(self, model, **row) -> int:
        if model not in DATABASE_IDS:
            self.ids[model] += 1
            row["id"] = self.ids[model]
        self.waiting[model].append(row)
        return row.get("id", 0)

    def flush(self) -> None:
        for model in MODELS:
            # One executemany per set of columns given: the ORM's bulk insert
            # would split the rows at every change of which values are None,
            # into thousands of small statements.
            by_columns: dict[frozenset[str], list[dict]] = {}
            for row in self.waiting[model]:
                by_columns.setdefault(frozenset(row), []).append(row)
            table = model.__table__  # type: ignore[attr-defined]
            for rows in by_columns.values():
                if self.session.get_bind().dialect.name == "postgresql":
                    _copy(self.session, table, rows)
                else:
                    self.session.execute(insert(table), rows)
                self.total += len(rows)
            self.waiting[model] = []


def _copy(session: Session, table: Table, rows: list[dict]) -> None:
    """COPY the rows into a PostgreSQL table: far less work for the server
    than an INSERT per row. The values go through the columns' types as in an
    INSERT (encryption, JSON, UTC); a column not given takes its default."""
    dialect = session.get_bind().dialect
    given = [column for column in table.columns if column.key in rows[0]]
    defaults = {
        column.key: column.default.arg if column.default.is_scalar else column.default.arg(None)
        for column in table.columns
        if column.key not in rows[0] and isinstance(column.default, ColumnDefault)
    }
    columns = given + [column for column in table.columns if column.key in defaults]
    processors = [column.type._cached_bind_processor(dialect) for column in columns]
    names = ", ".join(f'"{column.name}"' for column in columns)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = (row.get(column.key, defaults.get(column.key)) for column in columns)
            copy.write_row(
                [
                    value if process is None else process(value)
                    for value, process in zip(values, processors, strict=True)
                ]
            )


def _staff(session: Session, centres: list[Centre]) -> dict[int, tuple[int, list[int]]]:
    """A coordinator and case directors per centre. Only the measured
    coordinator signs in; the others share one password hash (hashing is slow
    on purpose)."""
    shared_hash = passwords.hash_password(PASSWORD)
    staff: dict[int, tuple[int, list[int]]] = {}
    for centre in centres:
        domain = f"{centre.slug}.bench.example"
        if centre.slug == MEASURED:
            coordinator = create_staff(
                session,
                email=COORDINATOR_EMAIL,
                name="Coordinator",
                role="coordinator",
                password=PASSWORD,
                centre_id=centre.id,
            )
        else:
            coordinator = new_account(
                session,
                email=f"coordinator@{domain}",
                name="Coordinator",
                role="coordinator",
                password_hash=shared_hash,
                centre_id=centre.id,
            )
        directors = [
            new_account(
                session,
                email=f"director{n}@{domain}",
                name=f"Case director {n}",
                role="case_director",
                password_hash=shared_hash,
                centre_id=centre.id,
            ).id
            for n in range(DIRECTOR_COUNT)
        ]
        staff[centre.id] = (coordinator.id, directors)
    session.flush()
    return staff


def fill(session: Session, *, intakes: int, cases: int, seed: int = 1) -> dict[str, int]:
    """Generate `intakes` requests and `cases` case files for every active
    centre; the measured centre's id and the id of its largest open file."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    centres = list(session.scalars(select(Centre).where(Centre.active).order_by(Centre.id)))
    staff = _staff(session, centres)
    states = [
        _CentreState(
            centre=centre,
            municipalities=list(
                session.scalars(select(Municipality.id).where(Municipality.centre_id == centre.id))
            ),
            coordinator_id=staff[centre.id][0],
            directors=staff[centre.id][1],
        )
        for centre in centres
    ]
    measured = next(state for state in states if state.centre.slug == MEASURED)
    rows = _Rows(session)
    largest: tuple[int, int] = (-1, 0)  # (people, case id) of the measured centre
    for n in range(1, intakes + 1):
        for state in states:
            intake = _intake(rows, rng, state, n, intakes=intakes, cases=cases, now=now)
            if n <= cases:
                case_id, people, is_open = _case(rows, rng, state, intake, now=now)
                if state is measured and is_open and people > largest[0]:
                    largest = (people, case_id)
        if n % CHUNK == 0:
            rows.flush()
    rows.flush()
    _installation_events(rows, now, count=max(1, intakes // 1_000))
    rows.flush()
    _move_sequences(session, [m for m in MODELS if m not in DATABASE_IDS])
    return {
        "centre_id": measured.centre.id,
        "case_id": largest[1],
        "centres": len(states),
        "cases": cases,
        "intakes": intakes,
        "rows": rows.total,
    }


def _audit(rows: _Rows, action: str, actor: int, target: str, target_id: int, centre: int):
    # Hashes that are unique but chain nothing: the bench never verifies the trail.
    number = rows.ids[AuditEvent] + 1
    rows.add(
        AuditEvent,
        created_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=number * 60),
        actor_id=actor,
        action=action,
        target_type=target,
        target_id=target_id,
        centre_id=centre,
        prev_hash=f"{number - 1:064x}",
        hash=f"{number:064x}",
    )


def _installation_events(rows: _Rows, now: datetime, count: int) -> None:
    """Events of no centre (an operator's command), which every centre's audit page lists."""
    for _ in range(count):
        number = rows.ids[AuditEvent] + 1
        rows.add(
            AuditEvent,
            created_at=now,
            action="retention.purged",
            prev_hash=f"{number - 1:064x}",
            hash=f"{number:064x}",
        )


def _intake(
    rows: _Rows,
    rng: random.Random,
    state: _CentreState,
    n: int,
    *,
    intakes: int,
    cases: int,
    now: datetime,
) -> dict:
    """Request `n` of a centre (its row): the newest are still in the queue,
    the rest were handled."""
    created = now - timedelta(hours=rng.uniform(0, 24 * 730))
    is_open = n > intakes - intakes // 50
    becomes_case = n <= cases
    contacted = decided = outcome = None
    if not is_open:
        contacted = created + timedelta(hours=rng.expovariate(1 / 30))
        decided = contacted + timedelta(hours=rng.expovariate(1 / 60))
        outcome = (
            rng.choice(("track_2", "track_3"))
            if becomes_case
            else rng.choice(("track_1", "out_of_scope", "could_not_reach"))
        )
    number = rows.ids[Intake] + 1
    intake_id = rows.add(
        Intake,
        centre_id=state.centre.id,
        kind=rng.choice(list(IntakeKind)),
        status=IntakeStatus.NEW if is_open else IntakeStatus.CLOSED,
        priority=rng.choice((0, 0, 0, 20, 25, 40, 100)),
        language=rng.choice(("nl", "nl", "nl", "fr", "en", "ar", "tr", "pl")),
        municipality_id=rng.choice(state.municipalities),
        children_involved=rng.choice(("yes", "no", "unknown", None)),
        danger_now=False,
        name=f"Person {number}",
        phone=f"0470 {number:07d}",
        story="A story of some length, as people tell it. " * 6,
        may_call=True,
        return_code_key=f"bench-{number}",
        created_at=created,
        first_contact_at=contacted,
        decided_at=decided,
        closed_at=decided,
        outcome=outcome,
        assigned_to_id=None if is_open else rng.choice(state.staff_ids),
    )
    if contacted is not None and decided is not None:
        for from_status, to_status, at in (
            (None, "new", created),
            ("new", "contact_attempted", contacted),
            ("contact_attempted", "decided", decided),
            ("decided", "closed", decided),
        ):
            rows.add(
                IntakeStatusChange,
                intake_id=intake_id,
                from_status=from_status,
                to_status=to_status,
                created_at=at,
            )
    _audit(rows, "intake.viewed", state.coordinator_id, "intake", intake_id, state.centre.id)
    return rows.waiting[Intake][-1]


def _case(
    rows: _Rows, rng: random.Random, state: _CentreState, intake: dict, *, now: datetime
) -> tuple[int, int, bool]:
    """A case file opened from a request: its id, how many people, whether open."""
    opened = intake["decided_at"] or now
    year = opened.year
    sequence = rows.sequence_per_year.get(year, 0) + 1
    rows.sequence_per_year[year] = sequence
    closed = rng.random() < 0.7
    closed_at = opened + timedelta(days=rng.uniform(20, 300)) if closed else None
    if closed_at and closed_at > now:
        closed, closed_at = False, None
    director = rng.choice(state.directors)
    case_id = rows.add(
        Case,
        centre_id=state.centre.id,
        year=year,
        sequence=sequence,
        number=f"{year}-{sequence:04d}",
        track=intake["outcome"] or "track_2",
        status="closed" if closed else "open",
        director_id=director,
        opened_at=opened,
        closed_at=closed_at,
        closure_reason=rng.choice(("goals_reached", "client_stopped", "moved", "referred"))
        if closed
        else None,
    )
    rows.add(CaseIntake, case_id=case_id, intake_id=intake["id"])
    victim = rows.add(
        CasePerson,
        case_id=case_id,
        role="victim",
        name=intake["name"],
        phone=intake["phone"],
        contact_safety="Call on weekdays before noon.",
        no_direct_contact=False,
    )
    harm = rows.add(CasePerson, case_id=case_id, role="person_causing_harm", name="Ex partner")
    rows.add(
        CaseRelation, case_id=case_id, person_id=harm, other_person_id=victim, kind="ex_partner"
    )
    children = rng.choice((0, 0, 1, 2, 3))
    for child in range(children):
        child_id = rows.add(
            CasePerson,
            case_id=case_id,
            role="child",
            name=f"Child {child}",
            birth_year=year - rng.randint(1, 16),
            school_contacts="School: the class teacher.",
        )
        rows.add(
            CaseRelation,
            case_id=case_id,
            person_id=victim,
            other_person_id=child_id,
            kind="parent",
        )
    partners = _partners(rows, rng, case_id, director, opened)
    if rng.random() < 0.2:
        rows.add(CaseMember, case_id=case_id, staff_id=rng.choice(state.directors), added_at=opened)
    _risk_and_plan(rows, rng, case_id, victim, director, opened)
    _consultation_and_actions(
        rows, rng, case_id, state.centre.id, director, opened, partners, closed=closed
    )
    for action in ("case.opened", "case.partner_added", "case.risk_assessed"):
        rows.add(CaseEvent, case_id=case_id, staff_id=director, action=action, created_at=opened)
    _audit(rows, "case.opened", director, "case", case_id, state.centre.id)
    return case_id, 2 + children, not closed


def _partners(
    rows: _Rows, rng: random.Random, case_id: int, director: int, opened: datetime
) -> list[int]:
    return [
        rows.add(
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


def _risk_and_plan(
    rows: _Rows,
    rng: random.Random,
    case_id: int,
    victim: int,
    director: int,
    opened: datetime,
) -> None:
    for _ in range(rng.choice((1, 1, 2))):
        answers = {
            code: {"answer": rng.choice(("yes", "no", "unknown")), "source": "victim"}
            for code in RISK_CODES
        }
        rows.add(
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
    rows.add(
        SafetyPlan,
        case_id=case_id,
        person_id=victim,
        content={"warning_signs": "When he drinks.", "safe_places": "My sister's flat."},
        staff_id=director,
        created_at=opened,
    )


def _consultation_and_actions(
    rows: _Rows,
    rng: random.Random,
    case_id: int,
    centre_id: int,
    director: int,
    opened: datetime,
    partners: list[int],
    *,
    closed: bool,
) -> None:
    consultation = None
    if rng.random() < 0.5:
        consultation = rows.add(
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
        rows.add(
            CaseAction,
            case_id=case_id,
            centre_id=centre_id,
            title=f"Action {number}",
            owner_staff_id=director if number % 2 else None,
            owner_partner_id=None if number % 2 else partners[0],
            due_on=due,
            status="done" if closed or rng.random() < 0.5 else "open",
            consultation_id=consultation if number == 0 else None,
            created_by_id=director,
            created_at=opened,
        )


def _move_sequences(session: Session, models: Iterable[type]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__  # type: ignore[attr-defined]
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table names from the models
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def director_emails(slug: str = MEASURED) -> list[str]:
    return [f"director{n}@{slug}.bench.example" for n in range(DIRECTOR_COUNT)]
