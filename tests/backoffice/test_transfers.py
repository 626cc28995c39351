"""Transfers between centres over HTTP, on the three-centre network of
data/centres-example.json: sending, the receiving queue, accepting, the
sending centre's trace, a whole case file, "known at another centre"."""

import dataclasses

import pytest
from sqlalchemy import select

from core.model import AuditEvent, Case, CentreTransfer, Intake, Staff
from core.network.centres import NETWORK_EXTENSION
from tests.backoffice.helpers import staff_client
from tests.core.network.network_setup import (
    LEUVEN_NAME,
    MECHELEN_NAME,
    NETWORK_FILE,
    STORY,
    centre,
    request_in,
    staff_at,
    whole_leuven_file,
)
from tests.pages import form_values
from web.db import db

REASON = "Sam woont nu in Mechelen bij haar zus."
REVIEW = "Check the basis of these partners: it was given at the other centre"


@pytest.fixture
def network(app_factory):
    return app_factory(FJC_CENTRE_FILE=NETWORK_FILE)


def _member(app, slug: str, role: str = "coordinator") -> tuple[int, str]:
    with app.app_context(), db.writing() as session:
        staff = staff_at(session, slug, role)
        return staff.id, staff.email


def _browser(app, slug: str, role: str = "coordinator"):
    return staff_client(app, _member(app, slug, role))


def _leuven_request(app, municipality: str = "Leuven") -> int:
    with app.app_context(), db.writing() as session:
        return request_in(session, municipality).id


def _transfer_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(CentreTransfer.id).order_by(CentreTransfer.id.desc()))


def _offered_to_mechelen(app):
    """A Leuven request its coordinator offered to Mechelen: that coordinator's
    browser, the request's id and the transfer's."""
    intake_id = _leuven_request(app)
    leuven = _browser(app, "leuven")
    page = f"/staff/intakes/{intake_id}"
    leuven.submit(f"{page}/transfer", {"to_centre": "mechelen", "reason": REASON}, form_page=page)
    return leuven, intake_id, _transfer_id(app)


def _answer(client, transfer_id: int, answer: str, reason: str):
    """Decline a transfer, or send what was asked, from the queue."""
    return client.submit(
        f"/staff/transfers/{transfer_id}/{answer}",
        {f"{answer}-{transfer_id}-reason": reason},
        form_page="/staff/",
    )


def _text(response) -> str:
    """The page's text as a reader sees it (entities decoded, spaces collapsed)."""
    return " ".join("".join(response.page.itertext()).split())


def test_a_leuven_request_moves_to_mechelen_when_mechelen_accepts(network):
    intake_id = _leuven_request(network)
    leuven = _browser(network, "leuven")
    mechelen = _browser(network, "mechelen")
    page = f"/staff/intakes/{intake_id}"
    assert "Transfer to another centre" in _text(leuven.get(page))
    assert mechelen.get(page).status_code == 404

    sent = leuven.submit(
        f"{page}/transfer", {"to_centre": "mechelen", "reason": REASON}, form_page=page
    )
    assert sent.status_code == 303
    body = _text(leuven.get(page))
    assert f"The request is offered to {MECHELEN_NAME}. It stays here until they accept it." in body
    assert f"Offered to {MECHELEN_NAME} on" in body

    # Before accepting, Mechelen sees what it needs to decide, nothing more.
    queue = mechelen.get("/staff/")
    body = _text(queue)
    assert "Transfers to this centre" in body
    assert f"Request from {LEUVEN_NAME}" in body
    assert REASON in body
    assert STORY not in body and "Sam " not in body.replace(REASON, "")
    assert not [a for a in queue.page.iter("a") if a.get("href") == page]
    assert mechelen.get(page).status_code == 404

    transfer_id = _transfer_id(network)
    accepted = mechelen.submit(f"/staff/transfers/{transfer_id}/accept", {}, form_page="/staff/")
    assert accepted.status_code == 303 and accepted.headers["Location"] == page
    body = _text(mechelen.get(page))
    assert "The request is now in this centre's queue." in body
    assert STORY in body
    queue = mechelen.get("/staff/")
    assert [a for a in queue.page.iter("a") if a.get("href") == page]
    assert "Transfers to this centre" not in _text(queue)

    # Leuven: not found any more; its trace has no link, no name, no number.
    assert leuven.get(page).status_code == 404
    assert [a.get("href") for a in leuven.get("/staff/").page.iter("a")].count(page) == 0
    trace = leuven.get("/staff/transfers")
    body = _text(trace)
    assert "Sent to other centres" in body
    [row] = trace.page.findall(".//table//tbody/tr")
    cells = ["".join(td.itertext()).strip() for td in row.findall("td")]
    assert cells[0] == "Request" and cells[2:] == [MECHELEN_NAME, "Accepted"]
    assert row.find(".//a") is None
    assert len(cells) == 4 and "#" not in "".join(cells)  # kind, date, centre, status
    assert REASON not in body and STORY not in body

    with network.app_context():
        for action in ("transfer.sent", "transfer.accepted"):
            centres = db.session.scalars(
                select(AuditEvent.centre_id).where(AuditEvent.action == action)
            ).all()
            assert sorted(centres) == sorted(
                [centre(db.session, "leuven").id, centre(db.session, "mechelen").id]
            )


