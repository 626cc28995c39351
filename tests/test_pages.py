"""The checks the test client runs on every page it fetches find what they
promise: a screen reader pointed at a missing element, a label for no field."""

import pytest

from tests.pages import PageProblem, check_page

PAGE = """<!doctype html><html lang="en" dir="ltr"><head><title>T</title></head>
<body><a href="/exit">Exit</a>{}</body></html>"""


def test_a_page_whose_references_all_exist_passes():
    check_page(
        PAGE.format(
            '<label for="a">A</label><input id="a" aria-describedby="a-hint">'
            '<p id="a-hint">Hint</p>'
        ),
        "/en/",
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('<input id="a" aria-describedby="a-error">', "aria-describedby"),
        ('<section aria-labelledby="title"></section>', "aria-labelledby"),
        ('<label for="b">B</label><input id="a">', "<label for>"),
    ],
)
def test_a_reference_to_a_missing_id_is_a_problem(body, problem):
    with pytest.raises(PageProblem, match=problem):
        check_page(PAGE.format(body), "/en/")


SHEETS_PAGE = """<!doctype html><html lang="en" dir="ltr"><head><title>T</title>{}</head>
<body><a href="/exit">Exit</a>
<ul class="thread"><li class="hint no-such-rule">x</li></ul></body></html>"""
SITE = '<link rel="stylesheet" href="/static/build/css/site.0d9412c8.css">'
MESSAGES = '<link rel="stylesheet" href="/static/css/messages.css">'


def test_a_class_styled_only_by_a_sheet_the_page_does_not_link_is_a_problem():
    # .thread is in messages.css; .hint in site.css; a class no sheet styles is free.
    with pytest.raises(PageProblem, match=r"styles the classes \['thread'\]"):
        check_page(SHEETS_PAGE.format(SITE), "/en/")
    check_page(SHEETS_PAGE.format(SITE + MESSAGES), "/en/")
