"""What a door stores, however fast it is made to store it: every personal field
encrypted at rest, one request per form, and the municipalities the database
holds at the moment of the request (a `migrate` while the portal runs)."""

import json
import re
import secrets

import pytest
from sqlalchemy import func, select, text

from core.infra.config import PROJECT_ROOT
from core.infra.crypto import keyring
from core.model import Centre, Intake, Municipality, Referral
from core.network.centres import ensure_centres, load_centre_file
from tests.pages import form_values
from tests.portal.helpers import municipality_id
from web.db import db

CODE = re.compile(r'<p class="code" dir="ltr">([0-9 ]+)</p>')
EXAMPLE = PROJECT_ROOT / "data" / "centres-example.json"

# Each personal answer is a word of its own, so any of them found in clear in
# the database file's rows is a leak.
DOORS = {
    "contact": {
        "name": "Sammy Marker",
        "phone": "0470 12 34 56",
        "phone_permissions": ["call"],
        "email": "marker-mail@example.be",
        "safe_word": "marker umbrella",
        "story": "marker story of the contact door",
    },
    "question": {"question": "marker question of the second door"},
    "referral": {
        "referrer_organisation": "Marker organisation",
        "referrer_role": "marker role",
        "referrer_name": "Marker Referrer",
        "referrer_phone": "015 12 34 56",
        "referrer_email": "marker-ref@example.be",
        "client_consent": "agrees",
        "risk_concerns": ["weapons"],
        "risk_text": "marker risk text",
        "urgency": "normal",
        "name": "Marker Client",
        "phone": "0470 99 88 77",
        "phone_permissions": ["call"],
        "story": "marker story of the referral",
    },
    "young": {
        "safe_now": "yes",
        "reach": "trusted_adult",
        "trusted_adult": "marker teacher, via school",
        "story": "marker story of a young person",
    },
}
# Typed, but stored in another form (a number in its canonical form, a code).
NOT_VERBATIM = {"phone", "referrer_phone", "phone_permissions", "risk_concerns"}
CLEAR = ("client_consent", "urgency", "safe_now", "reach")


def _raw_rows(app, table: str) -> list[dict]:
    """The rows as the database file holds them: no column type decrypts."""
    with app.app_context():
        rows = db.session.execute(text(f"SELECT * FROM {table}")).mappings()  # noqa: S608
        return [dict(row) for row in rows]


def _personal_columns(model) -> list[str]:
    return [c.name for c in model.__table__.columns if "Encrypted" in type(c.type).__name__]


@pytest.mark.parametrize("door", DOORS)
def test_every_door_stores_each_personal_answer_encrypted(app, client, door):
    answers = DOORS[door]
    sent = client.submit(f"/en/{door}", answers)
    assert CODE.search(sent.get_data(as_text=True)), "the request was refused"
    typed = [
        value
        for name, value in answers.items()
        if name not in NOT_VERBATIM and name not in CLEAR and isinstance(value, str)
    ]
    rows = _raw_rows(app, "intakes") + _raw_rows(app, "referrals")
    stored = json.dumps(rows, default=str)
    for value in typed:
        assert value not in stored, f"{value!r} is in the database in clear"
    # And each personal column holds a token that opens to what was typed.
    opened = []
    for row, model in [(r, Intake) for r in _raw_rows(app, "intakes")] + [
        (r, Referral) for r in _raw_rows(app, "referrals")
    ]:
        for column in _personal_columns(model):
            if row[column] is not None:
                opened.append(keyring().decrypt(row[column]))
    for value in typed:
        assert any(value in plain for plain in opened), f"{value!r} was not stored"


@pytest.mark.parametrize("door", DOORS)
def test_a_form_sent_again_after_its_code_showed_is_only_already_sent(app, client, door):
    page = client.get(f"/en/{door}")
    data = {**form_values(page.page, action=f"/en/{door}"), **DOORS[door]}
    first = client.post(f"/en/{door}", data=data)
    assert CODE.search(first.get_data(as_text=True))
    again = client.post(f"/en/{door}", data=data)
    assert "already sent" in again.get_data(as_text=True)
    assert not CODE.search(again.get_data(as_text=True)), "no second code"
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 1