def test_a_refused_transfer_form_says_why_and_keeps_what_was_typed(network):
    intake_id = _leuven_request(network)
    leuven = _browser(network, "leuven")
    page = f"/staff/intakes/{intake_id}"
    refused = leuven.submit(f"{page}/transfer", {"to_centre": "", "reason": "  "}, form_page=page)
    assert refused.status_code == 200
    body = _text(refused)
    assert "Choose the centre it goes to." in body
    assert "Say why it goes to this centre." in body

    refused = leuven.submit(
        f"{page}/transfer", {"to_centre": "antwerpen", "reason": ""}, form_page=page
    )
    chosen = refused.page.find(".//select[@name='to_centre']/option[@selected]")
    assert chosen is not None and chosen.get("value") == "antwerpen"
    with network.app_context():
        assert db.session.scalars(select(CentreTransfer)).all() == []


def test_a_case_file_arrives_whole_with_its_partners_to_review(network):
    with network.app_context(), db.writing() as session:
        coordinator = staff_at(session, "leuven")
        coordinator_login = (coordinator.id, coordinator.email)
        built = whole_leuven_file(session, coordinator)
    leuven = staff_client(network, coordinator_login)
    mechelen = _browser(network, "mechelen")
    page = f"/staff/cases/{built.case_id}"
    assert REVIEW not in _text(leuven.get(page))
    sent = leuven.submit(
        f"{page}/transfer", {"to_centre": "mechelen", "reason": REASON}, form_page=page
    )
    assert sent.status_code == 303
    body = _text(leuven.get(page))
    assert f"The case file is offered to {MECHELEN_NAME}." in body
    assert "Offered to another centre" in body  # on its timeline

    body = _text(mechelen.get("/staff/"))
    assert f"Case file from {LEUVEN_NAME}" in body and "Track 3" in body
    assert mechelen.get(page).status_code == 404
    transfer_id = _transfer_id(network)
    accepted = mechelen.submit(f"/staff/transfers/{transfer_id}/accept", {}, form_page="/staff/")
    assert accepted.status_code == 303 and accepted.headers["Location"] == page

    case_page = mechelen.get(page)
    body = _text(case_page)
    with network.app_context():
        number = db.session.get(Case, built.case_id).number
    assert f"The case file is now this centre's, number {number}." in body
    assert "Noor" in body and "Sam" in body  # its people
    assert "Bel de school" in body  # its action plan
    assert "CAW Leuven" in body  # its partner
    assert "Risk assessment" in body and "Standard risk" in body
    assert REVIEW in body
    assert f"Received from another centre: {LEUVEN_NAME}" in body
    assert leuven.get(page).status_code == 404

    plan = mechelen.get(f"{page}/people/{_victim_id(network, built.case_id)}/safety-plan")
    assert plan.status_code == 200 and "Hij drinkt." in _text(plan)

    reviewed = mechelen.submit(f"{page}/partners/{built.partner_id}/reviewed", {}, form_page=page)
    assert reviewed.status_code == 303
    body = _text(mechelen.get(page))
    assert "The partner's basis is checked." in body
    assert REVIEW not in body
    assert "Partner's basis checked after a transfer: CAW" in body


def _victim_id(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).people[0].id


def test_declining_sends_it_back_with_the_reason(network):
    leuven, intake_id, transfer_id = _offered_to_mechelen(network)
    mechelen = _browser(network, "mechelen")
    page = f"/staff/intakes/{intake_id}"
    declined = _answer(mechelen, transfer_id, "decline", "Niet onze regio.")
    assert declined.status_code == 303
    assert "The transfer is declined. Nothing moved." in _text(mechelen.get("/staff/transfers"))
    assert leuven.get(page).status_code == 200
    body = _text(leuven.get("/staff/transfers"))
    assert "Declined: Niet onze regio." in body
    # Answered once: a second answer changes nothing.
    again = mechelen.post(
        f"/staff/transfers/{transfer_id}/accept",
        data={"csrf_token": _token(mechelen)},
    )
    assert again.status_code == 303
    assert "This transfer was already answered." in _text(mechelen.get("/staff/transfers"))
    with network.app_context():
        assert db.session.get(Intake, intake_id).centre_id == centre(db.session, "leuven").id


def _token(client) -> str:
    return form_values(client.get("/staff/account").page)["csrf_token"]


