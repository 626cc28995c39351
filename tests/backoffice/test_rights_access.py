"""Access requests (GDPR art. 15) over HTTP, on both backends: a coordinator
registers one, chooses the person's records, reviews what to give and what
to withhold, a second coordinator approves, and the copy comes as a PDF and
a JSON file in the person's language.

The test that matters most: a person causing harm asks for "everything you
hold about me" and gets his own data, never the victim's phone, address,
story or safety plan."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from core.governance.rights import access
from core.intake.intakes import SafeContact, Submission, submit
from core.model import AccessItem, AccessRequest, AuditEvent, CaseIntake, IntakeKind, Staff
from tests.backoffice import rights_family as fam
from tests.backoffice.helpers import staff_client
from tests.partner.helpers import make_member, partner_client
from web.casefile.centre import centre_today
from web.casefile.labels import PERSON_ROLE_LABELS
from web.db import db


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


def _flashed(response) -> list[str]:
    return [
        " ".join("".join(p.itertext()).split())
        for p in response.page.iter("p")
        if p.get("role") == "status"
    ]


@pytest.fixture
def team(app, make_staff):
    """Two coordinators (four eyes) and the family's case file."""
    first = make_staff("coordinator", name="Ann Eerste")
    second = make_staff("coordinator", name="Bert Tweede")
    director = make_staff("case_director", name="Dirk")
    with app.app_context(), db.writing() as session:
        family = fam.family_file(session, session.get(Staff, director[0]))
    return staff_client(app, first), staff_client(app, second), family, first, director


def _register(client, name: str, language: str = "en") -> int:
    page = client.get("/staff/rights/access/new")
    (day,) = [el for el in page.page.iter("input") if el.get("id") == "access-received-on"]
    assert day.get("type") == "date" and day.get("value"), "today, to start from"
    sent = client.submit(
        "/staff/rights/access/new",
        {
            "access-received_on": day.get("value"),
            "access-subject_name": name,
            "access-identity_check": "id_document",
            "access-language": language,
        },
    )
    assert sent.status_code == 303, _text(sent)
    return int(sent.headers["Location"].rsplit("/", 1)[1])


def _choose(client, request_id: int, family, **chosen) -> None:
    page = f"/staff/rights/access/{request_id}?look={family.case_number}"
    sent = client.submit(
        f"/staff/rights/access/{request_id}/records",
        {f"records-{name}": str(value) for name, value in chosen.items()},
        form_page=page,
    )
    assert sent.status_code == 303, _text(sent)


def _submit(client, request_id: int, step: str):
    return client.submit(
        f"/staff/rights/access/{request_id}/{step}",
        {},
        form_page=f"/staff/rights/access/{request_id}",
    )


def _approved(first, second, request_id: int) -> None:
    assert _submit(first, request_id, "submit").status_code == 303
    assert _submit(second, request_id, "approve").status_code == 303


def _copies(client, request_id: int) -> tuple[dict, str, str]:
    """The JSON document, all its text, and the PDF's text."""
    as_json = client.get(f"/staff/rights/access/{request_id}/copy.json")
    assert as_json.status_code == 200
    assert as_json.mimetype == "application/json"
    assert as_json.headers["Cache-Control"] == "no-store"
    document = json.loads(as_json.get_data(as_text=True))
    as_pdf = client.get(f"/staff/rights/access/{request_id}/copy.pdf")
    assert as_pdf.status_code == 200
    assert as_pdf.mimetype == "application/pdf"
    body = as_pdf.get_data()
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    pdf_text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return document, json.dumps(document, ensure_ascii=False), pdf_text


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_a_person_causing_harm_gets_his_own_data_and_nothing_of_the_victim(app, team):
    first, second, family, *_ = team
    request_id = _register(first, fam.HARM_NAME, language="fr")
    _choose(first, request_id, family, people=family.harm_id)

    review = first.get(f"/staff/rights/access/{request_id}")
    assert "everything about the victim is withheld" in _text(review)
    _approved(first, second, request_id)
    document, as_json, pdf_text = _copies(second, request_id)

    for text in (as_json, pdf_text):
        assert fam.HARM_NAME in text
        assert _squeezed(fam.HARM_PHONE) in _squeezed(text)
        for never in fam.NEVER_FOR_HARM:
            assert never not in text, never
            assert _squeezed(never) not in _squeezed(text), never
        assert fam.SAFE_PLACE not in text
        # Staff wrote it down about him, from what others said.
        assert fam.HARM_NOTE not in text
    assert family.municipality not in [
        line
        for section in document["sections"]
        for item in section["items"]
        for line in item["lines"]
    ]
    # The copy is in his language: his role in French words.
    with app.test_request_context(), force_locale("fr"):
        role_in_french = str(PERSON_ROLE_LABELS["person_causing_harm"])
    lines = [line for s in document["sections"] for i in s["items"] for line in i["lines"]]
    assert role_in_french in lines
    assert document["language"] == "fr"
    categories = {c["code"] for c in document["categories"]}
    assert {"identity", "contact"} <= categories and "safety_plan" not in categories
    # Recipients by kind only: the refuge's name would say where she is.
    assert [r["kind"] for r in document["recipients"]] == ["caw"]
    assert all(r["name"] is None for r in document["recipients"])
    assert document["retention"] and document["purposes"] and document["sources"]


