"""Safe-contact rules are one record: what the person gave on the portal is
what the request, the victim's card, the print and the attempt form read;
changing it on the case file changes it everywhere and keeps the old rules."""

from datetime import UTC, datetime

from sqlalchemy import select

from core.model import AuditEvent, Case, CasePerson, ContactRulesChange, Intake
from tests.backoffice.helpers import staff_client
from web.db import db

MONDAY_MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SARA = {
    "name": "Sara",
    "phone": "0470 12 34 56",
    "phone_permissions": ["text"],
    "safe_days": ["mon", "wed"],
    "safe_times": ["morning"],
    "safe_word": "blue umbrella",
    "story": "He reads my messages.",
}
TEXT_ONLY = "0470 12 34 56: Only text messages. No calls. No voicemail. Do not say who you are."
WHEN = "Safe days: Monday and Wednesday. Safe times: Morning (9:00 to 12:00)."


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


def _case_for_sara(app, client, team) -> tuple[str, int, int]:
    client.submit("/en/contact", SARA)
    with app.app_context():
        intake_id = db.session.scalar(select(Intake.id))
    request_page = f"/staff/intakes/{intake_id}"
    team.submit(f"{request_page}/decision", {"decision-outcome": "track_2"}, form_page=request_page)
    opened = team.submit(f"{request_page}/case", {}, form_page=request_page)
    assert opened.status_code == 303
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        return opened.headers["Location"], case.id, case.people[0].id


def test_her_rules_are_on_her_card_and_on_the_partners_print(app, client, make_staff, clock):
    clock.current = MONDAY_MORNING
    team = staff_client(app, make_staff("coordinator", name="Chris"))
    case_page, case_id, victim_id = _case_for_sara(app, client, team)
    card = _text(team.get(case_page))
    assert TEXT_ONLY in card and WHEN in card
    # One record, said once on the page, in one set of words.
    assert card.count(TEXT_ONLY) == 1 and "May we call?" not in card
    assert "Safe word or question: blue umbrella" in card
    assert "Speak English." in card
    team.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    assert "Spreek Engels." in _text(team.get(case_page))  # the reader's word for it
    team.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Safe contact Not said" not in card
    team.submit(
        f"{case_page}/partners",
        {"kind": "police", "organisation": "PZ Mechelen", "basis": "case_consultation"},
        form_page=case_page,
    )
    with app.app_context():
        from core.model import CasePartner

        police = db.session.scalar(select(CasePartner.id))
    printed = _text(team.get(f"/staff/cases/{case_id}/print?partner={police}"))
    assert TEXT_ONLY in printed and WHEN in printed
    # Paper says that a safe word exists, not the word.
    assert "blue umbrella" not in printed
    assert "A safe word was agreed. Ask the case director for it." in printed
    assert "blue umbrella" not in _text(team.get(f"/staff/cases/{case_id}/print"))


def test_changing_the_rules_on_the_file_changes_the_one_record_with_history(
    app, client, make_staff, clock
):
    clock.current = MONDAY_MORNING
    team = staff_client(app, make_staff("coordinator", name="Chris"))
    case_page, case_id, victim_id = _case_for_sara(app, client, team)
    rules_page = f"/staff/cases/{case_id}/people/{victim_id}/contact"
    form = team.get(rules_page).page
    ticked = {
        el.get("value")
        for el in form.iter("input")
        if el.get("name") == "phone_ways" and el.get("checked") is not None
    }
    assert ticked == {"text"}  # the form shows her record

    changed = team.submit(
        rules_page,
        {
            "phone": "+32 470 99 88 77",
            "phone_ways": ["text", "call"],
            "safe_days": ["mon", "wed"],
            "safe_times": ["morning", "evening"],
            "safe_word": "blue umbrella",
            "contact_language": "en",
        },
    )
    assert changed.status_code == 303
    card = _text(team.get(case_page))
    assert "0470 99 88 77: Only calls and text messages. No voicemail." in card
    with app.app_context():
        intake = db.session.scalar(select(Intake))
        assert intake.phone == "0470 99 88 77" and intake.may_call is True
        assert db.session.get(CasePerson, victim_id).phone == "0470 99 88 77"
        earlier = db.session.scalars(select(ContactRulesChange)).one()
        assert earlier.previous["phone"] == "0470 12 34 56"
        audited = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "case.contact_rules_changed")
        ).all()
    assert audited == [f"person {victim_id} intake {intake.id}"]
    # The request reads the same record; the history keeps what it was.
    assert "0470 99 88 77: Only calls and text messages." in _text(
        team.get(f"/staff/intakes/{intake.id}")
    )
    history = _text(team.get(rules_page))
    assert "Earlier rules" in history and TEXT_ONLY in history
    assert "Safe-contact rules changed" in _text(team.get(case_page))


def test_a_number_nobody_can_call_is_refused_and_kept_as_typed(app, client, make_staff, clock):
    clock.current = MONDAY_MORNING
    team = staff_client(app, make_staff("coordinator"))
    _case_page, case_id, victim_id = _case_for_sara(app, client, team)
    rules_page = f"/staff/cases/{case_id}/people/{victim_id}/contact"
    refused = team.submit(rules_page, {"phone": "0470 12 34", "phone_ways": ["text"]})
    assert refused.status_code == 200
    field = next(el for el in refused.page.iter("input") if el.get("name") == "phone")
    assert field.get("value") == "0470 12 34" and field.get("aria-invalid") == "true"
    with app.app_context():
        assert db.session.scalar(select(Intake.phone)) == "0470 12 34 56"
        assert db.session.scalars(select(ContactRulesChange)).all() == []


def test_the_person_form_leaves_her_record_alone(app, client, make_staff, clock):
    clock.current = MONDAY_MORNING
    team = staff_client(app, make_staff("coordinator"))
    _case_page, case_id, victim_id = _case_for_sara(app, client, team)
    person_page = f"/staff/cases/{case_id}/people/{victim_id}"
    page = team.get(person_page)
    assert not [el for el in page.page.iter("input") if el.get("name") == "phone"]
    assert TEXT_ONLY in _text(page)
    saved = team.submit(person_page, {"role": "victim", "name": "Sara V."})
    assert saved.status_code == 303
    with app.app_context():
        person = db.session.get(CasePerson, victim_id)
        assert person.name == "Sara V." and person.phone == "0470 12 34 56"
        assert db.session.scalar(select(Intake.may_text)) is True


def test_a_person_staff_added_has_no_rules_page(app, client, make_staff, clock):
    clock.current = MONDAY_MORNING
    team = staff_client(app, make_staff("coordinator"))
    case_page, case_id, _victim = _case_for_sara(app, client, team)
    team.submit(f"{case_page}/people", {"role": "other_adult", "name": "Mo"}, form_page=case_page)
    with app.app_context():
        mo = db.session.scalar(select(CasePerson.id).where(CasePerson.name == "Mo"))
    assert team.get(f"/staff/cases/{case_id}/people/{mo}/contact").status_code == 404
