"""The safety page, the way back to it, and a tab title that tells nothing."""

import re

import pytest

from core.infra.config import load_config
from tests.conftest import TEST_DATA_KEY, make_test_app
from web.db import db

LANGUAGES = ["nl", "fr", "en"]
PORTAL_PAGES = ["/nl/", "/fr/", "/en/", "/nl/contact", "/en/contact", "/nl/safety", "/en/safety"]
TELLING_WORDS = re.compile(r"violen|geweld|abus|mishandel|family justice|fjc|veilig huis", re.I)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_safety_page_exists_in_every_language_with_the_quick_exit(client, lang):
    response = client.get(f"/{lang}/safety")
    assert response.status_code == 200
    page = response.page
    assert page.get("lang") == lang
    links = list(page.find("./body").iter("a"))
    assert links[0].get("class") == "skip-link"
    assert links[1].get("id") == "quick-exit"


def test_the_safety_page_says_honestly_what_the_exit_does_not_do(client):
    main = _text(client.get("/en/safety").page.find(".//main"))
    # What it does, the shortcuts included.
    assert "Leave this site" in main
    assert "Shift key 3 times" in main and "Escape key twice" in main
    # What it cannot do, and the safer ways.
    assert "cannot erase your browsing history" in main
    assert "Without JavaScript" in main
    assert "private window" in main
    assert "device that the other person cannot use" in main
    assert "suspicious" in main
    # How to find the portal again without a bookmark.
    assert "http://localhost/en/" in main
    assert "1712" in main


@pytest.mark.parametrize("path", ["/nl/", "/fr/contact", "/en/nowhere"])
def test_every_portal_page_links_to_the_safety_page_of_its_language(client, path):
    page = client.get(path).page
    lang = page.get("lang")
    safety = [a for a in page.iter("a") if a.get("class") == "safety-link"]
    assert [a.get("href") for a in safety] == [f"/{lang}/safety"]


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_the_tab_title_of_a_portal_page_is_neutral(client, path):
    # Only the site title: the page's own heading is not in the tab either.
    title = client.get(path).page.find("./head/title").text
    assert title == "Info", title
    assert not TELLING_WORDS.search(title), title


def test_the_neutral_tab_title_is_a_setting(database_url, tmp_path):
    settings = {"SECRET_KEY": "x", "FJC_DATA_KEYS": [TEST_DATA_KEY]}
    assert load_config({}, settings)["FJC_SITE_TITLE"] == "Info"
    assert load_config({"FJC_SITE_TITLE": "Weer"}, settings)["FJC_SITE_TITLE"] == "Weer"

    app = make_test_app(database_url, tmp_path, FJC_SITE_TITLE="Weer")
    page = app.test_client().get("/en/safety").get_data(as_text=True)
    with app.app_context():
        db.get_engine().dispose()
    assert "<title>Weer</title>" in page


def test_the_shortcut_messages_come_from_the_translations(client):
    status = client.get("/en/contact").page.find(".//*[@id='quick-exit-status']")
    assert status.get("role") == "status"
    assert status.get("data-shift-2") == "Shift: press 2 more times to leave this site."
    assert status.get("data-shift-1") == "Shift: press 1 more time to leave this site."
    assert status.get("data-escape-1") == "Escape: press once more to leave this site."
    assert (status.text or "") == "", "silent until a key is pressed"