def test_a_victim_gets_her_own_story_and_safety_plan_but_not_his_phone(app, team):
    first, second, family, *_ = team
    request_id = _register(first, fam.VICTIM_NAME)
    _choose(first, request_id, family, people=family.victim_id)
    _approved(first, second, request_id)
    document, as_json, pdf_text = _copies(second, request_id)
    for text in (as_json, pdf_text):
        assert fam.VICTIM_STORY in text
        assert fam.SAFE_PLACE in text
        assert fam.VICTIM_MESSAGE in text
        assert _squeezed(fam.VICTIM_PHONE) in _squeezed(text)
        assert _squeezed(fam.HARM_PHONE) not in _squeezed(text)
        assert fam.SCHOOL not in text
        assert fam.PARTNER_NOTE not in text
    assert fam.REFUGE in [r["name"] for r in document["recipients"]]


def test_staff_withhold_an_item_and_a_change_sends_it_back_for_approval(app, team, make_staff):
    first, second, family, *_ = team
    third = staff_client(app, make_staff("coordinator", name="Chris Derde"))
    request_id = _register(first, fam.VICTIM_NAME)
    _choose(first, request_id, family, people=family.victim_id)
    with app.app_context():
        story = db.session.scalar(
            select(AccessItem).where(
                AccessItem.request_id == request_id,
                AccessItem.source == "intakes",
                AccessItem.field == "story",
            )
        )
        assert (story.proposed, story.proposed_reason) == ("release", None)
    assert _submit(first, request_id, "submit").status_code == 303

    page = f"/staff/rights/access/{request_id}"
    changed = second.submit(
        f"{page}/items", {f"review-item_{story.id}": "withhold:said_by_others"}, form_page=page
    )
    assert changed.status_code == 303
    shown = second.get(page)
    assert "Send it for approval again." in " ".join(_flashed(shown))
    with app.app_context():
        found = db.session.get(AccessRequest, request_id)
        assert found.status == "proposed"
        story = db.session.get(AccessItem, story.id)
        assert (story.decision, story.reason) == ("withhold", "said_by_others")
    # The first sees the change and sends it again. The second changed a
    # decision: she would approve her own choice, so a third approves.
    assert _submit(first, request_id, "submit").status_code == 303
    assert _submit(second, request_id, "approve").status_code == 303
    refused = " ".join(_flashed(second.get(page)))
    assert "not one who changed a decision on the items" in refused
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "awaiting_approval"
    assert _submit(third, request_id, "approve").status_code == 303
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "approved"
    _document, as_json, pdf_text = _copies(first, request_id)
    assert fam.VICTIM_STORY not in as_json and fam.VICTIM_STORY not in pdf_text
    assert fam.SAFE_PLACE in as_json


