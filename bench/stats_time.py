"""Server time of the figures (/staff/stats and its CSV) with 100,000 requests,
their status changes and 20,000 case files stored (SQLite, the embedded
default), and the time of the core query alone."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from bench.harness import bench_app, median_ms
from core.identity.staff import create_staff
from core.model import (
    Case,
    CaseAction,
    CasePerson,
    Intake,
    IntakeKind,
    IntakeStatus,
    IntakeStatusChange,
    Municipality,
    Staff,
)
from core.network.centres import default_centre
from core.reporting import stats
from web.casefile.centre import centre_zone
from web.db import db

INTAKES = 100_000
CASES = 20_000
DIRECTORS = 20
REPEAT = 10
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway bench account


def _intake_rows(rng, centre_id, municipalities, now):
    for n in range(INTAKES):
        created = now - timedelta(hours=rng.uniform(0, 24 * 395))
        contacted = (
            created + timedelta(hours=rng.expovariate(1 / 20)) if rng.random() < 0.8 else None
        )
        decided = created + timedelta(days=rng.expovariate(1 / 5)) if rng.random() < 0.7 else None
        yield {
            "centre_id": centre_id,
            "kind": rng.choice(list(IntakeKind)),
            "status": IntakeStatus.CLOSED if decided else IntakeStatus.IN_PROGRESS,
            "priority": 0,
            "language": rng.choice(("nl", "nl", "nl", "fr", "en", "ar", "tr", "pl")),
            "municipality_id": rng.choice(municipalities),
            "children_involved": rng.choice(("yes", "no", "unknown", None)),
            "danger_now": False,
            "return_code_key": f"bench-stats-{n}",
            "created_at": created,
            "first_contact_at": contacted,
            "decided_at": decided,
            "closed_at": decided,
        }


def _fill(app) -> None:
    rng = random.Random(11)
    now = datetime.now(UTC)
    with app.app_context(), db.writing() as session:
        centre_id = default_centre(session).id
        municipalities = list(session.scalars(select(Municipality.id)))
        rows = list(_intake_rows(rng, centre_id, municipalities, now))
        session.execute(insert(Intake), rows)
        ids = list(session.scalars(select(Intake.id).order_by(Intake.id)))
        changes = []
        for intake_id, row in zip(ids, rows, strict=True):
            changes.append(
                {"intake_id": intake_id, "to_status": "new", "created_at": row["created_at"]}
            )
            if row["first_contact_at"]:
                changes.append(
                    {
                        "intake_id": intake_id,
                        "from_status": "new",
                        "to_status": "in_progress",
                        "created_at": row["first_contact_at"],
                    }
                )
            if row["decided_at"]:
                changes.append(
                    {
                        "intake_id": intake_id,
                        "to_status": "closed",
                        "created_at": row["decided_at"],
                    }
                )
        session.execute(insert(IntakeStatusChange), changes)
        create_staff(
            session, email="coord@fjc.example", name="Coord", role="coordinator", password=PASSWORD
        )
        create_staff(
            session,
            email="cd@fjc.example",
            name="Director",
            role="case_director",
            password=PASSWORD,
        )
        for n in range(DIRECTORS):
            create_staff(
                session,
                email=f"director-{n}@fjc.example",
                name=f"Director {n}",
                role="case_director",
                password=PASSWORD,
            )
        directors = list(session.scalars(select(Staff.id).where(Staff.role == "case_director")))
        cases = []
        for n in range(CASES):
            opened = now - timedelta(hours=rng.uniform(0, 24 * 730))
            closed = opened + timedelta(days=rng.uniform(20, 300))
            is_closed = closed < now and rng.random() < 0.8
            cases.append(
                {
                    "centre_id": centre_id,
                    "year": opened.year,
                    "sequence": n + 1,
                    "number": f"B-{n + 1:06d}",
                    "track": rng.choice(("track_2", "track_3")),
                    "status": "closed" if is_closed else "open",
                    "director_id": rng.choice(directors),
                    "opened_at": opened,
                    "closed_at": closed if is_closed else None,
                    "closure_reason": (
                        rng.choice(
                            ("goals_reached", "client_stopped", "moved", "referred", "other")
                        )
                        if is_closed
                        else None
                    ),
                }
            )
        session.execute(insert(Case), cases)
        case_ids = list(session.scalars(select(Case.id)))
        session.execute(
            insert(CasePerson),
            [{"case_id": c, "role": "child"} for c in case_ids if rng.random() < 0.5],
        )
        today = now.date()
        session.execute(
            insert(CaseAction),
            [
                {
                    "case_id": c,
                    "title": "Bench",
                    "status": rng.choice(("open", "in_progress", "done", "cancelled")),
                    "due_on": today + timedelta(days=rng.randint(-60, 60)),
                }
                for c in case_ids
                for _ in range(2)
            ],
        )


def main() -> None:
    app = bench_app(WTF_CSRF_ENABLED=False)
    started = time.perf_counter()
    _fill(app)
    filled = time.perf_counter() - started
    print(f"figures server time, median and p90 of {REPEAT} requests (ms)")
    print(f"  ({INTAKES} requests, {CASES} case files inserted in {filled:.1f} s)")

    def measure(label: str, action) -> None:
        action()  # warm caches, as a running server has them
        median, p90 = median_ms(action, REPEAT)
        print(f"  {label:<34}{median:>8.1f}{p90:>8.1f}")

    with app.app_context():
        zone = centre_zone()
        today = datetime.now(zone).date()
        period = stats.default_period(today)
        centre_id = default_centre(db.session).id

        def compute():
            return stats.compute(
                db.session,
                period,
                zone=zone,
                today=today,
                centre_id=centre_id,
                first_contact_target=timedelta(hours=24),
                decision_target=timedelta(days=7),
            )

        measure("core: stats.compute (13 months)", compute)
        measure(
            "core: compute + suppress + csv rows",
            lambda: stats.csv_rows(compute().suppressed(5), 5),
        )

    for email, label in (("coord@fjc.example", "coordinator"), ("cd@fjc.example", "case director")):
        client = app.test_client()
        login = client.post("/staff/login", data={"email": email, "password": PASSWORD})
        assert login.status_code == 302, login.status_code

        def page(path: str, client=client):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        measure(f"page /staff/stats ({label})", lambda page=page: page("/staff/stats"))
        if label == "coordinator":
            measure("csv /staff/stats.csv", lambda page=page: page("/staff/stats.csv"))


if __name__ == "__main__":
    main()
