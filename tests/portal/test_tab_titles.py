"""A portal tab tells nothing about the page: only the neutral site title
(FJC_SITE_TITLE, "Info" by default), on every page in every language. A form
sent back with mistakes starts it with "Error: ", which is neutral too and
is what a screen reader reads first. The page's own heading stays visible."""

from __future__ import annotations

import gettext
import re

import pytest

from core.infra.config import DEFAULT_LANGUAGES, PROJECT_ROOT

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
PAGES = ["/", "/contact", "/question", "/referral", "/return", "/safety", "/sent", "/nowhere"]


def _error_word(language: str) -> str:
    catalogue = gettext.translation(
        "messages", PROJECT_ROOT / "translations", languages=[language], fallback=True
    )
    return catalogue.gettext("Error")


def _title(response) -> str:
    return response.page.find("./head/title").text


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_every_portal_page_has_only_the_neutral_title_in_its_tab(client, language):
    for path in PAGES:
        response = client.get(f"/{language}{path}")
        assert _title(response) == "Info", (path, _title(response))
        # The visible heading is still the page's own.
        assert "".join(response.page.find(".//main//h1").itertext()).strip()
    wrong = f"{_error_word(language)}: Info"
    for path in ("/contact", "/question", "/referral", "/return"):
        assert _title(client.submit(f"/{language}{path}", {})) == wrong, path

    sent = client.submit(f"/{language}/question", {"question": "When?"})
    assert _title(sent) == "Info"
    code = CODE.search(sent.get_data(as_text=True))[1]
    assert client.submit(f"/{language}/return", {"code": code}).status_code == 303
    for path in ("/return", "/return/delete"):
        assert _title(client.get(f"/{language}{path}")) == "Info", path
    assert (
        _title(client.submit(f"/{language}/return/message", {}, form_page=f"/{language}/return"))
        == wrong
    )


def test_a_page_in_no_language_of_ours_has_the_neutral_title_too(client):
    response = client.get("/xx/nowhere")
    assert response.status_code == 404
    assert _title(response) == "Info"


def test_the_back_office_keeps_its_descriptive_titles(client):
    assert _title(client.get("/staff/login")).endswith("FJC back office")
