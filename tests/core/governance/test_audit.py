from sqlalchemy import text

from core.governance import audit
from web.db import db


def _three_events(app):
    with app.app_context(), db.writing() as session:
        for action in ("staff.login", "intake.viewed", "staff.logout"):
            audit.record(session, action, target_type="intake", target_id=1)


def test_an_untouched_chain_verifies(app):
    _three_events(app)
    with app.app_context(), db.writing() as session:
        assert audit.verify(session) == []


def test_a_changed_event_is_detected(app):
    _three_events(app)
    with app.app_context():
        with db.writing() as session:
            session.execute(
                text("UPDATE audit_events SET target_id = 2 WHERE action = 'intake.viewed'")
            )
        with db.writing() as session:
            problems = audit.verify(session)
    assert len(problems) == 1 and "changed" in problems[0]


def test_a_deleted_event_is_detected(app):
    _three_events(app)
    with app.app_context():
        with db.writing() as session:
            session.execute(text("DELETE FROM audit_events WHERE action = 'intake.viewed'"))
        with db.writing() as session:
            problems = audit.verify(session)
    assert problems and "removed" in problems[0]


def test_audit_verify_command_exits_1_on_tampering(app):
    _three_events(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    with app.app_context(), db.writing() as session:
        session.execute(text("UPDATE audit_events SET action = 'x' WHERE action = 'staff.login'"))
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1


def test_staff_actions_over_http_are_chained_and_a_change_is_found(app, client, signed_in):
    signed_in("admin")
    client.get("/staff/admin/audit")
    client.submit("/staff/logout", {}, form_page="/staff/account")
    with app.app_context(), db.writing() as session:
        actions = session.execute(text("SELECT action FROM audit_events ORDER BY id")).scalars()
        assert list(actions) == ["staff.login", "audit.viewed", "staff.logout"]
        assert audit.verify(session) == []
        session.execute(
            text("UPDATE audit_events SET actor_id = NULL WHERE action = 'staff.logout'")
        )
    with app.app_context(), db.writing() as session:
        assert audit.verify(session)
