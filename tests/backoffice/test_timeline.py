"""The case timeline speaks the reader's language: the codes core records in
an event's detail are shown as words, in Dutch for a Dutch reader."""

from zoneinfo import ZoneInfo

from core.casework import cases, consultations, people
from core.model import Case, Staff
from tests.backoffice.helpers import messages, open_test_case, staff_client
from web.db import db


def test_the_timeline_shows_words_not_codes(app, make_staff, clock):
    ann = make_staff("case_director", name="Ann")
    case_id = open_test_case(app, ann[0])
    today = clock().date()
    with app.app_context(), db.writing() as session:
        case, staff = session.get(Case, case_id), session.get(Staff, ann[0])
        people.add_person(session, case, staff, people.PersonDetails(role="child"), today.year)
        consultations.record_consultation(
            session,
            case,
            staff,
            held_on=today,
            legal_basis="art_458ter",
            participants=[
                {"name": "Ann", "organisation": "FJC"},
                {"name": "Piet", "organisation": "PZ Mechelen"},
            ],
            decisions=[consultations.Decision(text="Talk to the school")],
            notes=None,
            today=today,
            zone=ZoneInfo("Europe/Brussels"),
        )
        cases.close(session, case, staff, "goals_reached", None)

    reader = staff_client(app, ann)
    reader.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    timeline = messages(reader.get(f"/staff/cases/{case_id}"))
    assert "Persoon toegevoegd: Kind" in timeline
    assert "2 deelnemers, 1 beslissing, 0 acties" in timeline
    for code in ("art_458ter", "participants", "goals_reached", ": child"):
        assert code not in timeline
