"""The partner face in a real browser, on a small phone (a police officer on
patrol reads the file there): signing in with the second factor, the case
page fitting 320 px, every focus indicator at 3:1, every text in a landmark."""

from __future__ import annotations

from datetime import timedelta

from core.model import Case, Staff
from tests.backoffice.helpers import code_now, open_test_case
from tests.browser.test_focus_and_landmarks import OUTSIDE_LANDMARKS, SMALL, _weak_focus
from tests.conftest import TEST_PASSWORD
from tests.partner.helpers import add_partner, link, make_member
from web.db import db


def _a_file_for_the_police(app, clock):
    with app.app_context(), db.writing() as session:
        from core.identity.staff import create_staff

        director = create_staff(
            session,
            email="dana@fjc.example",
            name="Dana",
            role="case_director",
            password=TEST_PASSWORD,
        ).id
    case_id = open_test_case(app, director)
    police = add_partner(
        app, case_id, director, kind="police", organisation="PZ Mechelen", basis="case_consultation"
    )
    school = add_partner(
        app,
        case_id,
        director,
        kind="school",
        organisation="De Klimop",
        scope=("safety_plan",),
        given_at=clock.current - timedelta(days=1),
    )
    member = make_member(
        app, "PZ Mechelen", kind="police", name="Ines", second_factor_at=clock.current
    )
    link(app, case_id, police, member, director)
    with app.app_context():
        assert db.session.get(Case, case_id) and db.session.get(Staff, member.id)
    return case_id, member, school


def test_a_member_signs_in_and_reads_the_file_on_a_small_phone(browser, live_app, clock):
    case_id, member, _ = _a_file_for_the_police(live_app.app, clock)
    context = browser.new_context(locale="en-GB", viewport=SMALL)
    try:
        page = context.new_page()
        page.goto(f"{live_app.url}/partner/login")
        problems = [f"/partner/login {w}" for w in _weak_focus(page)]
        page.fill("#email", member.email)
        page.fill("#password", TEST_PASSWORD)
        page.click("button[type=submit]:has-text('Sign in')")
        page.fill("#code", code_now(member.secret, clock.current))
        page.click("button[type=submit]:has-text('Sign in')")
        assert page.url.endswith("/partner/")
        page.click(f"a[href='/partner/cases/{case_id}']")
        assert page.url.endswith(f"/partner/cases/{case_id}")
        for path in ("/partner/", f"/partner/cases/{case_id}", f"/partner/cases/{case_id}/print"):
            page.goto(f"{live_app.url}{path}")
            problems += [f"{path} {w}" for w in _weak_focus(page)]
            outside = page.evaluate(OUTSIDE_LANDMARKS)
            if outside:
                problems.append(f"{path} outside landmarks: {outside}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > SMALL["width"]:
                problems.append(f"{path} is {width} px wide")
        assert problems == []
    finally:
        context.close()