def test_the_coordinator_who_registered_it_cannot_approve_it(app, team):
    first, second, family, *_ = team
    request_id = _register(first, fam.HARM_NAME)
    _choose(first, request_id, family, people=family.harm_id)
    page = f"/staff/rights/access/{request_id}"

    too_early = first.get(f"{page}/copy.pdf")
    assert too_early.status_code == 303
    shown = first.get(too_early.headers["Location"])
    assert "once a second coordinator has approved" in " ".join(_flashed(shown))
    assert first.get(f"{page}/copy.json").status_code == 303

    assert _submit(first, request_id, "submit").status_code == 303
    refused = _submit(first, request_id, "approve")
    assert refused.status_code == 303
    assert "A second coordinator must approve" in " ".join(_flashed(first.get(page)))
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "awaiting_approval"
    assert first.get(f"{page}/copy.pdf").status_code == 303

    # The second may send it back to the review (nothing is approved then).
    assert _submit(second, request_id, "send-back").status_code == 303
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "proposed"
    assert _submit(first, request_id, "submit").status_code == 303
    assert _submit(second, request_id, "approve").status_code == 303
    with app.app_context():
        found = db.session.get(AccessRequest, request_id)
        assert found.status == "approved" and found.approved_by_id != found.registered_by_id
    assert _submit(second, request_id, "release").status_code == 303
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "released"


def test_the_audit_names_counts_and_reasons_never_the_text(app, team):
    first, second, family, *_ = team
    request_id = _register(first, fam.HARM_NAME)
    _choose(first, request_id, family, people=family.harm_id)
    _approved(first, second, request_id)
    _copies(second, request_id)
    assert _submit(second, request_id, "release").status_code == 303
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "access_request", AuditEvent.target_id == request_id)
            .order_by(AuditEvent.id)
        ).all()
        withheld = db.session.scalars(
            select(AccessItem).where(
                AccessItem.request_id == request_id, AccessItem.decision == "withhold"
            )
        ).all()
    actions = [e.action for e in events]
    for action in (
        "rights.access_registered",
        "rights.access_gathered",
        "rights.access_submitted",
        "rights.access_approved",
        "rights.access_copy_made",
        "rights.access_released",
    ):
        assert action in actions
    copies = [e.detail for e in events if e.action == "rights.access_copy_made"]
    assert {d.split()[0] for d in copies} == {"format=pdf", "format=json"}
    released = next(e.detail for e in events if e.action == "rights.access_released")
    assert f"withhold={len(withheld)}" in released
    assert "release=" in released
    reasons = {item.reason for item in withheld}
    assert {"safety_plan", "third_party_contact", "said_by_others"} <= reasons
    for reason in reasons:
        ids = sorted(item.id for item in withheld if item.reason == reason)
        assert f"{reason}={','.join(map(str, ids))}" in released
    for event in events:
        for text in (*fam.NEVER_FOR_HARM, fam.HARM_NAME, fam.HARM_PHONE):
            assert text not in (event.detail or "")


def test_the_home_page_shows_the_deadline_overdue_in_words(app, team, clock):
    first, _second, family, *_ = team
    request_id = _register(first, fam.HARM_NAME)
    with app.app_context():
        deadline = db.session.get(AccessRequest, request_id).deadline_on
    home = first.get("/staff/")
    (notice,) = [p for p in home.page.iter("p") if "access request due" in "".join(p.itertext())]
    words = " ".join("".join(notice.itertext()).split())
    assert words.startswith("1 access request due; the next by ")
    assert "overdue" not in words
    assert notice.find(".//a").get("href") == "/staff/rights#access-title"

    clock.advance(days=(deadline - centre_today_of(app)).days + 1)
    first = staff_client(app, team[3])  # a month later: signed in again
    home = first.get("/staff/")
    (notice,) = [p for p in home.page.iter("p") if "access request due" in "".join(p.itertext())]
    assert " ".join("".join(notice.find("strong").itertext()).split()) == "1 is overdue."
    index = first.get("/staff/rights")
    row = next(tr for tr in index.page.iter("tr") if f"#{request_id}" in "".join(tr.itertext()))
    assert "overdue" in "".join(row.find(".//strong").itertext())

    # A case director's home page says nothing of access requests.
    director = staff_client(app, team[4])
    assert "access request" not in _text(director.get("/staff/"))


def centre_today_of(app):
    with app.test_request_context():
        return centre_today()


