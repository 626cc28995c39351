"""A request's page, as three members see it in eleven states of a request,
is the markup stored in snapshots/request_page/, to the byte: the safety net
under the work that makes the page cheaper (issue 22). The page's own part is
compared (its title and everything in <main>); the staff header around it is
the chrome's test's (test_staff_chrome_markup.py). Only the CSRF tokens are
masked: they differ on every request.

The records are made in a database of their own, on a clock that stands still
except where the test moves it, so ids and dates are the same on every run
and on both backends. Each page is fetched twice: once rendering the parts
kept once (web.fragments), once copying them. `FJC_WRITE_SNAPSHOTS=1` writes
the snapshots again from the code as it is; look at the difference before
committing it."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markupsafe import Markup
from sqlalchemy import select

from core.casework import cases, transfers
from core.governance import retention_holds
from core.governance.rights import restriction
from core.identity.staff import create_staff
from core.intake import triage
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.intake.mailbox import add_requester_message, add_staff_reply, erase
from core.intake.safe_window import Channel
from core.intake.triage import AttemptOutcome
from core.model import (
    Intake,
    IntakeKind,
    Message,
    Municipality,
    Staff,
    TriageOutcome,
)
from tests.backoffice.helpers import staff_client
from tests.conftest import TEST_PASSWORD, app_on_own_database
from tests.core.network.network_setup import NETWORK_FILE, centre
from web.db import db
from web.fragments import minimal_markup

SNAPSHOTS = Path(__file__).parent / "snapshots" / "request_page"
WRITE = os.environ.get("FJC_WRITE_SNAPSHOTS") == "1"
# A Wednesday morning in Brussels: inside some safe times, outside others.
START = datetime(2031, 3, 5, 9, 30, tzinfo=UTC)
PHONE = "0470 98 76 54"
TOKEN = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]*(")')
PART = re.compile(r"<title>.*?</title>|<main id=\"main\".*?</main>", re.S)
VIEWERS = ("coordinator", "holder", "other_director")


@pytest.fixture
def own_app(backend, tmp_path):
    """An app of the three-centre network on a database of its own: the
    snapshot's ids start at 1 on every run."""
    yield from app_on_own_database(backend, tmp_path, FJC_CENTRE_FILE=NETWORK_FILE)


def _staff(session, slug: str, role: str, name: str) -> Staff:
    return create_staff(
        session,
        email=f"{slug}-{name.split()[0].lower()}@fjc.example",
        name=name,
        role=role,
        password=TEST_PASSWORD,
        centre_id=centre(session, slug).id,
    )


def _request(session, clock, kind=IntakeKind.CONTACT, municipality="Leuven", **fields) -> Intake:
    clock.advance(minutes=7)
    place = session.scalar(select(Municipality).where(Municipality.name == municipality))
    contact = fields.pop(
        "contact",
        SafeContact(
            name="Sam <b>&amp;</b> 'Lee'",
            phone=PHONE,
            email="sam@example.be",
            may_call=True,
            may_text=False,
            may_voicemail=None,
            phone_say_who=False,
            safe_days=("mon", "wed"),
            safe_times=("morning",),
            safe_word="Tulip",
            contact_language="nl",
        ),
    )
    intake, _code = submit(
        session,
        Submission(
            kind=kind,
            language="nl",
            municipality_id=place.id,
            contact=contact,
            story=fields.pop("story", "Mijn verhaal.\nTweede regel <script>x</script>."),
            **fields,
        ),
    )
    session.flush()
    return intake


