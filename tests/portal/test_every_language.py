"""Every portal page in every portal language: lang, dir, and no English left.

A page is walked for what a person sees or hears (text, title, aria-label,
the quick exit's key messages). The English msgids of the portal that the
page's catalogue does not translate into something else are searched for in
it. Data are not msgids, so municipality names, numbers, return codes and
the language menu's names (marked with their own lang) never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from core.identity.staff import Staff
from core.infra.config import DEFAULT_LANGUAGES, PROJECT_ROOT
from core.intake import triage
from core.intake.mailbox import add_staff_reply
from core.model import Intake, TriageOutcome
from tests.pages import form_values
from tests.test_translations import extract
from web.db import db
from web.i18n import LANGUAGE_NAMES, RTL_LANGUAGES

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
# The quick exit's status line: exit.js reads these out to screen readers.
SPOKEN_DATA = ("data-shift-1", "data-shift-2", "data-escape-1", "data-expired")
NOT_TEXT = ("script", "style")
# A msgid this short is looked for as a whole text, not inside other text.
MIN_WORDS_INSIDE = 3


@pytest.fixture(scope="module")
def portal_msgids(tmp_path_factory) -> list[str | tuple[str, ...]]:
    pot = extract("babel-portal.cfg", tmp_path_factory.mktemp("pot") / "portal.pot")
    with pot.open("rb") as handle:
        return [message.id for message in read_po(handle) if message.id]


def _translations(language: str) -> dict[str, object]:
    path = PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(handle) if m.id
        }


def english_patterns(language: str, msgids) -> list[tuple[str, re.Pattern[str]]]:
    """What untranslated English would look like on a page in `language`.

    A msgid the catalogue renders as itself ("Status:" in German) is left out:
    the same word is then the translation, not a gap.
    """
    translated = _translations(language)
    patterns = []
    for msgid in msgids:
        forms = msgid if isinstance(msgid, tuple) else (msgid,)
        string = translated.get(forms[0])
        strings = string if isinstance(string, tuple) else (string,)
        if all(strings) and set(strings) <= set(forms):
            continue
        for form in forms:
            pieces = [piece.strip() for piece in PLACEHOLDER.split(form)]
            for piece in pieces:
                if len(piece.split()) >= MIN_WORDS_INSIDE:
                    patterns.append((form, re.compile(rf"(?<!\w){re.escape(piece)}(?!\w)")))
                elif len(pieces) == 1 and piece:
                    patterns.append((form, re.compile(rf"^{re.escape(piece)}$", re.MULTILINE)))
    return patterns


def spoken_texts(element: Element, page_lang: str) -> Iterator[str]:
    """Text a person sees or hears in the page's language; other-language parts skipped."""
    if element.tag in NOT_TEXT:
        return
    lang = element.get("lang")
    if lang and lang != page_lang:
        return
    for name in (*SPOKEN_ATTRIBUTES, *SPOKEN_DATA):
        if element.get(name):
            yield element.get(name)
    if element.tag == "input" and element.get("type") in ("submit", "button"):
        yield element.get("value") or ""
    if element.text:
        yield element.text
    for child in element:
        yield from spoken_texts(child, page_lang)
        if child.tail:
            yield child.tail


def english_left(page: Element, language: str, patterns) -> list[str]:
    texts = (" ".join(text.split()) for text in spoken_texts(page, language))
    joined = "\n".join(text for text in texts if text)
    return sorted({msgid for msgid, pattern in patterns if pattern.search(joined)})


