"""A child's own voice on the case page, over HTTP: added under the child,
the latest first with earlier ones folded, "Not heard yet" until then (under
the child and at the top of the page), refusals on their fields with what
was typed kept, only for a child of the file, and a timeline that says a
child was heard without saying what."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.infra import clock as core_clock
from core.model import AuditEvent, Case, ChildVoice
from tests.backoffice.helpers import open_test_case, staff_client
from tests.pages import form_values
from web.db import db

BRUSSELS = ZoneInfo("Europe/Brussels")
SAID = "Ik wil bij mama blijven. Ik wil papa soms zien, op school."


def _today():
    return core_clock.now().astimezone(BRUSSELS).date()


def _text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _by_id(page, element_id: str):
    found = [el for el in page.iter() if el.get("id") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def _has_id(page, element_id: str) -> bool:
    return any(el.get("id") == element_id for el in page.iter())


def _timeline(page) -> str:
    """The words of the timeline: the list after its heading."""
    body = page.find("body")
    elements = list(body.iter())
    heading = _by_id(page, "timeline")
    after = elements[elements.index(heading) + 1 :]
    return _text(next(el for el in after if el.tag == "ul"))


def _voice(**typed) -> dict:
    """What staff type in a voice form; the date is today's, as the form offers."""
    return {"heard_on": _today().isoformat(), "heard_by": "Ann", "said": SAID, **typed}


def _people(app, case_id):
    with app.app_context():
        return {p.name: p.id for p in db.session.get(Case, case_id).people}


@pytest.fixture
def file_with_children(app, make_staff):
    """Ann's file with two children, Noor and Mo, added on the case page."""
    ann = make_staff("case_director", name="Ann")
    director = staff_client(app, ann)
    case_id = open_test_case(app, ann[0])
    page = f"/staff/cases/{case_id}"
    for name, year in (("Noor", "2016"), ("Mo", "2019")):
        added = director.submit(
            f"{page}/people", {"role": "child", "name": name, "birth_year": year}, form_page=page
        )
        assert added.status_code == 303
    return director, case_id, _people(app, case_id), ann


def test_a_child_is_not_heard_until_their_words_are_added(app, file_with_children):
    director, case_id, ids, _ann = file_with_children
    page = f"/staff/cases/{case_id}"
    shown = director.get(page).page
    marker = _by_id(shown, "children-not-heard")
    assert _text(marker).startswith("2 children in this file are not heard yet.")
    links = {a.get("href"): _text(a) for a in marker.iter("a")}
    assert links == {f"#person-{ids['Noor']}-voice": "Noor", f"#person-{ids['Mo']}-voice": "Mo"}
    for name in ("Noor", "Mo"):
        not_heard = _by_id(shown, f"person-{ids[name]}-not-heard")
        assert _text(not_heard).startswith("Not heard yet.")
    # The victim is no child: no voice of her own here.
    assert not _has_id(shown, f"person-{ids['Sam']}-voice")
    # The date is today's, ready to change.
    assert _by_id(shown, f"voice-{ids['Noor']}-heard_on").get("value") == _today().isoformat()

    voice_url = f"{page}/people/{ids['Noor']}/voice"
    added = director.submit(voice_url, _voice(heard_by="Ann, case director"), form_page=page)
    assert added.status_code == 303
    assert added.headers["Location"].endswith(f"{page}#person-{ids['Noor']}-voice")

    shown = director.get(page)
    assert "What the child says and wishes is added." in _text(shown.page)
    section = _text(_by_id(shown.page, f"person-{ids['Noor']}-voice"))
    assert SAID in section
    assert "by Ann, case director" in section and "written down by Ann" in section
    assert not _has_id(shown.page, f"person-{ids['Noor']}-not-heard")
    assert _has_id(shown.page, f"person-{ids['Mo']}-not-heard")
    marker = _text(_by_id(shown.page, "children-not-heard"))
    assert marker.startswith("1 child in this file is not heard yet.")
    assert "Noor" not in marker and "Mo" in marker

    # The timeline says a child was heard, never what the child said.
    timeline = _timeline(shown.page)
    assert "Child heard: Child" in timeline
    assert "mama" not in timeline and "Ann, case director" not in timeline
    with app.app_context():
        voice = db.session.scalars(select(ChildVoice)).one()
        assert (voice.person_id, voice.heard_on, voice.said) == (ids["Noor"], _today(), SAID)
        audited = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "case.child_heard")
        )
    assert audited == f"person {ids['Noor']} voice {voice.id}"
    assert "mama" not in added.headers["Location"]

    director.submit(
        f"{page}/people/{ids['Mo']}/voice",
        _voice(heard_by="Juf Els", said="Ik ben bang 's avonds."),
        form_page=page,
    )
    assert not _has_id(director.get(page).page, "children-not-heard")


def test_the_latest_voice_comes_first_and_earlier_ones_stay(app, file_with_children, clock):
    director, case_id, ids, _ann = file_with_children
    page = f"/staff/cases/{case_id}"
    voice_url = f"{page}/people/{ids['Noor']}/voice"
    earlier = (_today() - timedelta(days=30)).isoformat()
    director.submit(
        voice_url,
        {"heard_on": earlier, "heard_by": "Juf Els", "said": "Ik wil thuis blijven."},
        form_page=page,
    )
    director.submit(voice_url, _voice(), form_page=page)
    section = _by_id(director.get(page).page, f"person-{ids['Noor']}-voice")
    story = next(p for p in section.iter("p") if p.get("class") == "story")
    assert _text(story) == SAID
    (folded,) = section.iter("details")
    assert _text(folded.find("summary")) == "1 earlier time"
    assert "Ik wil thuis blijven." in _text(folded) and "Juf Els" in _text(folded)