def test_known_at_another_centre_shows_only_the_centres_name(network):
    at_leuven = _leuven_request(network)
    here = _leuven_request(network, "Mechelen")
    mechelen = _browser(network, "mechelen")
    page = f"/staff/intakes/{here}"
    response = mechelen.get(page)
    body = _text(response)
    assert f"Known at another centre: {LEUVEN_NAME}" in body
    assert f"Ask {LEUVEN_NAME} to transfer it to us" in body
    assert f"/staff/intakes/{at_leuven}" not in response.get_data(as_text=True)
    assert f"#{at_leuven}" not in body
    # A case director sees where she is known, but only coordinators ask.
    director = _browser(network, "mechelen", "case_director")
    body = _text(director.get(page))
    assert f"Known at another centre: {LEUVEN_NAME}" in body
    assert "to transfer it to us" not in body

    asked = mechelen.submit(f"{page}/ask-transfer", {"centre": "leuven"}, form_page=page)
    assert asked.status_code == 303
    body = _text(mechelen.get(page))
    assert f"{LEUVEN_NAME} is asked to transfer it to this centre." in body
    assert f"You asked {LEUVEN_NAME} to transfer it. Waiting for their answer." in body
    assert "Family Justice Center Leuven" in _text(mechelen.get("/staff/transfers"))

    # Leuven sees the ask on its queue, sends it, and Mechelen accepts.
    leuven = _browser(network, "leuven")
    queue = leuven.get("/staff/")
    body = _text(queue)
    assert "Asked by other centres" in body and f"{MECHELEN_NAME} asks for:" in body
    transfer_id = _transfer_id(network)
    refused = _answer(leuven, transfer_id, "send", "")
    assert refused.status_code == 400
    assert "Say why it goes to this centre." in _text(refused)
    sent = _answer(leuven, transfer_id, "send", REASON)
    assert sent.status_code == 303
    accepted = mechelen.submit(f"/staff/transfers/{transfer_id}/accept", {}, form_page="/staff/")
    assert accepted.status_code == 303
    assert mechelen.get(f"/staff/intakes/{at_leuven}").status_code == 200


def test_switching_matching_across_centres_off_hides_it(network):
    network.extensions[NETWORK_EXTENSION] = dataclasses.replace(
        network.extensions[NETWORK_EXTENSION], cross_centre_matching=False
    )
    _leuven_request(network)
    here = _leuven_request(network, "Mechelen")
    mechelen = _browser(network, "mechelen")
    page = f"/staff/intakes/{here}"
    body = _text(mechelen.get(page))
    assert "Known at another centre" not in body
    asked = mechelen.post(
        f"{page}/ask-transfer", data={"csrf_token": _token(mechelen), "centre": "leuven"}
    )
    assert asked.status_code == 404
    with network.app_context():
        assert db.session.scalars(select(CentreTransfer)).all() == []


def test_a_case_director_may_not_transfer(network):
    _leuven, intake_id, transfer_id = _offered_to_mechelen(network)
    page = f"/staff/intakes/{intake_id}"
    for slug in ("leuven", "mechelen"):
        director = _browser(network, slug, "case_director")
        assert "Transfer to another centre" not in _text(director.get("/staff/"))
        token = _token(director)
        assert director.get("/staff/transfers").status_code == 403
        for path in (
            f"{page}/transfer",
            f"{page}/ask-transfer",
            f"/staff/transfers/{transfer_id}/accept",
            f"/staff/transfers/{transfer_id}/decline",
            f"/staff/transfers/{transfer_id}/send",
        ):
            response = director.post(path, data={"csrf_token": token, "to_centre": "mechelen"})
            assert response.status_code == 403, (slug, path)
    leuven_director = _browser(network, "leuven", "case_director")
    assert "Transfer to another centre" not in _text(leuven_director.get(page))


def test_another_centres_transfer_is_not_found(network):
    leuven, _intake_id, transfer_id = _offered_to_mechelen(network)
    antwerpen = _browser(network, "antwerpen")
    # A third centre does not find it; the sender does not answer its own transfer.
    for client in (antwerpen, leuven):
        token = _token(client)
        for action in ("accept", "decline", "send"):
            path = f"/staff/transfers/{transfer_id}/{action}"
            assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert "Nothing was sent to this centre." in _text(antwerpen.get("/staff/transfers"))
    with network.app_context():
        transfer = db.session.get(CentreTransfer, transfer_id)
        assert transfer.status == "pending"
        assert db.session.get(Staff, transfer.requested_by_id) is not None


@pytest.mark.parametrize("slug", ["leu\x00ven", "x" * 300, "Leuven", "../leuven"])
def test_a_centre_no_form_offered_is_refused_calmly(network, slug):
    intake_id = _leuven_request(network)
    here = _leuven_request(network, "Mechelen")
    leuven = _browser(network, "leuven")
    page = f"/staff/intakes/{intake_id}"
    refused = leuven.submit(
        f"{page}/transfer", {"to_centre": slug, "reason": REASON}, form_page=page
    )
    assert refused.status_code == 200
    assert "Choose the centre it goes to." in _text(refused)
    mechelen = _browser(network, "mechelen")
    asked = mechelen.post(
        f"/staff/intakes/{here}/ask-transfer", data={"csrf_token": _token(mechelen), "centre": slug}
    )
    assert asked.status_code == 404
