"""Access requests do not outlive what they are about: erasing a record (the
person's "delete my request", the purge, an erasure on request) deletes the
access items that point at it, and an answered request left with none
forgets the person's name and identity note. Answered requests themselves go
FJC_ACCESS_REQUEST_RETENTION_DAYS after the answer, through the same purge,
which leaves its non-identifying trace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.casework import cases
from core.governance.retention import erase_case, preview, purge
from core.governance.rights import access
from core.infra import clock
from core.infra.config import ConfigError, load_config
from core.intake import mailbox
from core.model import (
    AccessItem,
    AccessRequest,
    AccessStatus,
    AuditEvent,
    Case,
    Intake,
    PurgeTrace,
    Staff,
)
from core.network.centres import default_centre
from tests.backoffice import rights_family as fam
from tests.backoffice.helpers import staff_client
from web.db import db

IDENTITY_NOTE = "Rijbewijs getoond aan het onthaal"
DAYS = 1095


@pytest.fixture
def team(app, make_staff):
    """The family's file, its case director and two coordinators."""
    director = make_staff("case_director", name="Dirk")
    first = make_staff("coordinator", name="Ann")
    second = make_staff("coordinator", name="Bert")
    with app.app_context(), db.writing() as session:
        family = fam.family_file(session, session.get(Staff, director[0]))
    return family, director[0], first, second


def _request(session, coordinator_id: int, name: str, *, people=(), intakes=()) -> int:
    coordinator = session.get(Staff, coordinator_id)
    today = clock.now().date()
    request = access.register(
        session,
        default_centre(session).id,
        coordinator,
        access.Registration(name, today, "other", IDENTITY_NOTE, "nl"),
        today,
    )
    access.choose_records(session, request, coordinator, people, intakes)
    return request.id


def _released(session, request_id: int, first: int, second: int) -> None:
    request = session.get(AccessRequest, request_id)
    access.submit(session, request, session.get(Staff, first))
    access.approve(session, request, session.get(Staff, second))
    access.mark_released(session, request, session.get(Staff, second), "release=1 withhold=0")


def _items(session, request_id: int) -> int:
    return session.scalar(
        select(func.count(AccessItem.id)).where(AccessItem.request_id == request_id)
    )


def test_erasing_the_case_file_erases_the_items_and_the_answered_requests_forget_whom(app, team):
    family, director, (first, _e1), (second, _e2) = team
    with app.app_context(), db.writing() as session:
        hers = _request(session, first, fam.VICTIM_NAME, people=[family.victim_id])
        _released(session, hers, first, second)
        # His is still open when the file goes: the team must still answer him.
        his = _request(session, first, fam.HARM_NAME, people=[family.harm_id])
        assert _items(session, hers) and _items(session, his)
        case = session.get(Case, family.case_id)
        cases.close(session, case, session.get(Staff, director), "goals_reached", None)
        erase_case(session, case)
    with app.app_context(), db.writing() as session:
        for request_id in (hers, his):
            assert _items(session, request_id) == 0
        answered = session.get(AccessRequest, hers)
        assert answered.status == AccessStatus.RELEASED, "its dates and steps stay"
        assert (answered.subject_name, answered.identity_note, answered.subject_rows) == (
            None,
            None,
            None,
        )
        still_open = session.get(AccessRequest, his)
        assert still_open.subject_name == fam.HARM_NAME
        access.refuse(session, still_open, session.get(Staff, second), "excessive")
        assert (still_open.subject_name, still_open.identity_note) == (None, None)


def test_deleting_her_request_takes_its_items_while_the_file_keeps_her_named(app, team):
    family, _director, (first, _e1), (second, _e2) = team
    with app.app_context(), db.writing() as session:
        hers = _request(session, first, fam.VICTIM_NAME, people=[family.victim_id])
        _released(session, hers, first, second)
        mailbox.erase(session, session.get(Intake, family.intake_id))
    with app.app_context():
        left = db.session.scalars(select(AccessItem).where(AccessItem.request_id == hers)).all()
        assert left, "the case file is still there"
        assert all(item.intake_id != family.intake_id for item in left)
        # What the file had copied of her request (her name, phone, e-mail) went too.
        copied = {(i.source_id, i.field) for i in left if i.source == "case_people"}
        assert not copied & {(family.victim_id, f) for f in ("name", "phone", "email")}
        assert db.session.get(AccessRequest, hers).subject_name == fam.VICTIM_NAME


def test_an_answered_access_request_goes_after_its_retention_with_a_trace(app, team):
    family, _director, (first, _e1), (second, _e2) = team
    with app.app_context(), db.writing() as session:
        answered = _request(session, first, fam.VICTIM_NAME, people=[family.victim_id])
        _released(session, answered, first, second)
        still_open = _request(session, first, fam.HARM_NAME, people=[family.harm_id])
        released_at = session.get(AccessRequest, answered).released_at
        centre_id = default_centre(session).id
    assert app.config["FJC_ACCESS_REQUEST_RETENTION_DAYS"] == DAYS

    with app.app_context():
        soon = preview(
            db.session, app.config, centre_id, now=released_at + timedelta(days=DAYS - 10)
        )
        assert [(d.record, d.record_id) for d in soon.to_erase if d.record == "access"] == [
            ("access", answered)
        ]
    with app.app_context():
        early = purge(db.writing, app.config, now=released_at + timedelta(days=DAYS, seconds=-1))
    assert early.erased["access_requests"] == 0
    with app.app_context():
        report = purge(db.writing, app.config, now=released_at + timedelta(days=DAYS, seconds=1))
    assert report.erased["access_requests"] == 1
    with app.app_context():
        assert db.session.get(AccessRequest, answered) is None
        assert _items(db.session, answered) == 0
        assert db.session.get(AccessRequest, still_open) is not None, "an open one is kept"
        traces = db.session.scalars(select(PurgeTrace).where(PurgeTrace.record == "access")).all()
        assert [(t.centre_id, t.erased) for t in traces] == [(centre_id, 1)]
        # The audit trail keeps its steps, never the name.
        steps = db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.target_type == "access_request", AuditEvent.target_id == answered
            )
        ).all()
        assert steps and all(fam.VICTIM_NAME not in (d or "") for d in steps)


def test_the_retention_page_shows_an_access_request_the_purge_will_erase(app, team):
    family, _director, first, second = team
    with app.app_context(), db.writing() as session:
        answered = _request(session, first[0], fam.VICTIM_NAME, people=[family.victim_id])
        _released(session, answered, first[0], second[0])
        session.get(AccessRequest, answered).released_at = clock.now() - timedelta(days=DAYS - 5)
    page = staff_client(app, first).get("/staff/rights/retention")
    links = [a for a in page.page.iter("a") if a.get("href") == f"/staff/rights/access/{answered}"]
    assert [" ".join("".join(a.itertext()).split()) for a in links] == [
        f"Access request #{answered}"
    ]


def test_the_purge_command_names_the_setting_and_a_bad_value_stops_the_app(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"access_requests: 0 would be erased (FJC_ACCESS_REQUEST_RETENTION_DAYS={DAYS})" in (
        result.output
    )
    secret = {"FJC_SECRET_KEY": "x" * 32}
    assert load_config(secret, {"INSTANCE_DIR": tmp_path})["FJC_ACCESS_REQUEST_RETENTION_DAYS"]
    with pytest.raises(ConfigError, match="FJC_ACCESS_REQUEST_RETENTION_DAYS"):
        load_config(
            {**secret, "FJC_ACCESS_REQUEST_RETENTION_DAYS": "0"}, {"INSTANCE_DIR": tmp_path}
        )