class Visit:
    """Walks a person through every portal page in one language."""

    def __init__(self, app, client, language: str, staff_id: int):
        self.app, self.client, self.language, self.staff_id = app, client, language, staff_id
        self.pages: dict[str, object] = {}

    def keep(self, name: str, response, status: int = 200):
        assert response.status_code == status, (name, response.status_code)
        self.pages[name] = response
        return response

    def url(self, path: str = "") -> str:
        return f"/{self.language}/{path}"

    def walk(self) -> dict[str, object]:
        client, url = self.client, self.url
        for name in ("", "contact", "question", "referral", "young", "return", "safety"):
            self.keep(name or "home", client.get(url(name)))
        self.keep("contact with errors", client.submit(url("contact"), {"phone": "x1"}))
        self.keep("young with errors", client.submit(url("young"), {"reach": "text"}))
        self.keep("young sent", client.submit(url("young"), {"reach": "code", "safe_now": "yes"}))
        self.keep("referral with errors", client.submit(url("referral"), {}))
        self.keep("wrong code", client.submit(url("return"), {"code": "1"}))
        self.keep("question sent", client.submit(url("question"), {"question": "Test 1."}))
        # Seen once: then what to do next.
        self.keep("sent seen again", client.get(url("sent")))
        self.keep(
            "referral sent",
            client.submit(
                url("referral"),
                {
                    "referrer_organisation": "CAW",
                    "referrer_email": "ann@caw.example",
                    "client_consent": "agrees",
                    "urgency": "normal",
                    "contact_via_referrer": "y",
                },
            ),
        )
        form = client.get(url("contact"))
        values = form_values(form.page, action=url("contact"))
        values.update({"email": "safe@example.be", "danger_now": "yes", "story": "Test 2."})
        client.post(url("contact"), data=values, follow_sent=False)  # the answer is lost
        # Sent again at once: a new code for it.
        again = self.keep("code given again", client.post(url("contact"), data=values))
        code = CODE.findall(again.get_data(as_text=True))[0]

        with self.app.app_context():
            intake = db.session.scalar(select(Intake).order_by(Intake.id.desc()))
            staff = db.session.get(Staff, self.staff_id)
            add_staff_reply(db.session, intake, staff, "1712.")
            # A decision: the mailbox now invites her to give feedback.
            triage.decide(db.session, intake, staff, outcome=TriageOutcome.TRACK_2)
            db.session.commit()
        # Once the team has written, the same form is only said to be sent.
        self.keep("already sent", client.post(url("contact"), data=values))
        self.keep("code opens", client.submit(url("return"), {"code": code}), 303)
        self.keep(
            "message added",
            client.submit(url("return/message"), {"body": "Test 3."}, form_page=url("return")),
            303,
        )
        self.keep("mailbox", client.get(url("return")))
        self.keep("feedback", client.get(url("return/feedback")))
        self.keep(
            "feedback sent",
            client.submit(url("return/feedback"), {"felt_safe": "yes", "free_text": "x"}),
            303,
        )
        self.keep("mailbox after feedback", client.get(url("return")))
        self.keep("delete", client.get(url("return/delete")))
        self.keep("deleted", client.submit(url("return/delete"), {}))
        self.keep("not found", client.get(url("nowhere")), 404)
        unknown = client.get("/xx/", headers={"Accept-Language": self.language})
        self.keep("unknown language", unknown, 404)
        self.keep("expired form", client.post(url("question"), data={"question": "x"}), 400)
        self.keep("too large", client.post(url("question"), data={"question": "x" * 70_000}), 413)
        return self.pages


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_every_portal_page_speaks_the_language_of_its_url(
    app, client, make_staff, portal_msgids, language
):
    staff_id, _ = make_staff("coordinator")
    pages = Visit(app, client, language, staff_id).walk()
    patterns = [] if language == "en" else english_patterns(language, portal_msgids)
    expected_dir = "rtl" if language in RTL_LANGUAGES else "ltr"
    problems = {}
    for name, response in pages.items():
        if not hasattr(response, "page"):
            continue
        assert response.page.get("lang") == language, name
        assert response.page.get("dir") == expected_dir, name
        left = english_left(response.page, language, patterns)
        if left:
            problems[name] = left
    assert problems == {}, f"English left on {language} pages"


def test_the_check_finds_english_that_was_left(app, client, portal_msgids):
    """The check itself: a Dutch page with an English sentence in it fails."""
    page = client.get("/nl/").page
    patterns = english_patterns("nl", portal_msgids)
    assert english_left(page, "nl", patterns) == []
    page.find("./body").append(Element("p"))
    page.find("./body")[-1].text = "We could not find this page."
    assert english_left(page, "nl", patterns) == ["We could not find this page."]


def test_without_a_catalogue_every_string_counts_as_english(portal_msgids):
    assert len(english_patterns("xx", portal_msgids)) >= len(portal_msgids)


