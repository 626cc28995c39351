"""Server time of the triage queue page with 1,000 and 100,000 requests stored
(SQLite, the embedded default), most of them closed as in a real centre."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from bench.harness import bench_app, median_ms
from core.identity.staff import create_staff
from core.model import Centre, Intake, IntakeKind, IntakeStatus, Municipality
from web.db import db

SIZES = (1_000, 100_000)
OPEN_SHARE = 0.05  # one in twenty requests is still open
REPEAT = 20
PASSWORD = "bench password that is long enough"  # noqa: S105 - a throwaway bench account


def _fill(app, count: int) -> None:
    rng = random.Random(count)
    now = datetime.now(UTC)
    with app.app_context(), db.writing() as session:
        centre_id = session.scalar(select(Centre.id))
        municipalities = list(session.scalars(select(Municipality.id)))
        rows = []
        for n in range(count):
            is_open = rng.random() < OPEN_SHARE
            rows.append(
                {
                    "centre_id": centre_id,
                    "kind": rng.choice(list(IntakeKind)),
                    "status": IntakeStatus.NEW if is_open else IntakeStatus.CLOSED,
                    "priority": rng.choice((0, 0, 0, 20, 25, 40, 100)),
                    "language": rng.choice(("nl", "fr", "en", "ar")),
                    "municipality_id": rng.choice(municipalities),
                    "danger_now": False,
                    "return_code_key": f"bench-{count}-{n}",
                    "created_at": now - timedelta(hours=rng.uniform(0, 24 * 365)),
                }
            )
        session.execute(insert(Intake), rows)
        create_staff(
            session, email="bench@fjc.example", name="Bench", role="coordinator", password=PASSWORD
        )


def main() -> None:
    print(f"queue page server time, median and p90 of {REPEAT} requests (ms)")
    for count in SIZES:
        app = bench_app(WTF_CSRF_ENABLED=False)
        started = time.perf_counter()
        _fill(app, count)
        filled = time.perf_counter() - started
        client = app.test_client()
        login = client.post(
            "/staff/login", data={"email": "bench@fjc.example", "password": PASSWORD}
        )
        assert login.status_code == 302, login.status_code

        def page(path: str, client=client):
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        for label, path in (
            ("queue", "/staff/"),
            ("queue, page 3", "/staff/?page=3"),
            ("queue, one door", "/staff/?kind=referral"),
        ):
            median, p90 = median_ms(lambda path=path: page(path), REPEAT)
            print(f"  {count:>7} requests  {label:<16}{median:>8.1f}{p90:>8.1f}")
        print(f"  ({count} requests inserted in {filled:.1f} s)")


if __name__ == "__main__":
    main()
