"""The action plan: who may own an action, the due date, status changes, and
which actions are overdue for whom."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from core.casework import actions, cases, partners
from core.infra import clock as core_clock
from core.model import Case, CaseEvent, Staff
from core.network.centres import default_centre
from core.rules import RuleError
from tests.backoffice.helpers import open_test_case
from web.db import db

BRUSSELS = ZoneInfo("Europe/Brussels")


def _centre(session):
    return default_centre(session).id


def _today() -> date:
    return core_clock.now().astimezone(BRUSSELS).date()


@pytest.fixture
def team(app, make_staff):
    """A file directed by Ann with Bram invited; Chris directs another file."""
    ids = {
        "ann": make_staff("case_director", name="Ann")[0],
        "bram": make_staff("case_director", name="Bram")[0],
        "chris": make_staff("case_director", name="Chris")[0],
        "cora": make_staff("coordinator", name="Cora")[0],
        "adam": make_staff("admin", name="Adam")[0],
    }
    ids["case"] = open_test_case(app, ids["ann"])
    ids["other_case"] = open_test_case(app, ids["chris"])
    with app.app_context(), db.writing() as session:
        ann = session.get(Staff, ids["ann"])
        case = session.get(Case, ids["case"])
        other = session.get(Case, ids["other_case"])
        cases.add_member(session, case, session.get(Staff, ids["bram"]), ann)
        ids["partner"] = partners.add_partner(
            session, case, ann, kind="police", organisation="PZ Gent", basis="case_consultation"
        ).id
        ids["other_partner"] = partners.add_partner(
            session, other, ann, kind="caw", organisation="CAW Elders", basis="case_consultation"
        ).id
    return ids


def _add(session, team, case_key="case", by="ann", **fields):
    data = {"title": "Call the school", "owner": f"staff:{team['ann']}", "due_on": None}
    data.update(fields)
    return actions.add_action(
        session,
        session.get(Case, team[case_key]),
        session.get(Staff, team[by]),
        zone=BRUSSELS,
        **data,
    )


def _problems(app, team, **fields) -> dict[str, str]:
    with (
        app.app_context(),
        db.writing() as session,
        pytest.raises(RuleError) as refused,
    ):
        _add(session, team, **fields)
    return refused.value.problems


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("chris", "owner_cannot_see"),
        ("adam", "owner_cannot_see"),
    ],
)
def test_a_staff_owner_must_be_able_to_open_the_file(app, team, who, code):
    assert _problems(app, team, owner=f"staff:{team[who]}") == {"owner": code}


def test_the_director_an_invited_colleague_a_coordinator_and_a_partner_may_own(app, team):
    with app.app_context(), db.writing() as session:
        for owner in (
            f"staff:{team['ann']}",
            f"staff:{team['bram']}",
            f"staff:{team['cora']}",
            f"partner:{team['partner']}",
        ):
            action = _add(session, team, owner=owner)
            assert actions.Owner(action.owner_staff_id, action.owner_partner_id).value == owner


def test_a_partner_of_another_file_or_after_withdrawal_is_refused(app, team):
    assert _problems(app, team, owner=f"partner:{team['other_partner']}") == {
        "owner": "owner_other_case"
    }
    with app.app_context(), db.writing() as session:
        case = session.get(Case, team["case"])
        ann = session.get(Staff, team["ann"])
        lies = partners.add_partner(
            session,
            case,
            ann,
            kind="caw",
            organisation="CAW",
            basis="consent",
            scope=["story"],
            consent_given_at=core_clock.now() - timedelta(days=1),
        )
        partners.withdraw_consent(session, case, lies, ann)
        withdrawn_id = lies.id
    assert _problems(app, team, owner=f"partner:{withdrawn_id}") == {"owner": "owner_withdrawn"}


def test_an_inactive_colleague_cannot_own_an_action(app, team):
    with app.app_context(), db.writing() as session:
        session.get(Staff, team["cora"]).is_active = False
    assert _problems(app, team, owner=f"staff:{team['cora']}") == {"owner": "owner_cannot_see"}


@pytest.mark.parametrize("owner", ["", "staff:", "staff:abc", "nobody:1", "partner:999999"])
def test_an_owner_is_required(app, team, owner):
    assert "owner" in _problems(app, team, owner=owner)


def test_every_problem_is_reported_at_once(app, team):
    with app.app_context():
        opened = actions.opened_on(db.session.get(Case, team["case"]), BRUSSELS)
    problems = _problems(app, team, title="  ", owner="", due_on=opened - timedelta(days=1))
    assert problems == {
        "title": "title_missing",
        "owner": "owner_missing",
        "due_on": "due_before_opened",
    }
    assert _problems(app, team, due_on="31-12-2026") == {"due_on": "due_invalid"}


def test_the_day_the_file_was_opened_is_a_valid_due_date(app, team):
    with app.app_context(), db.writing() as session:
        opened = actions.opened_on(session.get(Case, team["case"]), BRUSSELS)
        action = _add(session, team, due_on=opened.isoformat())
        assert action.due_on == opened


def test_the_timeline_says_what_happened_without_names(app, team):
    with app.app_context(), db.writing() as session:
        action = _add(session, team, title="Call Sam's school", owner=f"partner:{team['partner']}")
        actions.update_action(
            session,
            session.get(Case, team["case"]),
            action,
            session.get(Staff, team["ann"]),
            status="in_progress",
            zone=BRUSSELS,
        )
        details = session.scalars(
            select(CaseEvent.detail)
            .where(CaseEvent.case_id == team["case"], CaseEvent.action.like("case.action_%"))
            .order_by(CaseEvent.id)
        ).all()
    assert details == ["partner, open", "open → in_progress"]


def test_done_stamps_the_time_and_opening_again_clears_it(app, team, clock):
    with app.app_context(), db.writing() as session:
        case = session.get(Case, team["case"])
        ann = session.get(Staff, team["ann"])
        action = _add(session, team)

        def change(status, **due):
            actions.update_action(session, case, action, ann, status=status, zone=BRUSSELS, **due)

        change("done")
        assert action.done_at == clock()
        clock.advance(hours=1)
        change("done")
        assert action.done_at == clock() - timedelta(hours=1), "done twice keeps the first time"
        change("open")
        assert action.done_at is None
        change("done")
        change("cancelled")
        assert action.done_at is None
        with pytest.raises(RuleError) as refused:
            change("finished")
        assert refused.value.problems == {"status": "status_unknown"}
        change("in_progress", due_on=_today() + timedelta(days=3), change_due=True)
        assert action.due_on == _today() + timedelta(days=3)
        change("in_progress", due_on="", change_due=True)
        assert action.due_on is None


def test_a_closed_file_takes_no_new_actions_or_changes(app, team):
    with app.app_context(), db.writing() as session:
        action = _add(session, team)
        case = session.get(Case, team["case"])
        ann = session.get(Staff, team["ann"])
        cases.close(session, case, ann, "goals_reached", None)
        with pytest.raises(RuleError) as refused:
            _add(session, team)
        assert refused.value.problems == {"case": "case_closed"}
        with pytest.raises(RuleError) as refused:
            actions.update_action(session, case, action, ann, status="done", zone=BRUSSELS)
        assert refused.value.problems == {"case": "case_closed"}


def _brussels(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS).astimezone(UTC)


def test_overdue_starts_at_midnight_where_the_centre_is(app, team, clock):
    with app.app_context(), db.writing() as session:
        due = actions.opened_on(session.get(Case, team["case"]), BRUSSELS) + timedelta(days=2)
        action = _add(session, team, due_on=due)
        cora = session.get(Staff, team["cora"])

        clock.current = _brussels(due, 23, 59)
        assert not actions.is_overdue(action, _today())
        assert actions.overdue_for(session, cora, _today(), centre_id=cora.centre_id) == []
        assert actions.count_overdue(session, _today(), centre_id=_centre(session)) == 0

        clock.advance(minutes=1)
        assert _today() == due + timedelta(days=1)
        assert actions.is_overdue(action, _today())
        assert [
            row.action.id
            for row in actions.overdue_for(session, cora, _today(), centre_id=cora.centre_id)
        ] == [action.id]
        assert actions.count_overdue(session, _today(), centre_id=_centre(session)) == 1


def test_only_open_or_in_progress_actions_with_a_date_are_overdue(app, team):
    with app.app_context(), db.writing() as session:
        case = session.get(Case, team["case"])
        ann = session.get(Staff, team["ann"])
        due = actions.opened_on(case, BRUSSELS)
        later = due + timedelta(days=1)
        by_status = {}
        for status in actions.STATUSES:
            by_status[status] = _add(session, team, title=status, due_on=due)
            actions.update_action(
                session, case, by_status[status], ann, status=status, zone=BRUSSELS
            )
        undated = _add(session, team, title="no date")
        assert {
            a.title for a in actions.actions_of(session, case) if actions.is_overdue(a, later)
        } == {
            "open",
            "in_progress",
        }
        assert not actions.is_overdue(undated, later + timedelta(days=365))
        assert actions.count_overdue(session, later, centre_id=_centre(session)) == 2


def _overdue_ids(session, team, who, today):
    return [
        row.action.id
        for row in actions.overdue_for(
            session, session.get(Staff, team[who]), today, centre_id=_centre(session)
        )
    ]


def test_the_home_list_shows_the_files_each_person_may_see_own_actions_first(app, team):
    with app.app_context(), db.writing() as session:
        due = actions.opened_on(session.get(Case, team["case"]), BRUSSELS)
        later = due + timedelta(days=1)
        cora_owns = _add(session, team, owner=f"staff:{team['cora']}", due_on=due)
        ann_owns = _add(session, team, owner=f"staff:{team['ann']}", due_on=due)
        partner_owns = _add(session, team, owner=f"partner:{team['partner']}", due_on=due)
        elsewhere = _add(
            session,
            team,
            case_key="other_case",
            by="chris",
            owner=f"staff:{team['chris']}",
            due_on=due,
        )
        mine_first = [ann_owns.id, cora_owns.id, partner_owns.id]
        assert _overdue_ids(session, team, "ann", later) == mine_first
        assert _overdue_ids(session, team, "bram", later) == [
            cora_owns.id,
            ann_owns.id,
            partner_owns.id,
        ]
        assert _overdue_ids(session, team, "chris", later) == [elsewhere.id]
        assert _overdue_ids(session, team, "cora", later)[:1] == [cora_owns.id]
        assert set(_overdue_ids(session, team, "cora", later)) == {*mine_first, elsewhere.id}
        assert _overdue_ids(session, team, "adam", later) == []
        rows = actions.overdue_for(
            session, session.get(Staff, team["ann"]), later, centre_id=_centre(session)
        )
        assert [(r.owner_name, r.mine) for r in rows] == [
            ("Ann", True),
            ("Cora", False),
            ("PZ Gent", False),
        ]
        assert {r.case_number for r in rows} == {session.get(Case, team["case"]).number}

        # A closed file's actions wait until it opens again.
        cases.close(
            session,
            session.get(Case, team["other_case"]),
            session.get(Staff, team["chris"]),
            "moved",
            None,
        )
        assert _overdue_ids(session, team, "chris", later) == []
        assert actions.count_overdue(session, later, centre_id=_centre(session)) == 3


def test_the_home_list_is_one_query_however_many_actions(app, team):
    with app.app_context(), db.writing() as session:
        due = actions.opened_on(session.get(Case, team["case"]), BRUSSELS)
        for number in range(6):
            owner = f"partner:{team['partner']}" if number % 2 else f"staff:{team['bram']}"
            _add(session, team, title=f"action {number}", owner=owner, due_on=due)
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        session = db.session
        ann = session.get(Staff, team["ann"])
        engine = db.get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = actions.overdue_for(
                session, ann, due + timedelta(days=1), centre_id=ann.centre_id
            )
            # What the home page shows of each row, read inside the window.
            shown = {(r.case_number, r.action.title, r.owner_name, r.action.due_on) for r in rows}
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(shown) == 6
    assert {owner for _, _, owner, _ in shown} == {"Bram", "PZ Gent"}
    assert len(statements) == 1, statements
