import hashlib
import json
from pathlib import Path

from sqlalchemy import select, text

from core.governance import audit
from core.model import AuditEvent, Staff
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


def _rechain_without_the_key(session) -> None:
    """What an attacker with the database alone can do: change an event and
    recompute every hash with plain SHA-256, as the chain before FJC_AUDIT_KEY
    was made (so this also builds such an old chain)."""
    prev = audit.GENESIS_HASH
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.action == "intake.viewed":
            event.action = "x"
        event.prev_hash = prev
        event.hash = hashlib.sha256(audit._payload(prev, event)).hexdigest()
        prev = event.hash


def test_a_history_rechained_without_the_key_is_detected(app):
    _three_events(app)
    with app.app_context():
        with db.writing() as session:
            _rechain_without_the_key(session)
        with db.writing() as session:
            problems = audit.verify(session)
    assert len(problems) == 3 and all("changed" in problem for problem in problems)


def test_events_keyed_with_an_older_audit_key_still_verify(app_factory):
    old = app_factory(FJC_AUDIT_KEY=["old-audit-key"])
    _three_events(old)
    rotated = app_factory(FJC_AUDIT_KEY=["new-audit-key", "old-audit-key"])
    with rotated.app_context(), db.writing() as session:
        audit.record(session, "staff.login")
    with rotated.app_context(), db.writing() as session:
        assert audit.verify(session) == []
    without_old = app_factory(FJC_AUDIT_KEY=["new-audit-key"])
    with without_old.app_context(), db.writing() as session:
        assert len(audit.verify(session)) == 3


def test_cutting_off_the_newest_events_is_caught_by_the_anchor(app):
    _three_events(app)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["audit-verify"])
    assert first.exit_code == 0, first.output
    assert "audit trail intact: 3 events, 0 earlier anchors hold" in first.output
    with app.app_context(), db.writing() as session:
        # The newest events: the last one before the anchor, and the anchor's own.
        newest = session.scalar(text("SELECT id FROM audit_events WHERE action = 'staff.logout'"))
        session.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": newest})
        # What is left still chains: only the anchor can tell.
        assert audit.verify(session) == []
    second = runner.invoke(args=["audit-verify"])
    assert second.exit_code == 1
    assert "is missing: the trail was cut short" in second.output


def test_an_anchor_kept_in_the_operators_log_catches_a_deleted_anchor_file(app):
    _three_events(app)
    runner = app.test_cli_runner()
    output = runner.invoke(args=["audit-verify"]).output
    anchor_line = next(line for line in output.splitlines() if line.startswith("anchor: "))
    anchor_line = anchor_line.removeprefix("anchor: ")
    with app.app_context(), db.writing() as session:
        session.execute(text("DELETE FROM audit_events WHERE action = 'staff.logout'"))
    Path(app.config["FJC_AUDIT_ANCHOR_FILE"]).unlink()
    # Each anchor is an event too: the chain knows one is missing.
    missing = runner.invoke(args=["audit-verify"])
    assert missing.exit_code == 1 and "was removed or cut" in missing.output
    result = runner.invoke(args=["audit-verify", "--anchor", anchor_line])
    assert result.exit_code == 1 and "cut short" in result.output


def test_a_forged_anchor_is_refused(app):
    _three_events(app)
    runner = app.test_cli_runner()
    runner.invoke(args=["audit-verify"])
    anchor_file = Path(app.config["FJC_AUDIT_ANCHOR_FILE"])
    forged = json.loads(anchor_file.read_text().splitlines()[-1])
    forged["count"] = 2
    anchor_file.write_text(json.dumps(forged) + "\n")
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_a_rechained_history_differs_from_its_anchor(app):
    """Even someone holding the audit key cannot rewrite what was anchored."""
    _three_events(app)
    runner = app.test_cli_runner()
    runner.invoke(args=["audit-verify"])
    with app.app_context(), db.writing() as session:
        prev = audit.GENESIS_HASH
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            event.target_id = 9
            event.prev_hash, event.hash = prev, audit._event_hash(prev, event)
            prev = event.hash
    with app.app_context(), db.writing() as session:
        assert audit.verify(session) == []  # the key re-chained it
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "rewritten" in result.output


