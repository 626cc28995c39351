"""The queue pages (/staff/, its later pages, with filters) and the staff
header around them are, to the byte, what the templates as they were wrote:
for each role that sees the queue and several states (no requests; three
pages of them with people waiting to talk and an overdue action; filters; a
member of two centres, whose header has the centre switch), in three
languages, each page is rendered with today's templates, twice (into the
fragment cache, then from it), and with the templates kept in
templates_before/ (the header's language and centre switches included).
CSRF tokens and the white space between tags are compared as
test_staff_chrome_markup does."""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from core.casework import actions
from core.intake import queue
from core.model import Case, Municipality, Staff
from core.network.centres import add_member, centre_by_slug
from tests.backoffice.helpers import open_test_case, staff_client
from tests.backoffice.talk_helpers import start_conversation
from tests.backoffice.test_queue_reads import _referral, _send
from tests.backoffice.test_staff_chrome_markup import _page
from tests.core.network.network_setup import NETWORK_FILE, staff_at
from web.db import db
from web.fragments import EXTENSION, Fragments

BEFORE = Path(__file__).parent / "templates_before"
TEMPLATES_BEFORE = {
    "backoffice/base.html": BEFORE / "base.html",
    "backoffice/queue.html": BEFORE / "queue.html",
    "accounts/_centre_switch.html": BEFORE / "accounts" / "_centre_switch.html",
    "accounts/_language_switch.html": BEFORE / "accounts" / "_language_switch.html",
}
ROLES = ("coordinator", "case_director")
LANGUAGES = ("en", "nl", "fr")
BRUSSELS = ZoneInfo("Europe/Brussels")


def _rendered_before(app, client, path: str) -> str:
    env = app.jinja_env
    loader, fragments = env.loader, app.extensions[EXTENSION]
    env.loader = ChoiceLoader(
        [DictLoader({name: p.read_text() for name, p in TEMPLATES_BEFORE.items()}), loader]
    )
    env.cache.clear()
    app.extensions[EXTENSION] = Fragments()
    try:
        return _page(client, path)
    finally:
        env.loader = loader
        env.cache.clear()
        app.extensions[EXTENSION] = fragments


def _assert_same(app, client, paths, *, shows=()) -> None:
    """`shows`: what the first page must hold, so the state is really there
    (words, not attribute syntax, which the shared fragments may shorten)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    first = _page(client, paths[0])
    for part in shows:
        assert part in first, part
    for language in LANGUAGES:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        for path in paths:
            now = [_page(client, path), _page(client, path)]
            before = _rendered_before(app, client, path)
            assert now == [before, before], (language, path)


def _overdue_action(app, director_id: int, clock) -> None:
    """One open action of a case file, due yesterday, owned by the director."""
    real_now = clock()
    clock.current = real_now - timedelta(days=5)
    case_id = open_test_case(app, director_id)
    with app.app_context(), db.writing() as session:
        case = session.get(Case, case_id)
        actions.add_action(
            session,
            case,
            session.get(Staff, director_id),
            title="Call <the> school & 'x'",
            owner=f"staff:{director_id}",
            due_on=actions.opened_on(case, BRUSSELS) + timedelta(days=1),
            zone=BRUSSELS,
        )
    clock.current = real_now


@pytest.mark.parametrize("role", ROLES)
def test_an_empty_queue_is_the_markup_it_was(app, make_staff, role):
    assert not app.jinja_env.auto_reload  # the cache is on, as in production
    client = staff_client(app, make_staff(role, name="Ann <&> 'x'"))
    _assert_same(app, client, ["/staff/", "/staff/?page=2"])


@pytest.mark.parametrize("role", ROLES)
def test_a_full_queue_with_its_filters_is_the_markup_it_was(app, make_staff, clock, role):
    member = make_staff(role, name="Ann <&> 'x'")
    director = make_staff("case_director", name="Dirk")
    _overdue_action(app, director[0] if role == "coordinator" else member[0], clock)
    with app.app_context(), db.writing() as session:
        lier = session.scalar(select(Municipality).where(Municipality.name == "Lier")).id
        for n in range(3):
            _send(session, 90 + n, referral=_referral("today", "weapons"), municipality_id=lier)
        for n in range(queue.PAGE_SIZE + 3):
            _send(session, n)
    for _ in range(2):
        start_conversation(app)
    client = staff_client(app, member)
    _assert_same(
        app,
        client,
        [
            "/staff/",
            "/staff/?page=2",
            "/staff/?page=3",  # past the last page: the last page
            "/staff/?status=all&assigned=me",
            f"/staff/?municipality={lier}&kind=contact&status=new",
            "/staff/?language=nl&assigned=unassigned&page=1",
        ],
        shows=["overdue-actions-title", "(2 waiting)", "Next page", "Call &lt;the&gt;"],
    )


def test_a_member_of_two_centres_sees_the_queue_it_was(app_factory):
    app = app_factory(FJC_CENTRE_FILE=NETWORK_FILE)
    with app.app_context(), db.writing() as session:
        member = staff_at(session, "mechelen", name="Tine <Twee>")
        add_member(session, member, centre_by_slug(session, "leuven"))
        staff_id, email = member.id, member.email
        for n in range(3):
            _send(session, n)
    client = staff_client(app, (staff_id, email))
    _assert_same(
        app, client, ["/staff/", "/staff/?status=all"], shows=["centre-switch", "Tine &lt;"]
    )