def _migrate(app, centre_file) -> None:
    """What `flask migrate` does with a changed centre file, in its own process,
    while the portal keeps running: only the database changes."""
    with app.app_context(), db.writing() as session:
        ensure_centres(session, load_centre_file(centre_file))


def _offered(client) -> set[str]:
    page = client.get("/en/contact").page
    select_element = next(el for el in page.iter("select") if el.get("name") == "municipality")
    return {option.text for option in select_element.iter("option")}


def test_the_municipalities_follow_a_migrate_while_the_portal_runs(app, client):
    assert "Herent" not in _offered(client)
    _migrate(app, EXAMPLE)
    assert {"Herent", "Antwerpen", "Lier"} <= _offered(client)
    sent = client.submit(
        "/en/contact", {"email": "x@example.be", "municipality": municipality_id(app, "Herent")}
    )
    assert CODE.search(sent.get_data(as_text=True)), "the new municipality was refused"
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        assert db.session.get(Centre, intake.centre_id).slug == "leuven"


def _change_from_another_process(app, statement: str, **values) -> None:
    # Not through this process's sessions (as `migrate` in another process):
    # nothing here hears of it.
    with app.app_context(), db.get_engine().begin() as connection:
        connection.execute(text(statement), values)


def test_a_list_changed_by_another_process_shows_within_ten_seconds(app, client, clock):
    lier = municipality_id(app, "Lier")
    assert "Lier" in _offered(client)
    _change_from_another_process(
        app, "UPDATE municipalities SET active = false WHERE id = :id", id=int(lier)
    )
    try:
        assert "Lier" in _offered(client)  # the list this process read, kept a while
        page = client.get("/en/contact")
        data = {**form_values(page.page, action="/en/contact"), "email": "x@example.be"}
        refused = client.post("/en/contact", data={**data, "municipality": lier})
        assert "Choose from the list." in refused.get_data(as_text=True)  # checked for real
        clock.advance(seconds=10)
        assert "Lier" not in _offered(client)
    finally:
        _change_from_another_process(
            app, "UPDATE municipalities SET active = true WHERE id = :id", id=int(lier)
        )
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 0


def test_a_municipality_that_left_the_file_is_refused_and_the_answers_kept(app, client, tmp_path):
    page = client.get("/en/contact")
    data = {**form_values(page.page, action="/en/contact"), "email": "x@example.be"}
    lier = municipality_id(app, "Lier")
    network = json.loads((PROJECT_ROOT / "data" / "centre.json").read_text(encoding="utf-8"))
    for centre in network.get("centres", [network]):
        centre["municipalities"] = [m for m in centre["municipalities"] if m != "Lier"]
    smaller = tmp_path / "centre.json"
    smaller.write_text(json.dumps(network), encoding="utf-8")
    _migrate(app, smaller)
    assert "Lier" not in _offered(client)
    refused = client.post("/en/contact", data={**data, "municipality": lier})
    body = refused.get_data(as_text=True)
    assert "Choose from the list." in body
    assert "x@example.be" in body, "what she typed is kept"
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 0
        assert db.session.get(Municipality, int(lier)).active is False


def test_a_form_too_long_for_the_cookie_comes_back_with_the_whole_list(app, client):
    # Shown at once as the answer to the POST (portal.receipts): the answer
    # was checked by its one row, and the page still offers every municipality.
    page = client.get("/en/contact")
    data = {
        **form_values(page.page, action="/en/contact"),
        "email": "x@example.be",
        "municipality": municipality_id(app, "Lier"),
        "story": secrets.token_urlsafe(3100)[:4001],
    }
    answer = client.post("/en/contact", data=data)
    assert answer.status_code == 200
    assert "Please keep this under 4000 characters." in answer.get_data(as_text=True)
    select_element = next(
        el for el in answer.page.iter("select") if el.get("name") == "municipality"
    )
    options = list(select_element.iter("option"))
    assert len(options) == 12 + 2, "the twelve municipalities, 'choose' and 'another one'"
    chosen = [option.text for option in options if option.get("selected") is not None]
    assert chosen == ["Lier"], "her answer stays chosen"