def test_a_chain_an_older_release_left_unkeyed_is_keyed_once_by_the_operator(app):
    _three_events(app)
    with app.app_context(), db.writing() as session:
        _rechain_without_the_key(session)  # the old format: plain SHA-256
        assert audit.verify(session)
    runner = app.test_cli_runner()
    assert "earlier events" not in runner.invoke(args=["migrate"]).output, "never on its own"
    result = runner.invoke(args=["audit-key-legacy"])
    assert "audit trail: 3 earlier events are now chained with FJC_AUDIT_KEY" in result.output
    with app.app_context(), db.writing() as session:
        assert audit.verify(session) == []
        actions = session.execute(text("SELECT action FROM audit_events ORDER BY id")).scalars()
        assert list(actions)[-1] == "audit.keyed"
    assert "nothing to key" in runner.invoke(args=["audit-key-legacy"]).output


def test_a_broken_legacy_chain_is_left_for_audit_verify_to_report(app):
    _three_events(app)
    with app.app_context(), db.writing() as session:
        _rechain_without_the_key(session)
        session.execute(text("DELETE FROM audit_events WHERE action = 'x'"))
    app.test_cli_runner().invoke(args=["audit-key-legacy"])
    with app.app_context(), db.writing() as session:
        assert any("removed" in problem for problem in audit.verify(session))


def test_a_history_rewritten_as_legacy_after_an_anchor_cannot_be_keyed(app):
    """Anyone with the database can write an unkeyed chain: once the trail is
    anchored, keying "legacy" events would launder a rewritten history."""
    _three_events(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit-verify"]).exit_code == 0
    with app.app_context(), db.writing() as session:
        audit.record(session, "intake.viewed", target_type="intake", target_id=5)
        audit.record(session, "intake.viewed", target_type="intake", target_id=6)
    with app.app_context(), db.writing() as session:
        session.execute(text("DELETE FROM audit_events WHERE target_id = 5"))
        _rechain_without_the_key(session)
    refused = runner.invoke(args=["audit-key-legacy"])
    assert refused.exit_code == 1 and "already anchored" in refused.output
    assert runner.invoke(args=["audit-verify"]).exit_code == 1


def test_an_older_audit_key_cannot_add_events_after_a_newer_one(app_factory):
    rotated = app_factory(FJC_AUDIT_KEY=["new-audit-key", "old-audit-key"])
    with rotated.app_context(), db.writing() as session:
        audit.record(session, "staff.login")
    leaked = app_factory(FJC_AUDIT_KEY=["old-audit-key"])
    with leaked.app_context(), db.writing() as session:
        audit.record(session, "staff.login")  # forged with the old, leaked key
    # The key ring is the process's (the last app made): the operator's again.
    operator = app_factory(FJC_AUDIT_KEY=["new-audit-key", "old-audit-key"])
    with operator.app_context(), db.writing() as session:
        problems = audit.verify(session)
    assert problems == [
        f"event {problems[0].split()[1].rstrip(':')}: "
        "keyed with an audit key older than one used before it"
    ]


def test_an_event_is_of_its_target_s_centre_and_moving_it_to_another_is_detected(app, make_staff):
    staff_id, _ = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        home = session.get(Staff, staff_id).centre_id
        event = audit.record(session, "staff.unlocked", target_type="staff", target_id=staff_id)
        installation = audit.record(session, "audit.anchored")
        assert (event.centre_id, installation.centre_id) == (home, None)
    with app.app_context():
        with db.writing() as session:
            assert audit.verify(session) == []
            session.execute(
                text("UPDATE audit_events SET centre_id = :other WHERE id = :id"),
                {"other": home + 1000, "id": event.id},
            )
        with db.writing() as session:
            problems = audit.verify(session)
    assert len(problems) == 1 and f"event {event.id}: its content was changed" in problems[0]


def test_an_appended_event_is_chained_like_a_recorded_one(app):
    """audit.append (a read's audit) writes the row record() would: chained
    onto the newest event, keyed, with its centre, and verified with them."""
    with app.app_context():
        with db.writing() as session:
            audit.record(session, "staff.login", actor_id=1)
        with db.writing() as session:
            audit.append(
                session, "intake.viewed", actor_id=1, target_type="intake", target_id=9, centre_id=3
            )
        with db.writing() as session:
            audit.record(session, "staff.logout", actor_id=1)
        with db.writing() as session:
            events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
            assert [e.action for e in events] == ["staff.login", "intake.viewed", "staff.logout"]
            assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
            assert (events[1].target_id, events[1].centre_id) == (9, 3)
            assert audit.verify(session) == []
