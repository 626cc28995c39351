"""The case page's part of the virtual roof: letting a partner's members into
the file and out again, planning a consultation they answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.model import CaseEvent, CasePartnerMember, PlannedConsultation
from tests.backoffice.helpers import open_test_case, staff_client
from tests.partner.helpers import add_partner, make_member
from web.db import db


def _text(response) -> str:
    return " ".join("".join(response.page.itertext()).split())


def _linked(app, partner_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(CasePartnerMember.staff_id).where(
                    CasePartnerMember.case_partner_id == partner_id
                )
            )
        )


def test_the_case_director_lets_a_member_in_and_out(app, make_staff, clock):
    director = make_staff("case_director", name="Dana")
    case_id = open_test_case(app, director[0])
    police = add_partner(
        app,
        case_id,
        director[0],
        kind="police",
        organisation="PZ Mechelen",
        basis="case_consultation",
    )
    member = make_member(app, "PZ Mechelen", kind="police", name="Ines Peeters")
    make_member(app, "De Klimop", kind="school", name="Tom Teacher")  # not offered
    team = staff_client(app, director)
    page = f"/staff/cases/{case_id}"
    offered = team.get(page).page.find(f".//select[@id='partner-{police}-member']")
    assert [o.text for o in offered.iter("option")] == ["Ines Peeters (PZ Mechelen)"]
    added = team.submit(
        f"{page}/partners/{police}/members", {"staff_id": str(member.id)}, form_page=page
    )
    assert added.status_code == 303 and added.headers["Location"].endswith(f"#partner-{police}")
    assert _linked(app, police) == [member.id]
    shown = _text(team.get(page))
    assert "Ines Peeters can now open this case file." in shown
    assert "Partner member may open the file: Ines Peeters" in shown
    removed = team.submit(
        f"{page}/partners/{police}/members/{member.id}/remove", {}, form_page=page
    )
    assert removed.status_code == 303 and _linked(app, police) == []
    assert "Ines Peeters can no longer open this case file." in _text(team.get(page))


def test_only_an_active_partner_member_can_be_let_in_and_never_after_a_withdrawal(
    app, make_staff, clock
):
    director = make_staff("case_director")
    colleague, _ = make_staff("case_director", name="Colleague")
    case_id = open_test_case(app, director[0])
    school = add_partner(
        app,
        case_id,
        director[0],
        kind="school",
        organisation="De Klimop",
        scope=("safety_plan",),
        given_at=clock.current - timedelta(days=1),
    )
    member = make_member(app, "De Klimop", kind="school")
    inspector = make_member(app, "PZ Mechelen", kind="police")
    team = staff_client(app, director)
    page = f"/staff/cases/{case_id}"
    url = f"{page}/partners/{school}/members"
    refused = team.submit(url, {"staff_id": str(colleague)}, form_page=page)
    assert refused.status_code == 200
    assert "Choose an active partner member." in _text(refused)
    assert _linked(app, school) == []
    # The police's member is not offered for the school, and refused if sent.
    token = next(
        i.get("value") for i in team.get(page).page.iter("input") if i.get("name") == "csrf_token"
    )
    other_kind = team.post(url, data={"csrf_token": token, "staff_id": str(inspector.id)})
    assert "Choose a member of this partner's organisation." in _text(other_kind)
    assert _linked(app, school) == []
    team.submit(f"{page}/partners/{school}/withdraw", {}, form_page=page)
    # The form is gone: the partner may see nothing. A stale form is refused.
    assert team.get(page).page.find(f".//select[@id='partner-{school}-member']") is None
    token = next(
        i.get("value") for i in team.get(page).page.iter("input") if i.get("name") == "csrf_token"
    )
    stale = team.post(url, data={"csrf_token": token, "staff_id": str(member.id)})
    assert stale.status_code == 200 and "may see nothing now" in _text(stale)
    assert _linked(app, school) == []
    # Another file's partner through this file's URL: not found.
    other_case = open_test_case(app, director[0])
    elsewhere = add_partner(
        app, other_case, director[0], kind="police", organisation="PZ", basis="case_consultation"
    )
    assert (
        team.post(
            f"{page}/partners/{elsewhere}/members",
            data={"csrf_token": token, "staff_id": str(member.id)},
        ).status_code
        == 404
    )


def test_a_consultation_is_planned_for_today_or_later(app, make_staff, clock):
    director = make_staff("case_director")
    case_id = open_test_case(app, director[0])
    team = staff_client(app, director)
    page = f"/staff/cases/{case_id}"
    today = clock.current.astimezone().date()
    past = team.submit(
        f"{page}/consultations/planned",
        {"planned_on": (today - timedelta(days=2)).isoformat(), "legal_basis": "art_458ter"},
        form_page=page,
    )
    assert past.status_code == 200
    assert "A planned consultation is today or later." in _text(past)
    assert (
        past.page.find(".//input[@id='planned-planned_on']").get("value")
        == (today - timedelta(days=2)).isoformat()
    )
    planned = team.submit(
        f"{page}/consultations/planned",
        {"planned_on": (today + timedelta(days=7)).isoformat(), "legal_basis": "art_458ter"},
        form_page=page,
    )
    assert planned.status_code == 303
    with app.app_context():
        assert len(db.session.scalars(select(PlannedConsultation)).all()) == 1
        assert db.session.scalar(
            select(CaseEvent.action).where(CaseEvent.action == "case.consultation_planned")
        )
    assert "No partner has answered yet." in _text(team.get(page))


def test_a_partner_is_tied_to_the_organisation_of_its_first_member(app, make_staff, clock):
    """Another school's member is not let in on De Klimop's consent, and the
    partner cannot be renamed into another organisation under its members."""
    director = make_staff("case_director")
    case_id = open_test_case(app, director[0])
    school = add_partner(
        app,
        case_id,
        director[0],
        kind="school",
        organisation="De Klimop",
        scope=("safety_plan",),
        given_at=clock.current - timedelta(days=1),
    )
    teacher = make_member(app, "De Klimop", kind="school")
    other_school = make_member(app, "Sint-Jozef", kind="school")
    team = staff_client(app, director)
    page = f"/staff/cases/{case_id}"
    url = f"{page}/partners/{school}/members"
    assert team.submit(url, {"staff_id": str(teacher.id)}, form_page=page).status_code == 303
    offered = team.get(page).page.find(f".//select[@id='partner-{school}-member']")
    assert offered is None  # nobody else of De Klimop is left to offer
    token = next(
        i.get("value") for i in team.get(page).page.iter("input") if i.get("name") == "csrf_token"
    )
    refused = team.post(url, data={"csrf_token": token, "staff_id": str(other_school.id)})
    assert "Choose a member of this partner's organisation." in _text(refused)
    assert _linked(app, school) == [teacher.id]
    edit = f"{page}/partners/{school}"
    renamed = team.submit(edit, {"kind": "police", "organisation": "PZ Mechelen"})
    assert renamed.status_code == 200
    assert "Take this partner's members off the file first" in _text(renamed)
    # Once nobody works on the file for it, its details may change again.
    team.submit(f"{url}/{teacher.id}/remove", {}, form_page=page)
    assert team.submit(edit, {"kind": "school", "organisation": "Sint-Jozef"}).status_code == 303
    assert team.submit(url, {"staff_id": str(other_school.id)}, form_page=page).status_code == 303