def test_a_refused_voice_keeps_what_was_typed_with_the_reasons(app, file_with_children):
    director, case_id, ids, _ann = file_with_children
    page = f"/staff/cases/{case_id}"
    voice_url = f"{page}/people/{ids['Mo']}/voice"
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    refused = director.submit(
        voice_url, {"heard_on": tomorrow, "heard_by": "  ", "said": SAID}, form_page=page
    )
    assert refused.status_code == 200
    prefix = f"voice-{ids['Mo']}-"
    summary = [el for el in refused.page.iter("div") if el.get("role") == "alert"]
    assert len(summary) == 1
    assert {a.get("href"): _text(a) for a in summary[0].iter("a")} == {
        f"#{prefix}heard_on": "The date cannot be in the future.",
        f"#{prefix}heard_by": "Say who heard the child.",
    }
    day = _by_id(refused.page, f"{prefix}heard_on")
    assert (day.get("value"), day.get("aria-invalid")) == (tomorrow, "true")
    assert day.get("aria-describedby") == f"{prefix}heard_on-error"
    said = _by_id(refused.page, f"{prefix}said")
    assert said.text.strip() == SAID and said.get("aria-invalid") is None
    # Noor's form is untouched: the refusal shows under Mo only.
    assert _by_id(refused.page, f"voice-{ids['Noor']}-said").text in (None, "")

    for typed, field, reason in (
        ({"heard_on": "", "said": SAID}, "heard_on", "Give the date the child was heard."),
        ({"heard_on": "15-03"}, "heard_on", "Write the date like 2026-03-15."),
        (
            {"heard_on": "2018-01-01"},
            "heard_on",
            "Check the date: it is before the child was born.",
        ),
        ({"said": " "}, "said", "Write what the child says and wishes."),
        ({"said": "x" * 4001}, "said", "Please keep this under 4000 characters."),
        ({"heard_by": "x" * 201}, "heard_by", "Please keep this under 200 characters."),
    ):
        data = _voice(**typed)
        refused = director.submit(voice_url, data, form_page=page)
        assert refused.status_code == 200, typed
        assert reason in _text(_by_id(refused.page, f"{prefix}{field}-error"))
        assert _by_id(refused.page, f"{prefix}{field}").get("aria-invalid") == "true"
    with app.app_context():
        assert db.session.scalars(select(ChildVoice)).all() == []


def test_only_a_child_of_the_file_has_a_voice(app, file_with_children, make_staff):
    director, case_id, ids, ann = file_with_children
    page = f"/staff/cases/{case_id}"
    token = form_values(director.get(page).page)["csrf_token"]
    typed = _voice()
    # The victim is no child; a child of another file is not in this one.
    other_case = open_test_case(app, ann[0])
    stranger = director.submit(
        f"/staff/cases/{other_case}/people",
        {"role": "child", "name": "Elders"},
        form_page=f"/staff/cases/{other_case}",
    )
    assert stranger.status_code == 303
    stranger_id = _people(app, other_case)["Elders"]
    for person_id in (ids["Sam"], stranger_id, 999999):
        response = director.post(
            f"{page}/people/{person_id}/voice", data={**typed, "csrf_token": token}
        )
        assert response.status_code == 404, person_id
    # Someone who may not open the file is refused before anything is read.
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    bram_token = form_values(bram.get("/staff/cases").page)["csrf_token"]
    refused = bram.post(
        f"{page}/people/{ids['Noor']}/voice", data={**typed, "csrf_token": bram_token}
    )
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(ChildVoice)).all() == []


def test_a_closed_file_shows_the_voices_but_takes_no_new_one(app, file_with_children):
    director, case_id, ids, _ann = file_with_children
    page = f"/staff/cases/{case_id}"
    voice_url = f"{page}/people/{ids['Noor']}/voice"
    director.submit(voice_url, _voice(), form_page=page)
    token = form_values(director.get(page).page)["csrf_token"]
    director.submit(f"{page}/close", {"reason": "goals_reached"}, form_page=page)
    shown = director.get(page).page
    assert SAID in _text(_by_id(shown, f"person-{ids['Noor']}-voice"))
    assert not any(f.get("action") == voice_url for f in shown.iter("form"))
    refused = director.post(voice_url, data={**_voice(said="Later"), "csrf_token": token})
    assert refused.status_code == 303
    assert "This case file is closed." in _text(director.get(refused.location).page)
    with app.app_context():
        assert len(db.session.scalars(select(ChildVoice)).all()) == 1


def test_a_child_whose_words_are_in_the_file_is_not_removed(app, file_with_children):
    director, case_id, ids, _ann = file_with_children
    page = f"/staff/cases/{case_id}"
    director.submit(f"{page}/people/{ids['Noor']}/voice", _voice(), form_page=page)
    person_page = f"{page}/people/{ids['Noor']}"
    refused = director.submit(f"{person_page}/delete", {}, form_page=person_page)
    assert refused.status_code == 303
    assert "What this child says and wishes is in the file." in _text(
        director.get(refused.location).page
    )
    assert "Noor" in _people(app, case_id)


def test_hostile_words_are_shown_as_typed(app, file_with_children):
    director, case_id, ids, _ann = file_with_children
    page = f"/staff/cases/{case_id}"
    hostile = "<script>alert(1)</script> %(num)s {{ 7*7 }} ‮"
    director.submit(
        f"{page}/people/{ids['Noor']}/voice",
        _voice(heard_by=hostile, said=hostile),
        form_page=page,
    )
    response = director.get(page)
    section = _by_id(response.page, f"person-{ids['Noor']}-voice")
    assert _text(section).count("<script>alert(1)</script> %(num)s {{ 7*7 }}") == 2
    assert "<script>alert(1)" not in response.get_data(as_text=True)
