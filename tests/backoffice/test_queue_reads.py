"""The queue reads what it shows and no more: its page of rows, never the
personal fields (name, contact details, story) of any request, only the risk
factors of the referrals on the page (their reason to be on top). It still
shows the right rows, in the right order, with their reasons."""

from datetime import timedelta

from sqlalchemy import select, text

from core.intake import queue
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.model import Intake, IntakeKind, Message, MessageDirection, Municipality
from tests.backoffice.helpers import (
    staff_client,
)
from web.db import db


def _send(session, n: int, **fields) -> int:
    intake, _code = submit(
        session,
        Submission(
            kind=fields.pop("kind", IntakeKind.CONTACT),
            language="nl",
            contact=SafeContact(
                name=f"Person {n}", phone=f"0470 00 {n:02d} 00", email=f"p{n}@example.be"
            ),
            story=f"What happened to person {n}.",
            **fields,
        ),
    )
    session.flush()
    return intake.id


def _referral(urgency: str, *concerns: str) -> ReferralDetails:
    return ReferralDetails(
        organisation="CAW",
        name="A referrer",
        client_consent="agrees",
        urgency=urgency,
        risk_concerns=concerns,
    )


def _stored_tokens(app, columns: str, table: str, ids) -> set[str]:
    """The encrypted values as stored (the column types would open them)."""
    wanted = ",".join(str(int(i)) for i in ids)
    key = "intake_id" if table == "referrals" else "id"
    with app.app_context():
        rows = db.session.execute(
            text(f"SELECT {columns} FROM {table} WHERE {key} IN ({wanted})")  # noqa: S608
        )
        return {value for row in rows for value in row if value is not None}


def _queue_ids(page) -> list[int]:
    return [
        int(a.get("href").rsplit("/", 1)[1])
        for a in page.iter("a")
        if (a.get("href") or "").startswith("/staff/intakes/")
    ]


def test_the_queue_opens_no_personal_field_and_only_its_own_pages_risk_factors(
    app, make_staff, decrypted
):
    with app.app_context(), db.writing() as session:
        # On top: referrals for today with risk factors; at the very end (the
        # newest, with nothing urgent): two more, on the second page.
        urgent = [_send(session, n, referral=_referral("today", "weapons")) for n in range(3)]
        plain = [_send(session, 10 + n) for n in range(queue.PAGE_SIZE)]
        last = [_send(session, 80 + n, referral=_referral("normal")) for n in range(2)]
    coordinator = staff_client(app, make_staff("coordinator"))
    everyone = urgent + plain + last
    personal = _stored_tokens(
        app, "name, phone, email, story, safe_word, trusted_adult", "intakes", everyone
    )
    referrers = _stored_tokens(
        app, "organisation, role, name, phone, email, basis_note, risk_text", "referrals", everyone
    )
    first_risks = _stored_tokens(app, "risk_concerns", "referrals", urgent)
    second_risks = _stored_tokens(app, "risk_concerns", "referrals", last)

    decrypted.clear()
    first = coordinator.get("/staff/")
    assert _queue_ids(first.page) == urgent + plain[: queue.PAGE_SIZE - 3]
    assert sorted(decrypted) == sorted(first_risks), "only the risks of the page's referrals"

    decrypted.clear()
    second = coordinator.get("/staff/?page=2")
    assert _queue_ids(second.page) == plain[queue.PAGE_SIZE - 3 :] + last
    assert sorted(decrypted) == sorted(second_risks)
    assert not (personal | referrers) & set(decrypted)


def test_a_queue_without_referrals_opens_nothing_at_all(app, make_staff, decrypted):
    with app.app_context(), db.writing() as session:
        for n in range(5):
            _send(session, n)
    coordinator = staff_client(app, make_staff("coordinator"))
    decrypted.clear()
    assert coordinator.get("/staff/").status_code == 200
    # Not the requests' fields, and not the member's own TOTP secret either:
    # checking who is signed in needs none of it.
    assert decrypted == []


