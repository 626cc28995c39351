"""The staff pages' header and the queue's table head, now partly rendered
once (web.fragments), are the markup the templates wrote before, to the byte:
the templates as they were are kept in templates_before/ and each page is
rendered with them and with today's, for several roles and languages, with
and without people waiting to talk (the count stays outside the cache). A run
of white space between tags that holds a line break counts as one line break
on both sides, and so do start tags written as short as HTML allows: the
shared parts are written so (web/fragments.py), and their edges moved."""

import re
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup

from core.intake import queue
from tests.backoffice.helpers import staff_client
from tests.backoffice.talk_helpers import start_conversation
from tests.backoffice.test_queue_reads import _send
from web.db import db
from web.fragments import EXTENSION, Fragments, minimal_markup

BEFORE = Path(__file__).parent / "templates_before"
# Tokens differ from one request to the next: the same placeholder on both sides.
TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')
BETWEEN_TAGS = re.compile(r">[ \t\r\n]*\n[ \t\r\n]*<")
# A start tag, and an attribute's value written without quotes in it: the
# header's holes keep their values quoted, the rest of it is written short.
START_TAG = re.compile(r"<[a-zA-Z][^>]*>")
ATTRIBUTE_VALUE = re.compile(r"(\s[\w:.-]+)=(\"[^\"]*\"|[^\s\"'=<>`]+)")


def _in_quotes(attribute: re.Match) -> str:
    name, value = attribute[1], attribute[2]
    return f"{name}={value}" if value.startswith('"') else f'{name}="{value}"'


def _quoted(page: str) -> str:
    """Every attribute value in quotes (minimal_markup takes away what need not be)."""
    return START_TAG.sub(lambda tag: ATTRIBUTE_VALUE.sub(_in_quotes, tag[0]), page)


def _page(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    page = TOKEN.sub('name="csrf_token" value="-"', _quoted(answer.get_data(as_text=True)))
    # Start tags as the shared parts write them, on both sides (a tag written so
    # already is left as it is).
    return str(minimal_markup(Markup(BETWEEN_TAGS.sub(">\n<", page))))  # noqa: S704


def _rendered_before(app, client, path: str) -> str:
    """The page as the templates before this change wrote it."""
    env = app.jinja_env
    loader, fragments = env.loader, app.extensions[EXTENSION]
    env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "backoffice/base.html": (BEFORE / "base.html").read_text(),
                    "backoffice/queue.html": (BEFORE / "queue.html").read_text(),
                    # The header's switches as they were (the header's holes
                    # are new: the old base.html calls them without).
                    "accounts/_centre_switch.html": (
                        BEFORE / "accounts" / "_centre_switch.html"
                    ).read_text(),
                    "accounts/_language_switch.html": (
                        BEFORE / "accounts" / "_language_switch.html"
                    ).read_text(),
                }
            ),
            loader,
        ]
    )
    env.cache.clear()
    app.extensions[EXTENSION] = Fragments()
    try:
        return _page(client, path)
    finally:
        env.loader = loader
        env.cache.clear()
        app.extensions[EXTENSION] = fragments


@pytest.mark.parametrize("waiting", [0, 2])
def test_staff_pages_are_the_markup_the_templates_wrote(app, make_staff, waiting):
    assert not app.jinja_env.auto_reload  # the cache is on, as in production
    with app.app_context(), db.writing() as session:
        for n in range(queue.PAGE_SIZE + 3):
            _send(session, n)
    for _ in range(waiting):
        start_conversation(app)
    clients = [
        staff_client(app, make_staff("coordinator", name="Cora <&> 'x'")),
        staff_client(app, make_staff("case_director", name="Dirk")),
    ]
    for client in clients:
        for language in ("en", "nl", "fr"):
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
            for path in ("/staff/", "/staff/?page=2", "/staff/account"):
                # Twice: rendered into the cache, then copied from it.
                now = [_page(client, path), _page(client, path)]
                before = _rendered_before(app, client, path)
                assert now == [before, before], (language, path)
    clients[0].environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if waiting:
        assert "(2 waiting)" in _page(clients[0], "/staff/")
    assert "Cora &lt;&amp;&gt; &#39;x&#39;" in _page(clients[0], "/staff/")


def test_the_queue_items_columns_are_its_fields_in_order():
    from dataclasses import fields

    from core.intake.queue import _ITEM_COLUMNS, _ITEM_FIELDS, QueueItem

    names = [f.name for f in fields(QueueItem)]
    assert names[-1] == "referral" and len(names) == _ITEM_FIELDS + 1
    assert [c.key for c in _ITEM_COLUMNS[:_ITEM_FIELDS]] == names[:-1]
