"""The action plan and case consultations over HTTP, and overdue actions on
the staff home page."""

from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.casework import actions, cases
from core.infra import clock as core_clock
from core.model import AuditEvent, Case, CaseAction, Staff
from tests.backoffice.helpers import messages, open_test_case, staff_client
from tests.pages import form_values
from web.db import db

BRUSSELS = ZoneInfo("Europe/Brussels")


def _today():
    return core_clock.now().astimezone(BRUSSELS).date()


def _text(element) -> str:
    """The words of an element as a reader hears them (a <br> separates too)."""
    return " ".join(" ".join(element.itertext()).split()).replace(" ,", ",")


def _by_id(page, element_id):
    found = [el for el in page.iter() if el.get("id") == element_id]
    assert found, f"no element with id {element_id}"
    return found[0]


def _setup(app, make_staff):
    ann = make_staff("case_director", name="Ann")
    cora = make_staff("coordinator", name="Cora")
    chris = make_staff("case_director", name="Chris")
    case_id = open_test_case(app, ann[0])
    return ann, cora, chris, case_id


def _add_partner(app, case_id, director_id, organisation="PZ Gent") -> int:
    from core.casework import partners

    with app.app_context(), db.writing() as session:
        return partners.add_partner(
            session,
            session.get(Case, case_id),
            session.get(Staff, director_id),
            kind="police",
            organisation=organisation,
            basis="case_consultation",
        ).id


def test_an_action_added_on_the_case_page_is_in_the_plan(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    partner_id = _add_partner(app, case_id, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    shown = director.get(page)
    assert "No actions yet." in messages(shown)
    owner = _by_id(shown.page, "action-add-owner")
    groups = {g.get("label"): [_text(o) for o in g.iter("option")] for g in owner.iter("optgroup")}
    assert groups == {"Team": ["Ann", "Cora"], "Partners": ["PZ Gent (Police zone)"]}

    due = _today() + timedelta(days=3)
    added = director.submit(
        f"{page}/actions",
        {"title": "Call the school", "owner": f"partner:{partner_id}", "due_on": due.isoformat()},
        form_page=page,
    )
    assert added.status_code == 303
    with app.app_context():
        action_id = db.session.scalar(select(CaseAction.id))
        audited = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "case.action_added")
        )
    assert added.headers["Location"].endswith(f"/staff/cases/{case_id}#action-{action_id}")
    assert audited == f"action {action_id} partner"

    shown = director.get(page)
    assert "The action is added to the plan." in messages(shown)
    row = _text(_by_id(shown.page, f"action-{action_id}"))
    assert row.startswith("Call the school PZ Gent")
    assert "Open" in row and "Overdue" not in row
    assert "Action added: a partner, Open" in messages(shown)