def _build(app, clock) -> dict[str, int]:
    """The requests, by the state the snapshot names."""
    clock.current = START
    made: dict[str, int] = {}
    with app.app_context(), db.writing() as session:
        cora = _staff(session, "leuven", "coordinator", "Cora Coordinator")
        dirk = _staff(session, "leuven", "case_director", "Dirk Director")
        _staff(session, "leuven", "case_director", "Eva Other")
        _staff(session, "mechelen", "coordinator", "Mila Mechelen")
        session.flush()

        made["new"] = _request(session, clock, danger_now=True, children_involved="yes").id
        made["question"] = _request(
            session,
            clock,
            kind=IntakeKind.QUESTION,
            contact=SafeContact(email="q@example.be"),
            story="Mag ik iets vragen?",
        ).id
        made["referral"] = _request(
            session,
            clock,
            kind=IntakeKind.REFERRAL,
            contact=SafeContact(name="Noor", phone="0470 11 22 33", may_call=True),
            referral=ReferralDetails(
                organisation="CAW Leuven",
                name="Rita Referrer",
                client_consent="agrees",
                urgency="today",
                role="social worker",
                phone="016 12 34 56",
                email="rita@caw.example",
                contact_via_referrer=True,
                risk_concerns=("weapons",),
                risk_text="Dreigt met een mes.",
            ),
        ).id

        held = _request(session, clock)
        triage.claim(session, held.id, dirk)
        clock.advance(minutes=3)
        triage.record_attempt(
            session,
            held,
            dirk,
            channel=Channel.CALL,
            outcome=AttemptOutcome.NO_ANSWER,
            note="Geen antwoord.",
            timezone="Europe/Brussels",
        )
        clock.advance(minutes=3)
        triage.record_attempt(
            session,
            held,
            dirk,
            channel=Channel.TEXT,
            outcome=AttemptOutcome.NO_ANSWER,
            note=None,
            timezone="Europe/Brussels",
        )
        made["held"] = held.id

        talking = _request(session, clock)
        triage.assign(session, talking, dirk, cora)
        clock.advance(minutes=1)
        add_requester_message(session, talking, "Is er iemand? <i>x</i>")
        clock.advance(minutes=1)
        add_staff_reply(session, talking, dirk, "Ja, we bellen morgen.")
        clock.advance(minutes=1)
        read = add_requester_message(session, talking, "Dank u.")
        session.flush()
        triage.mark_read(session, session.get(Message, read.id), True, dirk)
        clock.advance(minutes=1)
        add_requester_message(session, talking, "Nog een vraag.")
        # The same phone: a look-alike, linked to the first request.
        triage.link(session, talking, session.get(Intake, made["new"]), cora)
        made["messages"] = talking.id

        decided = _request(session, clock)
        triage.decide(session, decided, cora, outcome=TriageOutcome.TRACK_3, note="Ketenaanpak.")
        made["decided"] = decided.id

        in_file = _request(session, clock, contact=SafeContact(name="Fien", email="f@example.be"))
        triage.decide(session, in_file, dirk, outcome=TriageOutcome.TRACK_2)
        clock.advance(minutes=1)
        cases.open_case(session, [in_file], dirk, track=TriageOutcome.TRACK_2)
        made["case_file"] = in_file.id

        sent = _request(session, clock)
        clock.advance(minutes=1)
        transfers.send(session, sent, centre(session, "mechelen"), "Woont nu in Mechelen.", cora)
        made["transferred"] = sent.id

        kept = _request(session, clock)
        restriction.restrict_intake(session, kept, cora, "De persoon betwist de gegevens.")
        retention_holds.place(
            session,
            kept,
            cora,
            reason="Gerechtelijk onderzoek loopt.",
            review_on="2031-09-01",
            today=START.date(),
        )
        made["restricted_hold"] = kept.id

        closed = _request(session, clock)
        triage.decide(
            session, closed, cora, outcome=TriageOutcome.OUT_OF_SCOPE, referred_to="CAW Leuven"
        )
        made["closed"] = closed.id

        gone = _request(session, clock)
        erase(session, gone)
        made["erased"] = gone.id

        # Known at another centre: the same phone number in Mechelen.
        _request(session, clock, municipality="Mechelen")
    clock.advance(minutes=30)
    return made


def _part(page: str) -> str:
    page = TOKEN.sub(r"\1-\2", page)
    return "\n".join(PART.findall(page)) + "\n"


def _as_shared(page: str) -> str:
    """The page with every start tag as the shared parts write it (short,
    web.fragments.minimal_markup): a snapshot from before that change still
    compares, and any other difference (an element, a word, a value) shows."""
    return str(minimal_markup(Markup(page)))  # noqa: S704 (our own page)


def test_the_request_page_is_the_stored_markup(own_app, clock):
    made = _build(own_app, clock)
    with own_app.app_context():
        emails = {
            name: email for name, email in db.session.execute(select(Staff.name, Staff.email))
        }
        ids = {
            name: staff_id for name, staff_id in db.session.execute(select(Staff.name, Staff.id))
        }
    browsers = {
        "coordinator": staff_client(own_app, (ids["Cora Coordinator"], emails["Cora Coordinator"])),
        "holder": staff_client(own_app, (ids["Dirk Director"], emails["Dirk Director"])),
        "other_director": staff_client(own_app, (ids["Eva Other"], emails["Eva Other"])),
    }
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    differ = []
    for state, intake_id in made.items():
        for viewer in VIEWERS:
            pages = []
            for _ in range(2):  # rendered into the kept parts, then copied from them
                answer = browsers[viewer].get(f"/staff/intakes/{intake_id}")
                pages.append(f"{answer.status_code}\n{_part(answer.get_data(as_text=True))}")
            assert pages[0] == pages[1], (state, viewer, "the kept parts differ")
            path = SNAPSHOTS / f"{state}-{viewer}.html"
            if WRITE:
                path.write_bytes(pages[0].encode())
            elif _as_shared(path.read_bytes().decode()) != _as_shared(pages[0]):
                differ.append(path.name)
    assert not differ, f"pages that are not their snapshot: {differ}"
