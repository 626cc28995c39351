"""The portal's public text follows the request's centre once it is known,
and stays neutral before that (issue 20).

A three-centre app (data/centres-example.json, with site titles of their own
so the tab shows whose title it is): a request from Leuven shows Leuven's
hours (Wednesday morning only) and site title on the page after sending and
in the mailbox; Mechelen's request and "I'd rather not say" show Mechelen's
(the default centre). Before a request is sent no page shows hours, and the
tab has the neutral FJC_SITE_TITLE. The tab never names a centre.
"""

from __future__ import annotations

import json
import re

import pytest
from babel import dates
from sqlalchemy import select

from core.infra.config import PROJECT_ROOT
from core.model import Centre, Intake, Municipality
from portal.forms import OTHER_MUNICIPALITY
from web.db import db

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
NEUTRAL = "Info"
# The tab titles of the test's centres: neutral words, each its own.
SITE_TITLES = {"mechelen": "News", "leuven": "Weather"}
# CLDR's ranges have thin spaces around the dash; a narrow no-break space
# comes before AM/PM.
THIN, NNBSP = "\u2009", "\u202f"


def _range(first: str, last: str) -> str:
    return f"{first}{THIN}–{THIN}{last}"


NINE, NOON, FIVE = f"9:00{NNBSP}AM", f"12:00{NNBSP}PM", f"5:00{NNBSP}PM"
MECHELEN_HOURS = [(_range("Monday", "Friday"), _range(NINE, FIVE))]
# Leuven's team is there on Wednesday mornings only.
LEUVEN_HOURS = [
    ("Monday and Tuesday", _range(NINE, FIVE)),
    ("Wednesday", _range(NINE, NOON)),
    ("Thursday and Friday", _range(NINE, FIVE)),
]
BEFORE_SENDING = ["/", "/contact", "/question", "/referral", "/young", "/return", "/safety"]


@pytest.fixture
def app(app_factory, tmp_path):
    network = json.loads((PROJECT_ROOT / "data" / "centres-example.json").read_text())
    for centre in network["centres"]:
        centre["site_title"] = SITE_TITLES.get(centre["slug"], centre["site_title"])
        if centre["slug"] == "antwerpen":
            # A centre that gives no hours: the pages then say nothing of them.
            del centre["opening_hours"]
    path = tmp_path / "centres.json"
    path.write_text(json.dumps(network))
    return app_factory(FJC_CENTRE_FILE=str(path))


def _municipality(app, name: str) -> str:
    with app.app_context():
        return str(
            db.session.scalar(
                select(Municipality.id).where(
                    Municipality.name == name, Municipality.active.is_(True)
                )
            )
        )


def _contact(client, municipality: str, language: str = "en"):
    response = client.submit(
        f"/{language}/contact",
        {"email": "safe@example.be", "story": "", "municipality": municipality},
    )
    assert response.status_code == 200
    return response


def _hours(response) -> list[tuple[str, str]]:
    """The days and their hours the page shows, in order."""
    section = response.page.find(".//section[@class='team-hours']")
    if section is None:
        return []
    days = [(dt.text or "").strip() for dt in section.iter("dt")]
    hours = [(dd.text or "").strip() for dd in section.iter("dd")]
    assert len(days) == len(hours)
    return list(zip(days, hours, strict=True))


def _title(response) -> str:
    return response.page.find("./head/title").text


def _mailbox(client, sent, language: str = "en"):
    code = CODE.search(sent.get_data(as_text=True))[1]
    assert client.submit(f"/{language}/return", {"code": code}).status_code == 303
    page = client.get(f"/{language}/return")
    assert page.page.find(f".//form[@action='/{language}/return/message']") is not None
    return page


def _centre_of_the_request(app) -> str:
    with app.app_context():
        intake = db.session.scalars(select(Intake)).one()
        return db.session.get(Centre, intake.centre_id).slug


@pytest.mark.parametrize(
    ("municipality", "slug", "hours"),
    [("Leuven", "leuven", LEUVEN_HOURS), ("Mechelen", "mechelen", MECHELEN_HOURS)],
)
def test_a_request_shows_its_centres_hours_and_title(app, client, municipality, slug, hours):
    sent = _contact(client, _municipality(app, municipality))
    assert _centre_of_the_request(app) == slug
    assert _hours(sent) == hours
    assert _title(sent) == SITE_TITLES[slug]
    mailbox = _mailbox(client, sent)
    assert _hours(mailbox) == hours
    assert _title(mailbox) == SITE_TITLES[slug]
    assert _title(client.get("/en/return/delete")) == SITE_TITLES[slug]


def test_rather_not_say_goes_to_the_default_centre_and_shows_its_hours(app, client):
    sent = _contact(client, OTHER_MUNICIPALITY)
    assert _centre_of_the_request(app) == "mechelen"
    assert _hours(sent) == MECHELEN_HOURS
    assert _hours(_mailbox(client, sent)) == MECHELEN_HOURS


def test_a_question_has_no_municipality_and_shows_the_default_centres_hours(app, client):
    sent = client.submit("/en/question", {"question": "When are you there?"})
    assert _hours(sent) == MECHELEN_HOURS
    assert _title(sent) == "News"


def test_a_centre_without_hours_shows_none_but_keeps_its_title(app, client):
    sent = _contact(client, _municipality(app, "Antwerpen"))
    assert _centre_of_the_request(app) == "antwerpen"
    assert sent.page.find(".//section[@class='team-hours']") is None
    assert _title(sent) == "Info"
    assert sent.page.find(".//section[@class='return-code']") is not None


def test_before_sending_no_page_shows_hours_and_the_tab_is_neutral(app, client):
    for path in BEFORE_SENDING:
        page = client.get(f"/en{path}")
        assert page.status_code == 200, path
        assert _hours(page) == [], path
        assert _title(page) == NEUTRAL, path
        assert "When our team is there" not in page.get_data(as_text=True), path


def test_the_tab_never_names_the_centre(app, client):
    with app.app_context():
        names = [centre.name for centre in db.session.scalars(select(Centre))]
    for municipality in ("Leuven", "Mechelen", "Antwerpen"):
        visitor = app.test_client()
        sent = _contact(visitor, _municipality(app, municipality))
        for page in (sent, _mailbox(visitor, sent)):
            title = _title(page)
            assert "Family Justice" not in title
            assert not any(name in title for name in names), title


@pytest.mark.parametrize("language", ["nl", "fa", "ar"])
def test_the_hours_are_in_the_pages_language(app, client, language):
    sent = _contact(client, _municipality(app, "Leuven"), language)
    assert sent.page.get("lang") == language
    lines = _hours(sent)
    assert len(lines) == 3
    wednesday = dates.get_day_names("wide", locale=language)[2]
    assert lines[1][0] == wednesday, lines
    assert "Wednesday" not in str(lines) and "AM" not in str(lines)
    assert _hours(_mailbox(client, sent, language)) == lines