def test_a_refused_action_keeps_what_was_typed_with_the_reasons(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    other_partner = _add_partner(app, open_test_case(app, chris[0]), chris[0], "CAW Elders")
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"

    refused = director.submit(
        f"{page}/actions",
        {"title": "  ", "owner": f"staff:{cora[0]}", "due_on": "2000-01-01"},
        form_page=page,
    )
    assert refused.status_code == 200
    summary = [el for el in refused.page.iter("div") if el.get("role") == "alert"]
    assert len(summary) == 1
    links = {a.get("href"): _text(a) for a in summary[0].iter("a")}
    assert links == {
        "#action-add-title": "Say what has to be done.",
        "#action-add-due": links["#action-add-due"],
    }
    assert links["#action-add-due"].startswith(
        "The due date cannot be before the case file was opened"
    )
    due = _by_id(refused.page, "action-add-due")
    assert due.get("value") == "2000-01-01"
    assert due.get("aria-invalid") == "true"
    assert due.get("aria-describedby") == "action-add-due-error"
    chosen = [o.get("value") for o in refused.page.iter("option") if o.get("selected") is not None]
    assert f"staff:{cora[0]}" in chosen

    for owner, reason in (
        (f"staff:{chris[0]}", "This colleague cannot open this case file."),
        (f"partner:{other_partner}", "This partner is not in this case file."),
        ("", "Choose who does it."),
    ):
        refused = director.submit(
            f"{page}/actions", {"title": "Call the school", "owner": owner}, form_page=page
        )
        assert refused.status_code == 200
        assert reason in messages(refused)
        assert _by_id(refused.page, "action-add-title").get("value") == "Call the school"
        assert _by_id(refused.page, "action-add-owner").get("aria-invalid") == "true"
    with app.app_context():
        assert db.session.scalar(select(CaseAction.id)) is None


def test_an_action_is_done_and_opened_again(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    director.submit(
        f"{page}/actions", {"title": "Call the school", "owner": f"staff:{ann[0]}"}, form_page=page
    )
    with app.app_context():
        action_id = db.session.scalar(select(CaseAction.id))
    target = f"{page}/actions/{action_id}"

    refused = director.submit(
        target, {"status": "in_progress", "due_on": "1999-12-31"}, form_page=page
    )
    assert refused.status_code == 200
    assert "The due date cannot be before the case file was opened" in messages(refused)
    assert _by_id(refused.page, f"action-{action_id}-due").get("value") == "1999-12-31"
    assert _by_id(refused.page, f"action-{action_id}-due").get("aria-invalid") == "true"

    later = (_today() + timedelta(days=10)).isoformat()
    done = director.submit(target, {"status": "done", "due_on": later}, form_page=page)
    assert done.status_code == 303
    shown = director.get(page)
    row = _text(_by_id(shown.page, f"action-{action_id}"))
    assert "Done" in row and "Open again" in row
    with app.app_context():
        action = db.session.get(CaseAction, action_id)
        assert action.done_at is not None
        assert action.due_on.isoformat() == later

    again = director.submit(target, {}, form_page=page)
    assert again.status_code == 303
    with app.app_context():
        action = db.session.get(CaseAction, action_id)
        assert (action.status, action.done_at, action.due_on.isoformat()) == ("open", None, later)
        details = db.session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "case.action_updated")
            .order_by(AuditEvent.id)
        ).all()
    assert details == [f"action {action_id} open done", f"action {action_id} done open"]


def test_overdue_actions_are_on_the_home_page_of_who_may_see_the_file(app, make_staff, clock):
    real_now = clock()
    clock.current = real_now - timedelta(days=5)
    ann, cora, chris, case_id = _setup(app, make_staff)
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        due = actions.opened_on(case, BRUSSELS) + timedelta(days=1)
        ids = {}
        for who, staff_id in (("cora", cora[0]), ("ann", ann[0])):
            ids[who] = actions.add_action(
                session,
                case,
                session.get(Staff, ann[0]),
                title=f"Task for {who}",
                owner=f"staff:{staff_id}",
                due_on=due,
                zone=BRUSSELS,
            ).id
        ids["later"] = actions.add_action(
            session,
            case,
            session.get(Staff, ann[0]),
            title="Not yet due",
            owner=f"staff:{ann[0]}",
            due_on=real_now.astimezone(BRUSSELS).date() + timedelta(days=1),
            zone=BRUSSELS,
        ).id
        number = case.number
    clock.current = real_now

    def overdue_rows(who):
        home = staff_client(app, who).get("/staff/")
        assert home.status_code == 200
        sections = [
            s
            for s in home.page.iter("section")
            if s.get("aria-labelledby") == "overdue-actions-title"
        ]
        if not sections:
            assert "Overdue actions" not in messages(home)
            return None
        return [_text(tr) for tr in sections[0].iter("tr")][1:], [
            a.get("href") for a in sections[0].iter("a")
        ]

    rows, links = overdue_rows(ann)
    assert rows[0].startswith(f"{number} Task for ann Ann (you)")
    assert rows[1].startswith(f"{number} Task for cora Cora")
    assert all(row.endswith("Overdue") for row in rows) and len(rows) == 2
    assert links == [
        f"/staff/cases/{case_id}#action-{ids['ann']}",
        f"/staff/cases/{case_id}#action-{ids['cora']}",
    ]
    rows, _ = overdue_rows(cora)
    assert [row.split(" ")[3] for row in rows] == ["cora", "ann"]
    assert overdue_rows(chris) is None

    # A long list is cut to the most pressing, and the page says how many in all.
    with mock.patch.object(actions, "HOME_LIMIT", 1):
        rows, _ = overdue_rows(ann)
        assert len(rows) == 1 and rows[0].startswith(f"{number} Task for ann")
        home = messages(staff_client(app, ann).get("/staff/"))
        assert "These are the 1 most pressing of 2 overdue actions." in home
        # The requests stay first on the page; a line at the top points to the list.
        assert "2 actions in the case files are overdue." in home
        assert home.index("overdue.") < home.index("requests, most urgent first")
        assert home.index("requests, most urgent first") < home.index("Overdue actions")

    # The case page says it in words, not only in colour.
    page = staff_client(app, ann).get(f"/staff/cases/{case_id}")
    assert "Overdue" in _text(_by_id(page.page, f"action-{ids['ann']}"))
    assert "Overdue" not in _text(_by_id(page.page, f"action-{ids['later']}"))


