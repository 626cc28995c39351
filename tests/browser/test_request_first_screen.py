"""A request's page opens with what decides the next step: the most urgent
referral must not look calm. At 1280x800, without scrolling, staff see the
urgency and its reasons, the children, and how to reach the person: here
through the referrer, with the referrer's phone."""

from __future__ import annotations

import secrets

from core.identity.staff import create_staff
from core.intake.intakes import ReferralDetails, SafeContact, Submission, submit
from core.model import IntakeKind
from tests.conftest import TEST_PASSWORD
from web.db import db

SCREEN = {"width": 1280, "height": 800}
REFERRER_PHONE = "015 12 34 56"


def _urgent_referral(app) -> tuple[int, str]:
    email = f"coordinator-{secrets.token_hex(3)}@fjc.example"
    with app.app_context(), db.writing() as session:
        create_staff(session, email=email, name="Chris", role="coordinator", password=TEST_PASSWORD)
        intake, _code = submit(
            session,
            Submission(
                kind=IntakeKind.REFERRAL,
                language="nl",
                contact=SafeContact(),
                children_involved="yes",
                story="Ze werd gisteren gewurgd.",
                referral=ReferralDetails(
                    organisation="CAW Mechelen",
                    name="An Peeters",
                    phone=REFERRER_PHONE,
                    client_consent="agrees",
                    urgency="today",
                    contact_via_referrer=True,
                    risk_concerns=("strangulation",),
                ),
            ),
        )
        return intake.id, email


def _bottom(page, text: str) -> float:
    box = page.get_by_text(text, exact=False).first.bounding_box()
    assert box is not None, f"{text!r} is not on the page"
    return box["y"] + box["height"]


def test_the_next_step_fits_the_first_screen(browser, live_app):
    intake_id, email = _urgent_referral(live_app.app)
    context = browser.new_context(locale="en-GB", viewport=SCREEN)
    try:
        page = context.new_page()
        page.goto(f"{live_app.url}/staff/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{live_app.url}/staff/**")
        page.goto(f"{live_app.url}/staff/intakes/{intake_id}")
        for text in (
            "Urgent today (professional)",
            "High-risk factor",
            "Children in the family",
            "First contact goes through An Peeters, CAW Mechelen",
            REFERRER_PHONE,
        ):
            assert _bottom(page, text) <= SCREEN["height"], f"{text!r} is below the first screen"
    finally:
        context.close()
