"""Staff choose the back office's language (nl, fr, en) on every page: before
signing in for this browser, and once signed in on their account, so every
device they sign in on follows it."""

import pytest
from sqlalchemy import select

from core.model import Staff
from tests.conftest import TEST_PASSWORD
from tests.pages import form_values
from web.db import db


def _switch(client, page: str, language: str, next_path: str | None = None):
    values = form_values(client.get(page).page, action="/staff/language")
    values["language"] = language
    if next_path is not None:
        values["next"] = next_path
    return client.post("/staff/language", data=values)


def test_before_signing_in_the_choice_holds_for_this_browser(app, make_staff):
    _, email = make_staff("coordinator")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    moved = _switch(client, "/staff/login", "fr")
    assert moved.status_code == 303 and moved.headers["Location"] == "/staff/login"
    login_page = client.get("/staff/login")
    assert 'lang="fr"' in login_page.get_data(as_text=True)
    assert "Se connecter" in login_page.get_data(as_text=True)
    client.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
    assert 'lang="fr"' in client.get("/staff/").get_data(as_text=True)


def test_signed_in_the_choice_is_kept_on_the_account(app, client, signed_in):
    staff_id = signed_in("case_director")
    assert 'lang="en"' in client.get("/staff/").get_data(as_text=True)
    moved = _switch(client, "/staff/cases", "nl", next_path="/staff/cases")
    assert moved.headers["Location"] == "/staff/cases"
    assert 'lang="nl"' in client.get("/staff/cases").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Staff.language).where(Staff.id == staff_id)) == "nl"


def test_another_device_follows_the_account(app, make_staff):
    staff_id, email = make_staff("coordinator")
    with app.app_context(), db.writing() as session:
        session.get(Staff, staff_id).language = "fr"
    laptop = app.test_client()
    laptop.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    laptop.submit("/staff/login", {"email": email, "password": TEST_PASSWORD})
    assert 'lang="fr"' in laptop.get("/staff/").get_data(as_text=True)


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/staff", "//evil.example/staff", "/nl/", "/staff\\x"]
)
def test_the_switch_never_leads_off_the_back_office(client, signed_in, next_path):
    signed_in("coordinator")
    moved = _switch(client, "/staff/", "fr", next_path=next_path)
    assert moved.status_code == 303 and moved.headers["Location"] == "/staff/"


def test_an_unknown_language_is_refused_and_nothing_changes(client, signed_in):
    signed_in("coordinator")
    refused = _switch(client, "/staff/", "de")
    assert refused.status_code == 400
    assert 'lang="en"' in client.get("/staff/").get_data(as_text=True)


def test_the_switch_is_on_every_staff_page_and_names_the_current_language(client, signed_in):
    signed_in("coordinator")
    for page in ("/staff/", "/staff/cases", "/staff/account", "/staff/stats"):
        buttons = [b for b in client.get(page).page.iter("button") if b.get("name") == "language"]
        assert [b.get("value") for b in buttons] == ["nl", "fr", "en"], page
        assert [b.get("value") for b in buttons if b.get("aria-current")] == ["en"], page


def test_a_status_says_its_own_word_not_the_buttons(app, make_staff):
    """In English "Open" is a status and a button; in French a dossier is
    "Ouvert", never the verb "Ouvrir"."""
    from tests.backoffice.helpers import open_test_case, staff_client

    director = make_staff("case_director")
    case_id = open_test_case(app, director[0])
    client = staff_client(app, director)
    _switch(client, "/staff/cases", "fr")
    page = client.get(f"/staff/cases/{case_id}")
    terms = page.page.findall(".//dl/dt")
    words = page.page.findall(".//dl/dd")
    status = next(dd.text for dt, dd in zip(terms, words, strict=False) if dt.text == "Statut")
    assert status == "Ouvert", status