def _consultation(partner_id, **extra):
    data = {
        "held_on": _today().isoformat(),
        "legal_basis": "art_458ter",
        "participant-1-name": "Ann",
        "participant-1-organisation": "FJC",
        "participant-2-name": "Inspector Peeters",
        "participant-2-organisation": "PZ Gent",
        "decision-1-text": "Police visit the home",
        "decision-1-owner": f"partner:{partner_id}",
        "decision-1-due": (_today() + timedelta(days=7)).isoformat(),
        "decision-2-text": "Ask the client about school",
        "notes": "Next meeting in January.",
    }
    data.update(extra)
    return data


def test_a_consultation_with_decisions_puts_actions_in_the_plan(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    partner_id = _add_partner(app, case_id, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    assert "No case consultations yet." in messages(director.get(page))

    recorded = director.submit(f"{page}/consultations", _consultation(partner_id), form_page=page)
    assert recorded.status_code == 303
    with app.app_context():
        action = db.session.scalar(select(CaseAction))
        audited = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "case.consultation_recorded")
        )
    consultation_id = action.consultation_id
    assert recorded.headers["Location"].endswith(f"#consultation-{consultation_id}")
    assert audited == f"consultation {consultation_id} art_458ter actions {action.id}"

    shown = director.get(page)
    body = messages(shown)
    assert "The case consultation is recorded, with 1 new action in the plan." in body
    held = _text(_by_id(shown.page, f"consultation-{consultation_id}"))
    assert "Case consultation under art. 458ter Sw." in held
    assert "Inspector Peeters, PZ Gent" in held
    assert "Police visit the home Action: PZ Gent, due" in held
    assert held.count("Open") == 1
    assert "Ask the client about school" in held and "Next meeting in January." in held
    row = _text(_by_id(shown.page, f"action-{action.id}"))
    assert row.startswith("Police visit the home From the case consultation of")
    assert (
        "Case consultation recorded: Case consultation (art. 458ter Sw.), "
        "2 participants, 2 decisions, 1 action" in body
    )