@pytest.mark.parametrize("role", ["case_director", "admin", "network"])
def test_only_coordinators_open_the_rights_pages(app, make_staff, role):
    other = staff_client(app, make_staff(role))
    for path in ("/staff/rights", "/staff/rights/access/new"):
        assert other.get(path).status_code == 403, path
    assert "Data-subject rights" not in _text(other.get("/staff/account"))


def test_a_partner_member_never_reaches_the_rights_pages(app, clock):
    member = make_member(app, "PZ Hasselt", kind="police", second_factor_at=clock())
    client = partner_client(app, member, clock())
    response = client.get("/staff/rights")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login"


def test_a_refused_registration_keeps_what_was_typed(app, team):
    first, *_ = team
    refused = first.submit(
        "/staff/rights/access/new",
        {
            "access-subject_name": fam.HARM_NAME,
            "access-received_on": (centre_today_of(app) + timedelta(days=2)).isoformat(),
            "access-identity_check": "other",
            "access-language": "nl",
        },
    )
    assert refused.status_code == 400
    words = _text(refused)
    assert "cannot be in the future" in words
    assert "Say how their identity was checked." in words
    name = next(el for el in refused.page.iter("input") if el.get("id") == "access-subject-name")
    assert name.get("value") == fam.HARM_NAME


def test_a_childs_copy_holds_nothing_of_the_file_nor_where_the_child_is(app, team):
    """A parent who asks for the child's copy may be the one who harms."""
    first, second, family, *_ = team
    request_id = _register(first, fam.CHILD_NAME)
    _choose(first, request_id, family, people=family.child_id)
    review = first.get(f"/staff/rights/access/{request_id}")
    assert "This copy is for a child." in _text(review)
    _approved(first, second, request_id)
    document, as_json, pdf_text = _copies(second, request_id)
    for text in (as_json, pdf_text):
        assert fam.CHILD_NAME in text
        for never in (*fam.NEVER_FOR_HARM, fam.SCHOOL, fam.ACTION_TITLE, fam.PARTNER_NOTE):
            assert never not in text, never
    assert "risk" not in {c["code"] for c in document["categories"]}
    assert [r["name"] for r in document["recipients"]] == [None]


def test_a_request_in_a_file_needs_the_persons_row_and_must_be_theirs(app, team):
    first, _second, family, *_ = team
    with app.app_context(), db.writing() as session:
        his, _code = submit(
            session,
            Submission(
                kind=IntakeKind.CONTACT,
                language="nl",
                contact=SafeContact(name=fam.HARM_NAME, phone=fam.HARM_PHONE, may_call=True),
                story="Zij heeft de kinderen meegenomen.",
            ),
        )
        session.add(CaseIntake(case_id=family.case_id, intake_id=his.id))
        his_id = his.id
    request_id = _register(first, fam.HARM_NAME)
    page = f"/staff/rights/access/{request_id}?look={family.case_number}"
    records = f"/staff/rights/access/{request_id}/records"
    alone = first.submit(records, {"records-intakes": str(his_id)}, form_page=page)
    assert alone.status_code == 400
    assert "Also choose this person in that file." in _text(alone)
    # With his row, a request of the victim's file is not his.
    with_row = first.submit(
        records,
        {"records-people": str(family.harm_id), "records-intakes": str(his_id)},
        form_page=page,
    )
    assert with_row.status_code == 400
    assert "The requests of a file are the victim's." in _text(with_row)
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "draft"


def test_a_victims_request_cannot_be_chosen_for_someone_else(app, team):
    first, _second, family, *_ = team
    request_id = _register(first, fam.HARM_NAME)
    page = f"/staff/rights/access/{request_id}?look={family.case_number}"
    refused = first.submit(
        f"/staff/rights/access/{request_id}/records",
        {"records-people": str(family.harm_id), "records-intakes": str(family.intake_id)},
        form_page=page,
    )
    assert refused.status_code == 400
    assert "another person's" in _text(refused)
    with app.app_context():
        assert db.session.get(AccessRequest, request_id).status == "draft"


def test_the_deadline_is_one_calendar_month_later():
    from datetime import date

    assert access.one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert access.one_month_after(date(2028, 1, 31)) == date(2028, 2, 29)
    assert access.one_month_after(date(2026, 12, 15)) == date(2027, 1, 15)
    assert access.one_month_after(date(2026, 3, 31)) == date(2026, 4, 30)
