"""A test client that checks every HTML page it fetches, and fills in forms.

Checks, as GOV.UK Notify's client_request does: the page parses as HTML
without errors, has a <title>, <html lang dir>, no duplicate ids, and every
POST form carries a CSRF token, and every form leaves checking to the app
(novalidate): the browser's own tooltips speak the browser's language, not the
person's, and bypass the error summary. Portal pages also need the quick exit.
Each page links the style sheets its classes need: a class that a sheet in
static/css styles must be styled by a sheet the page links (the portal's first
pages load only site.css, for their weight).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from xml.etree.ElementTree import Element

import html5lib
from flask.testing import FlaskClient

from core.infra.config import PROJECT_ROOT

CSS_DIR = PROJECT_ROOT / "static" / "css"
# print.css only changes a printout; its classes are styled on screen elsewhere.
SCREEN_SHEETS = tuple(sorted(p.name for p in CSS_DIR.glob("*.css") if p.name != "print.css"))
# /static/build/css/site.43cc7621.css (built) or /static/css/site.css (source)
SHEET_HREF = re.compile(r"/static/(?:build/)?css/([\w-]+)(?:\.[0-9a-f]{8})?\.css$")


class PageProblem(AssertionError):
    pass


def parse_html(body: str) -> Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        return parser.parse(body)
    except html5lib.html5parser.ParseError as exc:
        raise PageProblem(f"the page is not valid HTML: {exc}") from None


@cache
def classes_styled_by(sheet: str) -> frozenset[str]:
    css = re.sub(r"/\*.*?\*/", "", (CSS_DIR / sheet).read_text(encoding="utf-8"), flags=re.S)
    selectors = " ".join(re.findall(r"([^{}]+)\{", css))
    return frozenset(re.findall(r"\.(-?[A-Za-z_][\w-]*)", selectors))


def unstyled_classes(root: Element) -> list[str]:
    """Classes of the page that some sheet styles but none of the page's sheets."""
    linked = set()
    for link in root.iter("link"):
        match = SHEET_HREF.search(link.get("href") or "")
        if "stylesheet" in (link.get("rel") or "").split() and match:
            linked.add(f"{match[1]}.css")
    used = {c for el in root.iter() for c in (el.get("class") or "").split()}
    styled_somewhere = frozenset().union(*(classes_styled_by(s) for s in SCREEN_SHEETS))
    styled_here = frozenset().union(*(classes_styled_by(s) for s in linked if s in SCREEN_SHEETS))
    return sorted((used & styled_somewhere) - styled_here)


def check_page(body: str, path: str) -> Element:
    root = parse_html(body)
    if not root.get("lang") or root.get("dir") not in ("ltr", "rtl"):
        raise PageProblem(f"{path}: <html> needs lang and dir, has {root.attrib}")
    title = root.find("./head/title")
    if title is None or not (title.text or "").strip():
        raise PageProblem(f"{path}: the page has no <title>")
    ids = Counter(el.get("id") for el in root.iter() if el.get("id"))
    duplicated = sorted(name for name, count in ids.items() if count > 1)
    if duplicated:
        raise PageProblem(f"{path}: duplicate ids {duplicated}")
    # What a screen reader is pointed at must be on the page.
    for attribute in ("aria-describedby", "aria-labelledby"):
        for el in root.iter():
            missing = [i for i in (el.get(attribute) or "").split() if i not in ids]
            if missing:
                raise PageProblem(f"{path}: {attribute} names missing ids {missing}")
    labelled = {el.get("for") for el in root.iter("label") if el.get("for")}
    if dangling := sorted(labelled - set(ids)):
        raise PageProblem(f"{path}: <label for> names missing ids {dangling}")
    for form in root.iter("form"):
        if form.get("novalidate") is None:
            raise PageProblem(f"{path}: a form to {form.get('action')} lacks novalidate")
        if (form.get("method") or "get").lower() != "post":
            continue
        names = {el.get("name") for el in form.iter("input")}
        if "csrf_token" not in names:
            raise PageProblem(f"{path}: a POST form has no csrf_token field")
    if not path.startswith(("/staff", "/partner")):
        exits = [a for a in root.iter("a") if a.get("href") == "/exit"]
        if not exits:
            raise PageProblem(f"{path}: the portal page has no quick exit link to /exit")
    if unstyled := unstyled_classes(root):
        raise PageProblem(f"{path}: no linked style sheet styles the classes {unstyled}")
    return root


def form_values(root: Element, action: str | None = None) -> dict[str, str]:
    """What a browser sends untouched from the POST form to `action` (or the first)."""
    for form in root.iter("form"):
        if (form.get("method") or "").lower() != "post":
            continue
        if action is not None and form.get("action") != action:
            continue
        values = {
            el.get("name"): el.get("value") or ""
            for el in form.iter("input")
            if el.get("type") == "hidden" and el.get("name")
        }
        # A browser also sends each <select>'s chosen option (or its first).
        for select in form.iter("select"):
            options = list(select.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            if chosen:
                values[select.get("name")] = chosen[0].get("value") or ""
        return values
    raise PageProblem(f"no POST form to {action}")


SENT_PAGE = re.compile(r"^/[a-z]{2}/(sent|return/deleted)$")


class CheckingClient(FlaskClient):
    def open(self, *args, follow_sent: bool = True, **kwargs):
        """`follow_sent=False`: the answer to a sent form is lost on the way
        (the phone lost its signal), so its page with the code never shows;
        or the test looks at the redirect itself."""
        response = super().open(*args, **kwargs)
        if follow_sent and response.status_code == 303 and self._shows_once(response):
            # A sent form's page, the page after deleting a request and a
            # portal form sent back with problems come by redirect
            # (portal/receipts.py); the browser follows at once, and so do
            # the tests.
            response = self.get(response.headers["Location"])
        if (
            response.mimetype == "text/html"
            and response.status_code != 204
            and response.request.method != "HEAD"  # headers only: no page to check
            and not (300 <= response.status_code < 400)
        ):
            response.page = check_page(response.get_data(as_text=True), response.request.path)
        return response

    def _shows_once(self, response) -> bool:
        if SENT_PAGE.match(response.headers["Location"]):
            return True
        if response.request.method != "POST" or response.request.path.startswith(
            ("/staff", "/partner")
        ):
            return False
        with self.session_transaction() as session:
            return "sent_back" in session

    def submit(self, path: str, data: dict[str, str], *, form_page: str | None = None):
        """Fetch the form page, then post `data` with the form's hidden fields."""
        page = self.get(form_page or path)
        assert page.status_code == 200, f"GET {form_page or path}: {page.status_code}"
        values = form_values(page.page, action=path)
        values.update(data)
        return self.post(path, data=values)
