"""Case consultations: what a record needs, and decisions that become actions."""

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.casework import actions, consultations, partners
from core.infra import clock as core_clock
from core.model import Case, CaseAction, CaseConsultation, CaseEvent, Staff
from core.rules import RuleError
from tests.backoffice.helpers import open_test_case
from web.db import db

BRUSSELS = ZoneInfo("Europe/Brussels")
PEOPLE = [
    {"name": "Ann", "organisation": "FJC"},
    {"name": "Inspector Peeters", "organisation": "PZ Gent"},
]


def _today() -> date:
    return core_clock.now().astimezone(BRUSSELS).date()


@pytest.fixture
def team(app, make_staff):
    ids = {
        "ann": make_staff("case_director", name="Ann")[0],
        "chris": make_staff("case_director", name="Chris")[0],
    }
    ids["case"] = open_test_case(app, ids["ann"])
    ids["other_case"] = open_test_case(app, ids["chris"])
    with app.app_context(), db.writing() as session:
        ann = session.get(Staff, ids["ann"])
        for key, case_key in (("partner", "case"), ("other_partner", "other_case")):
            ids[key] = partners.add_partner(
                session,
                session.get(Case, ids[case_key]),
                ann,
                kind="police",
                organisation="PZ Gent",
                basis="case_consultation",
            ).id
    return ids


def _record(session, team, **fields):
    data = {
        "held_on": _today(),
        "legal_basis": "art_458ter",
        "participants": PEOPLE,
        "decisions": [],
        "notes": None,
    }
    data.update(fields)
    return consultations.record_consultation(
        session,
        session.get(Case, team["case"]),
        session.get(Staff, team["ann"]),
        today=_today(),
        zone=BRUSSELS,
        **data,
    )


def _problems(app, team, **fields) -> dict[str, str]:
    with (
        app.app_context(),
        db.writing() as session,
        pytest.raises(RuleError) as refused,
    ):
        _record(session, team, **fields)
    return refused.value.problems


D = consultations.Decision


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"held_on": None}, {"held_on": "held_on_missing"}),
        ({"held_on": "31/12"}, {"held_on": "held_on_invalid"}),
        ({"held_on": "tomorrow"}, {"held_on": "held_on_future"}),
        ({"legal_basis": ""}, {"legal_basis": "legal_basis_missing"}),
        ({"legal_basis": "hunch"}, {"legal_basis": "legal_basis_missing"}),
        ({"participants": PEOPLE[:1]}, {"participants": "participants_too_few"}),
        (
            {"participants": [*PEOPLE, {"name": "Lies", "organisation": " "}]},
            {"participant-3": "participant_incomplete"},
        ),
        (
            {"participants": [{"name": "", "organisation": "CAW"}, *PEOPLE]},
            {"participant-1": "participant_incomplete"},
        ),
        ({"decisions": [D(text="", owner="staff:ann")]}, {"decision-1-text": "decision_missing"}),
        ({"decisions": [D(), D(due_on="today")]}, {"decision-2-text": "decision_missing"}),
        (
            {"decisions": [D(text="Shelter", due_on="today")]},
            {"decision-1-owner": "decision_due_without_owner"},
        ),
        (
            {"decisions": [D(text="Shelter", owner="partner:other")]},
            {"decision-1-owner": "owner_other_case"},
        ),
        (
            {"decisions": [D(text="Shelter", owner="staff:chris")]},
            {"decision-1-owner": "owner_cannot_see"},
        ),
        (
            {"decisions": [D(text="Shelter", owner="staff:ann", due_on="2000-01-01")]},
            {"decision-1-due": "due_before_opened"},
        ),
    ],
)
def test_a_consultation_needs_a_date_a_basis_two_participants_and_whole_decisions(
    app, team, fields, problems
):
    # Parameters are shared by both backends' runs: fill in this run's ids on copies.
    named = {
        "staff:ann": f"staff:{team['ann']}",
        "staff:chris": f"staff:{team['chris']}",
        "partner:other": f"partner:{team['other_partner']}",
    }
    days = {"today": _today(), "tomorrow": _today() + timedelta(days=1)}
    fields = dict(fields)
    if fields.get("held_on") in days:
        fields["held_on"] = days[fields["held_on"]]
    if "decisions" in fields:
        fields["decisions"] = [
            replace(
                d,
                owner=named.get(d.owner, d.owner),
                due_on=days.get(d.due_on, d.due_on) if isinstance(d.due_on, str) else d.due_on,
            )
            for d in fields["decisions"]
        ]
    assert _problems(app, team, **fields) == problems
    with app.app_context():
        assert db.session.scalar(select(func.count(CaseConsultation.id))) == 0
        assert db.session.scalar(select(func.count(CaseAction.id))) == 0


def test_a_consultation_held_today_with_blank_rows_keeps_only_what_was_filled(app, team):
    with app.app_context(), db.writing() as session:
        consultation, created = _record(
            session,
            team,
            participants=[{"name": " ", "organisation": ""}, *PEOPLE, {}],
            decisions=[D(), D(text="  Keep in touch monthly  "), D()],
            notes="  Next meeting in January. ",
            legal_basis="consent",
        )
        assert consultation.held_on == _today()
        assert consultation.participants == PEOPLE
        assert consultation.decisions == ["Keep in touch monthly"]
        assert consultation.notes == "Next meeting in January."
        assert created == []


def test_decisions_with_an_owner_become_actions_of_the_consultation(app, team):
    due = _today() + timedelta(days=7)
    with app.app_context(), db.writing() as session:
        consultation, created = _record(
            session,
            team,
            decisions=[
                D(text="Police visit the home", owner=f"partner:{team['partner']}", due_on=due),
                D(text="Nobody owns this one"),
                D(text="Find a shelter place", owner=f"staff:{team['ann']}"),
            ],
        )
        consultation_id = consultation.id
        assert [(a.title, a.due_on, a.status) for a in created] == [
            ("Police visit the home", due, "open"),
            ("Find a shelter place", None, "open"),
        ]
        assert {a.consultation_id for a in created} == {consultation_id}
        assert created[0].owner_partner_id == team["partner"]
        assert created[1].owner_staff_id == team["ann"]

    with app.app_context():
        case = db.session.get(Case, team["case"])
        (shown,) = consultations.consultations_of(db.session, case)
        assert [
            (row.text, row.action.title if row.action else None) for row in shown.decisions
        ] == [
            ("Police visit the home", "Police visit the home"),
            ("Nobody owns this one", None),
            ("Find a shelter place", "Find a shelter place"),
        ]
        assert len(actions.actions_of(db.session, case)) == 2
        # The timeline holds counts and the basis, never names or decisions.
        detail = db.session.scalar(
            select(CaseEvent.detail).where(CaseEvent.action == "case.consultation_recorded")
        )
    assert detail == "art_458ter, 2 participants, 3 decisions, 2 actions"


def test_consultations_are_listed_newest_first(app, team):
    with app.app_context(), db.writing() as session:
        older, _ = _record(session, team, held_on=_today() - timedelta(days=10))
        newer, _ = _record(session, team, held_on=_today())
        ids = (older.id, newer.id)
    with app.app_context():
        listed = consultations.consultations_of(db.session, db.session.get(Case, team["case"]))
    assert [view.consultation.id for view in listed] == [ids[1], ids[0]]


def test_a_closed_file_takes_no_consultation(app, team):
    from core.casework import cases

    with app.app_context(), db.writing() as session:
        cases.close(
            session, session.get(Case, team["case"]), session.get(Staff, team["ann"]), "moved", None
        )
    assert _problems(app, team) == {"case": "case_closed"}