@pytest.mark.parametrize("path", ["/xx/", "/xx/contact"])
@pytest.mark.parametrize(
    ("accept", "expected"), [("ar,en;q=0.5", "ar"), ("de-BE", "de"), ("", "nl"), ("ja", "nl")]
)
def test_an_unknown_language_gets_a_404_with_every_start_page(client, path, accept, expected):
    response = client.get(path, headers={"Accept-Language": accept})
    assert response.status_code == 404
    assert response.page.get("lang") == expected
    assert response.page.get("dir") == ("rtl" if expected in RTL_LANGUAGES else "ltr")
    choice = response.page.find(".//nav[@class='language-choice']")
    links = {a.get("href"): (a.get("lang"), a.text) for a in choice.iter("a")}
    assert links == {f"/{code}/": (code, LANGUAGE_NAMES[code]) for code in DEFAULT_LANGUAGES}


def test_a_404_inside_a_language_keeps_that_language_and_needs_no_choice(client):
    response = client.get("/fr/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.page.get("lang") == "fr"
    assert response.page.find(".//nav[@class='language-choice']") is None


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_numbers_and_codes_stay_left_to_right_on_right_to_left_pages(client, language):
    page = client.get(f"/{language}/return").page
    assert page.get("dir") == "rtl"
    numbers = [a for a in page.iter("a") if (a.get("href") or "").startswith("tel:")]
    assert numbers and all(a.get("dir") == "ltr" for a in numbers)
    code_input = page.find(".//input[@name='code']")
    assert code_input.get("dir") == "ltr"
    sent = client.submit(f"/{language}/question", {"question": "؟"})
    assert sent.page.find(".//p[@class='code']").get("dir") == "ltr"


def test_phone_and_e_mail_fields_are_left_to_right_and_free_text_follows_the_writer(client):
    page = client.get("/ar/contact").page
    assert page.find(".//input[@name='phone']").get("dir") == "ltr"
    assert page.find(".//input[@name='email']").get("dir") == "ltr"
    assert page.find(".//textarea[@name='story']").get("dir") == "auto"
    assert page.find(".//input[@name='name']").get("dir") == "auto"


def test_the_mailbox_shows_dates_in_the_format_of_the_language(client):
    sent = client.submit("/en/question", {"question": "When?"})
    code = CODE.findall(sent.get_data(as_text=True))[0]
    assert client.submit("/en/return", {"code": code}).status_code == 303

    def written(language: str) -> str:
        return client.get(f"/{language}/return").page.find(".//p[@class='meta']/time").text

    dates = {language: written(language) for language in ("nl", "en", "ar", "de")}
    assert len(set(dates.values())) == 4, dates


def test_municipality_names_and_emergency_numbers_are_the_same_in_every_language(client):
    seen = {}
    for language in DEFAULT_LANGUAGES:
        page = client.get(f"/{language}/contact").page
        select_ = page.find(".//select[@name='municipality']")
        options = [o.text for o in select_.iter("option")]
        numbers = sorted(a.text for a in page.iter("a") if (a.get("href") or "").startswith("tel:"))
        # The first option ("Choose") and the last ("another municipality") are words.
        seen[language] = (tuple(options[1:-1]), tuple(numbers))
    assert len(set(seen.values())) == 1, seen
    assert "Mechelen" in seen["nl"][0] and "112" in seen["nl"][1]


@pytest.mark.parametrize("page_language", ["ar", "ru"])
def test_the_language_menu_lists_every_language_in_its_own_name(client, page_language):
    page = client.get(f"/{page_language}/safety").page
    menu = page.find(".//nav[@class='languages']")
    # Each link's direction: its own dir, or else the page's, which it inherits
    # (the menu writes dir only where the two differ).
    links = {
        a.get("hreflang"): (a.get("href"), a.text, a.get("lang"), a.get("dir") or page.get("dir"))
        for a in menu.iter("a")
    }
    assert links == {
        code: (
            f"/{code}/safety",
            LANGUAGE_NAMES[code],
            code,
            "rtl" if code in RTL_LANGUAGES else "ltr",
        )
        for code in DEFAULT_LANGUAGES
    }
    page_dir = page.get("dir")
    assert all(a.get("dir") != page_dir for a in menu.iter("a"))
