import pytest

from core.infra.config import DEFAULT_LANGUAGES


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("fr-BE,fr;q=0.9,en;q=0.5", "/fr/"),
        ("en-GB,en;q=0.8", "/en/"),
        ("nl-BE", "/nl/"),
        ("de-DE,de;q=0.9", "/de/"),
        ("ar-MA,ar;q=0.9,fr;q=0.5", "/ar/"),
        ("ja-JP,ja;q=0.9", "/nl/"),
        ("", "/nl/"),
    ],
)
def test_the_root_sends_people_to_their_language(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("lang", DEFAULT_LANGUAGES)
def test_pages_carry_their_language(client, lang):
    response = client.get(f"/{lang}/contact")
    assert response.status_code == 200
    assert response.page.get("lang") == lang
    assert response.page.get("dir") == ("rtl" if lang in ("ar", "fa") else "ltr")


def test_an_unknown_language_is_not_found(client):
    assert client.get("/xx/").status_code == 404
    assert client.get("/xx/contact").status_code == 404


def test_the_language_menu_keeps_the_person_on_the_same_page(client):
    page = client.get("/nl/contact").page
    links = {a.get("hreflang"): a.get("href") for a in page.iter("a") if a.get("hreflang")}
    assert links == {code: f"/{code}/contact" for code in DEFAULT_LANGUAGES}


def test_staff_pages_stay_in_dutch_french_or_english(client):
    for accept, expected in (("de-DE", "nl"), ("ar", "nl"), ("fr-BE", "fr"), ("en", "en")):
        page = client.get("/staff/login", headers={"Accept-Language": accept}).page
        assert (page.get("lang"), page.get("dir")) == (expected, "ltr")


def test_french_and_dutch_pages_are_translated(client):
    french = client.get("/fr/contact").get_data(as_text=True)
    dutch = client.get("/nl/contact").get_data(as_text=True)
    assert "Leave this site" not in french and "Leave this site" not in dutch
    assert "Ask us to contact you" not in french and "Ask us to contact you" not in dutch
    assert "Leave this site" in client.get("/en/contact").get_data(as_text=True)
