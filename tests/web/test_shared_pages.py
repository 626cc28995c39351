"""Whole pages copied for every visitor (web/shared_pages.py): a copy is the
page rendered in full, a visit gets its own CSRF token and submission id in
it and can send the form with them, no copy holds a token, a copy answers
only its own address and dependencies, and a copy spares building the form."""

import re

import pytest
from sqlalchemy import func, select

from core.model import Intake
from tests.portal.test_doors_store import CODE, DOORS
from web.db import db
from web.shared_pages import EXTENSION, SharedPages

TOKENS = re.compile(r'name="(csrf_token|submission_id)" type="hidden" value="([^"]+)"')
SHARED = ["", "contact", "question", "referral", "young", "safety"]
LANGUAGES = ["nl", "fr", "ar", "uk"]


def _masked(body: str) -> str:
    return TOKENS.sub(r'name="\1" type="hidden" value="TOKEN"', body)


def _copies(app) -> list[str]:
    store = app.extensions[EXTENSION]
    return ["".join(copy.pieces or ()) for copy in store._copies.values()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_copied_page_is_the_page_rendered_in_full(app, client, lang):
    for page in SHARED:
        path = f"/{lang}/{page}"
        client.get(path)
        copied = client.get(path)
        app.jinja_env.auto_reload = True  # as in development: nothing shared
        try:
            in_full = client.get(path)
        finally:
            app.jinja_env.auto_reload = False
        assert copied.status_code == in_full.status_code == 200, path
        assert _masked(copied.get_data(as_text=True)) == _masked(in_full.get_data(as_text=True))
        assert sorted(copied.headers.keys()) == sorted(in_full.headers.keys()), path
    assert app.extensions[EXTENSION].renders == len(SHARED)


def test_each_visit_has_its_own_tokens_and_no_copy_holds_one(app, client):
    seen = []
    for _ in range(3):
        body = client.get("/nl/contact").get_data(as_text=True)
        seen += [value for _name, value in TOKENS.findall(body)]
    submission_ids = seen[1::2]
    assert len(set(submission_ids)) == 3
    assert not any(value in copy for value in seen for copy in _copies(app))


@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_form_from_the_copy_is_sent_and_stored(app, client, door):
    client.get(f"/en/{door}")  # the copy is made; submit() fetches the copy
    sent = client.submit(f"/en/{door}", DOORS[door])
    assert CODE.search(sent.get_data(as_text=True)), sent.status_code
    with app.app_context():
        assert db.session.scalar(select(func.count(Intake.id))) == 1


def test_a_copy_spares_building_the_form(app, client, monkeypatch):
    from portal.forms import ContactForm

    built = []
    original = ContactForm.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ContactForm, "__init__", counting)
    for _ in range(3):
        assert client.get("/nl/contact").status_code == 200
    assert len(built) == 1


def test_a_copy_answers_only_its_own_address(client):
    one = client.get("/nl/safety", base_url="https://hulp.example.be").get_data(as_text=True)
    other = client.get("/nl/safety", base_url="https://other.example").get_data(as_text=True)
    assert "https://hulp.example.be/nl/" in one and "hulp.example.be" not in other
    assert "https://other.example/nl/" in other


def test_a_form_sent_back_is_never_the_copy(app, client):
    client.get("/nl/contact")
    typed = "Kwartelkoning"
    back = client.submit("/nl/contact", {"name": typed, "story": "hier"})
    assert typed in back.get_data(as_text=True)
    assert not any(typed in copy for copy in _copies(app))
    assert typed not in client.get("/nl/contact").get_data(as_text=True)


def _store_page(store, dependencies, tokens, render):
    return store.page(("page", "nl"), dependencies, tokens, render)


def test_a_copy_is_made_again_when_its_dependencies_change():
    store = SharedPages()
    towns = ["Mechelen"]
    assert _store_page(store, (towns,), {}, lambda: "Mechelen") == "Mechelen"
    assert _store_page(store, (list(towns),), {}, lambda: "never") == "Mechelen"
    grown = ["Mechelen", "Bonheiden"]
    assert _store_page(store, (grown,), {}, lambda: "Mechelen, Bonheiden") == "Mechelen, Bonheiden"
    assert store.renders == 2


def test_the_tokens_are_put_where_the_first_visit_had_them():
    store = SharedPages()
    first = {"csrf_token": "c1", "submission_id": "s1"}
    page = '<input value="s1"> <input value="c1">'
    assert _store_page(store, (), first, lambda: page) == page
    again = _store_page(store, (), {"csrf_token": "c2", "submission_id": 's2"<'}, lambda: "never")
    assert again == '<input value="s2&#34;&lt;"> <input value="c2">'


def test_a_page_showing_a_token_twice_is_not_copied():
    store = SharedPages()
    renders = []

    def render():
        renders.append(1)
        return f"<p>{len(renders)}</p> tok tok"

    for _ in range(3):
        _store_page(store, (), {"csrf_token": "tok"}, render)
    assert len(renders) == 3