def test_a_refused_consultation_keeps_what_was_typed(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    partner_id = _add_partner(app, case_id, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    refused = director.submit(
        f"{page}/consultations",
        _consultation(
            partner_id,
            **{
                "participant-2-organisation": "",
                "decision-2-due": _today().isoformat(),
                "held_on": (_today() + timedelta(days=1)).isoformat(),
            },
        ),
        form_page=page,
    )
    assert refused.status_code == 200
    summary = [el for el in refused.page.iter("div") if el.get("role") == "alert"][0]
    links = {a.get("href"): _text(a) for a in summary.iter("a")}
    assert links == {
        "#consultation-held-on": "The date of the consultation cannot be in the future.",
        "#consultation-participant-2-name": (
            "Participant 2: Give both the name and the organisation."
        ),
        "#consultation-decision-2-owner": "Decision 2: Choose who does it, or clear the date.",
    }
    for field_id in links:
        assert _by_id(refused.page, field_id[1:]).get("aria-invalid") == "true"
    assert _by_id(refused.page, "consultation-participant-2-name").get("value") == (
        "Inspector Peeters"
    )
    assert _by_id(refused.page, "consultation-basis-art_458ter").get("checked") is not None
    assert _text(_by_id(refused.page, "consultation-notes")) == "Next meeting in January."
    chosen = _by_id(refused.page, "consultation-decision-1-owner")
    assert [o.get("value") for o in chosen.iter("option") if o.get("selected") is not None] == [
        f"partner:{partner_id}"
    ]
    with app.app_context():
        assert db.session.scalar(select(CaseAction.id)) is None


def test_a_case_director_not_on_the_file_is_refused(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    with app.app_context(), db.writing() as session:
        action_id = actions.add_action(
            session,
            session.get(Case, case_id),
            session.get(Staff, ann[0]),
            title="Call the school",
            owner=f"staff:{ann[0]}",
            due_on=None,
            zone=BRUSSELS,
        ).id
    outsider = staff_client(app, chris)
    token = form_values(outsider.get("/staff/cases").page)["csrf_token"]
    page = f"/staff/cases/{case_id}"
    for path, data in (
        (f"{page}/actions", {"title": "Mine now", "owner": f"staff:{chris[0]}"}),
        (f"{page}/actions/{action_id}", {"status": "done"}),
        (f"{page}/consultations", _consultation(0)),
    ):
        assert outsider.post(path, data={**data, "csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(CaseAction, action_id).status == "open"


def test_a_closed_case_file_shows_no_forms_and_refuses_changes(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        ann_staff = session.get(Staff, ann[0])
        action_id = actions.add_action(
            session,
            case,
            ann_staff,
            title="Call the school",
            owner=f"staff:{ann[0]}",
            due_on=None,
            zone=BRUSSELS,
        ).id
        cases.close(session, case, ann_staff, "goals_reached", None)
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    shown = director.get(page)
    actions_at = {
        form.get("action") for form in shown.page.iter("form") if form.get("method") == "post"
    }
    assert not {a for a in actions_at if "/actions" in a or "/consultations" in a}
    assert "Call the school" in messages(shown)
    token = form_values(shown.page)["csrf_token"]
    for path, data in (
        (f"{page}/actions", {"title": "More", "owner": f"staff:{ann[0]}"}),
        (f"{page}/actions/{action_id}", {"status": "done"}),
        (f"{page}/consultations", _consultation(0)),
    ):
        refused = director.post(path, data={**data, "csrf_token": token})
        assert refused.status_code == 303
    assert "This case file is closed. Open it again to make changes." in messages(
        director.get(page)
    )
    with app.app_context():
        assert db.session.get(CaseAction, action_id).status == "open"
        assert len(db.session.scalars(select(CaseAction)).all()) == 1


def _summary_links(response) -> dict[str, str]:
    summary = [el for el in response.page.iter("div") if el.get("role") == "alert"]
    assert len(summary) == 1
    return {a.get("href"): _text(a) for a in summary[0].iter("a")}


def test_each_row_of_the_consultation_form_keeps_its_number(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    partner_id = _add_partner(app, case_id, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    # A post without the rows in between: row 4 is still "Participant 4".
    data = _consultation(partner_id)
    del data["participant-2-name"], data["participant-2-organisation"]
    refused = director.submit(
        f"{page}/consultations",
        {
            **data,
            "participant-4-name": "Lies",
            "decision-3-text": "Shelter",
            "decision-3-owner": f"staff:{ann[0]}",
            "decision-3-due": "2000-01-01",
        },
        form_page=page,
    )
    assert refused.status_code == 200
    links = _summary_links(refused)
    assert links["#consultation-participant-4-name"] == (
        "Participant 4: Give both the name and the organisation."
    )
    assert links["#consultation-decision-3-due"].startswith(
        "Decision 3: The due date cannot be before the case file was opened"
    )
    assert len(links) == 2
    assert _by_id(refused.page, "consultation-participant-4-name").get("value") == "Lies"
    assert _by_id(refused.page, "consultation-participant-2-name").get("value") == ""
    assert _by_id(refused.page, "consultation-decision-3-due").get("aria-invalid") == "true"

    del data["decision-2-text"]
    recorded = director.submit(
        f"{page}/consultations",
        {**data, "participant-4-name": "Lies", "participant-4-organisation": "CAW"},
        form_page=page,
    )
    assert recorded.status_code == 303
    held = _text(_by_id(director.get(page).page, recorded.headers["Location"].split("#")[1]))
    assert "Ann, FJC" in held and "Lies, CAW" in held


def test_too_few_participants_is_shown_on_the_first_name_to_fill_in(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    partner_id = _add_partner(app, case_id, ann[0])
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    data = _consultation(partner_id, **{"participant-2-name": "", "participant-2-organisation": ""})
    refused = director.submit(f"{page}/consultations", data, form_page=page)
    assert refused.status_code == 200
    assert _summary_links(refused) == {
        "#consultation-participant-2-name": "Participant 2: Give at least two participants."
    }
    named = _by_id(refused.page, "consultation-participant-2-name")
    assert named.get("aria-invalid") == "true"
    assert named.get("aria-describedby") == "consultation-participant-2-name-error"


def test_every_label_of_the_plan_forms_names_its_field(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    director.submit(
        f"{page}/actions", {"title": "Call the school", "owner": f"staff:{ann[0]}"}, form_page=page
    )
    shown = director.get(page)
    ids = {el.get("id") for el in shown.page.iter() if el.get("id")}
    for form in shown.page.iter("form"):
        if "/actions" not in form.get("action") and "/consultations" not in form.get("action"):
            continue
        fields = [el for el in form.iter() if el.tag in ("input", "select", "textarea")]
        for label in form.iter("label"):
            assert label.get("for") in ids, _text(label)
        for el in fields:
            if el.get("type") not in ("hidden", "radio"):
                assert [lb for lb in form.iter("label") if lb.get("for") == el.get("id")]
    with app.app_context():
        action_id = db.session.scalar(select(CaseAction.id))
    # A screen reader hears the row's fields without the table: each names the action.
    named = {lb.get("for"): "".join(lb.itertext()) for lb in shown.page.iter("label")}
    assert named[f"action-{action_id}-status"] == "Status: Call the school"
    assert named[f"action-{action_id}-due"] == "Due date: Call the school"


def test_an_unknown_status_is_a_bad_request(app, make_staff):
    ann, cora, chris, case_id = _setup(app, make_staff)
    director = staff_client(app, ann)
    page = f"/staff/cases/{case_id}"
    director.submit(
        f"{page}/actions", {"title": "Call the school", "owner": f"staff:{ann[0]}"}, form_page=page
    )
    with app.app_context():
        action_id = db.session.scalar(select(CaseAction.id))
    target = f"{page}/actions/{action_id}"
    assert director.submit(target, {"status": "finished"}, form_page=page).status_code == 400
    token = {"csrf_token": form_values(director.get(page).page, target)["csrf_token"]}
    assert director.post(target, data=token).status_code == 400
    other_case = f"/staff/cases/{open_test_case(app, ann[0])}/actions/{action_id}"
    assert director.post(other_case, data={**token, "status": "done"}).status_code == 404
    with app.app_context():
        assert db.session.get(CaseAction, action_id).status == "open"
