from sqlalchemy import select

from cli import DEMO_EMAIL
from core.model import AuditEvent, Staff
from tests.conftest import TEST_PASSWORD
from web.db import db


def test_create_staff_reads_the_password_from_stdin_and_hashes_it_with_argon2id(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-staff",
            "Ann@FJC.example",
            "--name",
            "Ann Peeters",
            "--role",
            "case_director",
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.email == "ann@fjc.example"))
        assert staff.name == "Ann Peeters"
        assert staff.role == "case_director"
        assert staff.password_hash.startswith("$argon2id$")
        assert TEST_PASSWORD not in staff.password_hash
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "staff.created" in actions


def test_create_staff_refuses_an_existing_email_with_status_1(app):
    runner = app.test_cli_runner()
    args = ["create-staff", "ann@fjc.example", "--name", "Ann", "--role", "coordinator"]
    assert runner.invoke(args=args, input=TEST_PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=args, input=TEST_PASSWORD + "\n")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_create_staff_refuses_a_short_password_and_an_unknown_role(app):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["create-staff", "a@fjc.example", "--name", "A", "--role", "admin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 12" in short.output
    role = runner.invoke(
        args=["create-staff", "b@fjc.example", "--name", "B", "--role", "boss"],
        input=TEST_PASSWORD + "\n",
    )
    assert role.exit_code == 2
    with app.app_context():
        assert db.session.scalars(select(Staff)).all() == []


def test_seed_demo_prints_a_working_account_and_the_same_one_again(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.output == second.output
    password = first.output.split("password:")[1].strip()
    assert DEMO_EMAIL in first.output
    response = client.submit("/staff/login", {"email": DEMO_EMAIL, "password": password})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    # The demo partner member signs in with the same password (here, outside
    # development, it is then asked to set up two-step sign-in).
    assert "partner@fjc.example" in first.output
    partner = client.submit(
        "/partner/login", {"email": "partner@fjc.example", "password": password}
    )
    assert partner.headers["Location"] == "/partner/login/enrol"


def test_migrate_command_creates_the_centre(app):
    result = app.test_cli_runner().invoke(args=["migrate"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_migrate_loads_the_municipalities_from_the_centre_file(app_factory, tmp_path):
    import json

    from core.model import Municipality

    centre_file = tmp_path / "centre.json"
    centre_file.write_text(
        json.dumps(
            {
                "name": "Veilig Huis Test",
                "timezone": "Europe/Brussels",
                "municipalities": ["Lier", "Zemst"],
            }
        ),
        encoding="utf-8",
    )
    app = app_factory(FJC_CENTRE_FILE=str(centre_file))
    assert app.test_cli_runner().invoke(args=["migrate"]).exit_code == 0
    with app.app_context():
        active = db.session.scalars(
            select(Municipality.name).where(Municipality.active.is_(True))
        ).all()
    assert sorted(active) == ["Lier", "Zemst"], "the others stay, hidden from the forms"


def test_migrate_gives_the_query_planner_its_statistics(app):
    from sqlalchemy import text

    assert app.test_cli_runner().invoke(args=["migrate"]).exit_code == 0
    with app.app_context():
        if db.get_engine().dialect.name == "sqlite":
            analysed = db.session.scalar(text("SELECT count(*) FROM sqlite_stat1"))
        else:
            analysed = db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_user_tables"
                    " WHERE schemaname = current_schema() AND relname = 'intakes'"
                    " AND last_analyze IS NOT NULL"
                )
            )
    assert analysed
