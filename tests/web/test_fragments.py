"""Markup rendered once and copied (web/fragments.py): a page built from the
shared copies is the page rendered in full, in every language, and nothing a
person typed ever becomes a shared copy."""

import re

import html5lib
import pytest
from flask import g, render_template_string
from markupsafe import Markup

from web import fragments, shared_pages
from web.fragments import EXTENSION, collapse_white_space, minimal_markup

# Per request only: the CSRF token and the one-time submission id.
TOKENS = re.compile(r'(name="(?:csrf_token|submission_id)" type="hidden" value=)"[^"]+"')
PORTAL_PAGES = ["", "contact", "question", "referral", "young", "return", "safety"]
LANGUAGES = ["nl", "fr", "ar", "uk"]


def _without_tokens(body: str) -> str:
    return TOKENS.sub(r"\1TOKEN", body)


def _shared_copies(app) -> list[str]:
    return [str(markup) for markup in app.extensions[EXTENSION]._markup.values()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_portal_page_is_the_page_rendered_in_full(app, client, lang):
    for page in PORTAL_PAGES:
        path = f"/{lang}/{page}"
        first = client.get(path)
        copied = client.get(path)
        assert first.status_code == copied.status_code == 200, path
        app.jinja_env.auto_reload = True  # as in development: no shared copies
        try:
            in_full = client.get(path).get_data(as_text=True)
        finally:
            app.jinja_env.auto_reload = False
        assert _without_tokens(copied.get_data(as_text=True)) == _without_tokens(in_full), path
    # The copies were used: the pages were rendered once each, not per visit.
    assert app.extensions[EXTENSION].renders <= len(_shared_copies(app))


def test_each_visit_gets_its_own_submission_id_around_the_shared_markup(client):
    pages = [client.get("/nl/contact").get_data(as_text=True) for _ in range(2)]
    ids = [re.search(r'name="submission_id" type="hidden" value="([^"]+)"', p) for p in pages]
    assert ids[0] and ids[1] and ids[0].group(1) != ids[1].group(1)
    assert all('name="csrf_token" type="hidden" value="' in page for page in pages)
    assert _without_tokens(pages[0]) == _without_tokens(pages[1])


def test_a_form_sent_back_shows_what_she_typed_and_no_copy_holds_it(app, client):
    client.get("/nl/contact")  # the blank form's copies exist now
    typed = "Mijn buurman Jozef Vermeulen-Kwartel hoort alles"
    response = client.submit("/nl/contact", {"story": typed, "name": "Kwartelkoning"})
    body = response.get_data(as_text=True)
    assert "Kwartelkoning" in body and "Vermeulen-Kwartel" in body  # sent back, kept
    assert "field-error" in body
    assert not any("Kwartel" in copy for copy in _shared_copies(app))
    blank = client.get("/nl/contact").get_data(as_text=True)
    assert "Kwartel" not in blank


def _render(app, lang: str, template: str, **values) -> str:
    # One request per render: flask-babel keeps a request's language.
    with app.test_request_context(f"/{lang}/"):
        g.lang = lang
        return render_template_string(template, **values)


def test_a_copy_is_kept_per_language_and_per_dependency(app):
    template = (
        '{% call rendered_once("greeting", towns) %}'
        "{{ _('Send') }}: {{ towns | join(', ') }}{% endcall %}"
    )
    dutch = _render(app, "nl", template, towns=["Mechelen"])
    grown = _render(app, "nl", template, towns=["Mechelen", "Bonheiden"])
    french = _render(app, "fr", template, towns=["Mechelen"])
    assert dutch == "Versturen: Mechelen"
    assert grown == "Versturen: Mechelen, Bonheiden"
    assert french.endswith(": Mechelen") and not french.startswith("Versturen")


def test_nothing_is_shared_when_the_caller_says_so(app):
    template = '{% call rendered_once("now", when=share) %}{{ value }}{% endcall %}'
    with app.test_request_context("/nl/"):
        shown = [render_template_string(template, value=v, share=False) for v in ("a", "b")]
        shared = [render_template_string(template, value=v, share=True) for v in ("c", "d")]
    assert shown == ["a", "b"]
    assert shared == ["c", "c"]


def test_a_wrong_code_sent_back_is_shown_to_her_only(app, client):
    client.get("/nl/return")
    response = client.submit("/nl/return", {"code": "1111 2222 3333 4444"})
    assert 'value="1111 2222 3333 4444"' in response.get_data(as_text=True)
    assert not any("1111 2222" in copy for copy in _shared_copies(app))
    assert "1111 2222" not in client.get("/nl/return").get_data(as_text=True)


def test_the_tokens_are_written_as_wtforms_writes_them(app):
    from portal.forms import QuestionForm
    from web.forms import hidden_input

    with app.test_request_context("/nl/question"):
        form = QuestionForm()
        form.submission_id.data = 'a"b<c'
        for token in (form.csrf_token, form.submission_id):
            assert str(hidden_input(token)) == str(token())


def test_a_lazy_label_stands_for_itself_with_its_variables():
    from flask_babel import lazy_gettext

    from web.fragments import depends_on

    one, two = (lazy_gettext("Keep this under %(max)d characters.", max=n) for n in (100, 200))
    assert depends_on([one]) != depends_on([two])
    assert depends_on([one]) == depends_on(
        [lazy_gettext("Keep this under %(max)d characters.", max=100)]
    )


def test_white_space_between_tags_becomes_one_line_break_and_typed_text_stays():
    markup = Markup(
        "<div>\n    <p>a  b</p>\n\n  <label>x</label> <input>\n"
        "<textarea>\n  two\n\n  lines\n</textarea>\n  <pre>\n  kept\n</pre>\n</div>"
    )
    assert collapse_white_space(markup) == (
        "<div>\n<p>a  b</p>\n<label>x</label> <input>\n"
        "<textarea>\n  two\n\n  lines\n</textarea>\n<pre>\n  kept\n</pre>\n</div>"
    )
    assert isinstance(collapse_white_space(markup), Markup)


def _tree(body: str) -> list:
    """Every element of the parsed page: name, attributes, text and tail. An
    <input> without a type is a text field, and a text field's value without
    the attribute is empty: such attributes are left out on both sides."""
    root = html5lib.parse(body, namespaceHTMLElements=False)
    tree = []
    for el in root.iter():
        attributes = dict(el.attrib)
        if el.tag == "input":
            if attributes.get("type") == "text":
                del attributes["type"]
            ticked = attributes.get("type") in ("checkbox", "radio")
            if attributes.get("value") == "" and not ticked:
                del attributes["value"]
        tree.append((el.tag, sorted(attributes.items()), el.text, el.tail))
    return tree


@pytest.mark.parametrize("lang", ["nl", "ar", "ru"])
def test_shorter_tags_give_the_same_elements_and_attributes(app, client, lang, monkeypatch):
    """The page with minimal_markup parses to the same document as without it,
    for every portal page, a blank form and one sent back with what she typed
    (its fields are not shared, and written as they were)."""
    typed = {"name": 'Ann "A" <b> `x` a=b', "story": "Line <one>\n\n  two", "phone": "x"}

    def pages() -> list[str]:
        app.extensions[EXTENSION] = type(app.extensions[EXTENSION])()
        # Whole pages are shared too (web.shared_pages): made again as well.
        app.extensions[shared_pages.EXTENSION] = shared_pages.SharedPages()
        bodies = [client.get(f"/{lang}/{page}").get_data(as_text=True) for page in PORTAL_PAGES]
        sent_back = client.submit(f"/{lang}/contact", typed).get_data(as_text=True)
        return [_without_tokens(body) for body in [*bodies, sent_back]]

    short = pages()
    assert "Line &lt;one&gt;\n\n  two</textarea>" in short[-1]  # sent back, as typed
    monkeypatch.setattr(fragments, "minimal_markup", lambda markup: markup)
    as_written = pages()
    for page, before, after in zip([*PORTAL_PAGES, "sent back"], as_written, short, strict=True):
        assert len(after) < len(before), page
        assert _tree(after) == _tree(before), page


def test_start_tags_are_written_as_short_as_html_allows():
    markup = Markup(
        '<div class="a b" id="x"><input id="n" type="text" value="">'
        '<input type="checkbox" value=""><input type="radio" name="r" value="y" checked>'
        '<input type="hidden" name="csrf_token" value="'  # a tag cut by a fragment's edge
    )
    assert minimal_markup(markup) == (
        '<div class="a b" id=x><input id=n><input type=checkbox value>'
        '<input type=radio name=r value=y checked><input type="hidden" name="csrf_token" value="'
    )
    assert minimal_markup(Markup('<a href="/nl/">x</a><circle r="8.5"/><p title="a=b">')) == (
        '<a href=/nl/>x</a><circle r="8.5"/><p title="a=b">'
    )
    assert minimal_markup(
        Markup('<select><option value="">-</option><option value="1">1</option></select>')
    ) == ("<select><option value>-<option value=1>1</select>")
    kept = Markup('<textarea id="t">\n<b class="x"> a="b" </textarea><pre title="p">  x</pre>')
    assert minimal_markup(kept) == (
        '<textarea id=t>\n<b class="x"> a="b" </textarea><pre title=p>  x</pre>'
    )
    # A button's empty value is its label: kept (as the bare name, the same).
    buttons = Markup('<input type="submit" value=""><input type="email" value="">')
    assert minimal_markup(buttons) == "<input type=submit value><input type=email>"
    assert isinstance(minimal_markup(markup), Markup)


HOLED = (
    '{% call(hole) rendered_around("holed", holes={"token": token, "path": path}) %}'
    '<form action="/x"><input type="hidden" name="t" value="{{ hole("token") }}">'
    '<input type="hidden" name="next" value="{{ hole("path") }}"><p>{{ _("Send") }}</p>'
    "</form>{% endcall %}"
)


def test_a_part_with_holes_is_rendered_once_and_filled_per_request(app):
    visits = [("t1", "/nl/a b"), ("t2", '/nl/"<&>')]
    with app.test_request_context("/nl/"):
        pages = [render_template_string(HOLED, token=t, path=p) for t, p in visits]
    assert app.extensions[EXTENSION].renders == 1
    assert pages[0] == (
        '<form action=/x><input type=hidden name=t value="t1">'
        '<input type=hidden name=next value="/nl/a b"><p>Versturen</p></form>'
    )
    # Escaped as Jinja escapes a value, the quotes kept around it.
    assert 'value="/nl/&#34;&lt;&amp;&gt;"' in pages[1] and 'value="t2"' in pages[1]
    copies = [str(copy) for copy in app.extensions[EXTENSION]._markup.values()]
    assert not any(value in copy for copy in copies for value in ("t1", "t2", "a b", "&lt;"))


def test_a_part_that_writes_the_csrf_token_itself_is_never_kept(app):
    template = (
        '{% call(hole) rendered_around("leaky", holes={"path": request.path}) %}'
        '<input name="csrf_token" value="{{ csrf_token() }}">{{ hole("path") }}{% endcall %}'
    )
    for _ in range(2):
        with app.test_request_context("/nl/"):
            assert g.get("csrf_token") is None
            page = render_template_string(template)
            assert g.csrf_token in page
    assert app.extensions[EXTENSION].renders == 2, "rendered in full each time"
    assert not app.extensions[EXTENSION]._markup


def test_a_hole_without_a_value_is_an_error(app):
    template = '{% call(hole) rendered_around("typo", holes={}) %}{{ hole("nmae") }}{% endcall %}'
    with app.test_request_context("/nl/"), pytest.raises(KeyError, match="nmae"):
        render_template_string(template)