def test_the_queue_shows_each_row_in_its_place_with_its_reasons(app, make_staff, clock):
    with app.app_context(), db.writing() as session:
        lier = session.scalar(select(Municipality).where(Municipality.name == "Lier"))
        overdue = _send(session, 1)
        clock.advance(hours=30)  # past the 24 hours of the target, not twice
        plain = _send(session, 2, municipality_id=lier.id)
        written = _send(session, 3)
        session.add(
            Message(intake_id=written, direction=MessageDirection.FROM_REQUESTER, body="Hello?")
        )
        session.get(Intake, written).priority = 25  # as the mailbox stores it
        referred = _send(session, 4, referral=_referral("today", "strangulation", "stalking"))
        danger = _send(session, 5, danger_now=True)
    coordinator = staff_client(app, make_staff("coordinator"))
    page = coordinator.get("/staff/").page
    assert _queue_ids(page) == [danger, referred, overdue, written, plain]
    rows = {
        _queue_ids(row)[0]: [" ".join("".join(cell.itertext()).split()) for cell in row.iter("td")]
        for row in page.iter("tr")
        if _queue_ids(row)
    }
    assert rows[danger][1] == "In danger now"
    assert rows[referred][1] == (
        "Urgent today (professional)"
        "High-risk factor: choking, threats to kill or weapons"
        "Other risk factors"
    )
    assert rows[overdue][1:3] == ["Waiting longer than the target", "1 day overdue"]
    assert rows[written][1] == "New message from the person"
    assert rows[plain][1:] == [
        "–",
        "0 seconds",
        "Asks to be contacted",
        "New",
        "–",
        "Lier",
        "Nederlands",
    ]


def test_a_page_past_the_last_shows_the_last_page(app, make_staff):
    with app.app_context(), db.writing() as session:
        ids = [_send(session, n) for n in range(queue.PAGE_SIZE + 3)]
    coordinator = staff_client(app, make_staff("coordinator"))
    page = coordinator.get("/staff/?page=7")
    assert _queue_ids(page.page) == ids[queue.PAGE_SIZE :]
    words = " ".join(page.get_data(as_text=True).split())
    assert f"{queue.PAGE_SIZE + 3} requests, most urgent first." in words
    assert "Previous page" in words and "Next page" not in words


def test_the_number_of_requests_leaves_out_those_a_director_may_not_open(app, make_staff):
    from core.model import CaseIntake, Staff
    from tests.factories import case_from_request

    ann = make_staff("case_director", name="Ann")
    with app.app_context(), db.writing() as session:
        case = case_from_request(session, session.get(Staff, ann[0]))
        in_file = session.scalar(select(CaseIntake.intake_id).where(CaseIntake.case_id == case.id))
        visible = _send(session, 1)
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    page = bram.get("/staff/?status=all")
    assert _queue_ids(page.page) == [visible]
    assert "1 request, most urgent first." in " ".join(page.get_data(as_text=True).split())
    own = staff_client(app, ann).get("/staff/?status=all")
    assert set(_queue_ids(own.page)) == {in_file, visible}
    assert "2 requests, most urgent first." in " ".join(own.get_data(as_text=True).split())


def test_timedelta_words_of_the_queue_are_babels(app):
    """The queue's waits, from its table of words, read as babel writes them."""
    from flask_babel import force_locale, format_timedelta

    from backoffice.page_words import waiting_words

    waits = [timedelta(seconds=s) for s in (0, 0.4, 0.9, 1, 1.6, 44, 51, 59, 89, 90, 3000)]
    waits += [timedelta(hours=h) for h in (0.84, 0.86, 1, 1.5, 2.5, 20, 21, 23.9, 30, 47)]
    waits += [timedelta(days=d) for d in (5.9, 6, 6.5, 13, 25, 26, 40, 300, 320, 800)]
    with app.test_request_context("/staff/"):
        for language in ("nl", "fr", "en"):
            with force_locale(language):
                words = waiting_words()
                for wait in waits:
                    assert words(wait) == format_timedelta(wait), (language, wait)
                    assert words(-wait) == format_timedelta(-wait), (language, wait)


def test_a_page_past_the_last_counts_only_what_a_director_may_open(app, make_staff):
    """A full page of requests Bram may open and one in Ann's case file: the
    last page is the first (counted with the same rule), not an empty second."""
    from core.model import Staff
    from tests.factories import case_from_request

    ann = make_staff("case_director", name="Ann")
    with app.app_context(), db.writing() as session:
        case_from_request(session, session.get(Staff, ann[0]))
        visible = [_send(session, n) for n in range(queue.PAGE_SIZE)]
    bram = staff_client(app, make_staff("case_director", name="Bram"))
    page = bram.get("/staff/?status=all&page=3")
    assert sorted(_queue_ids(page.page)) == sorted(visible)
    words = " ".join(page.get_data(as_text=True).split())
    assert f"{queue.PAGE_SIZE} requests, most urgent first." in words
    assert "Previous page" not in words and "Next page" not in words
