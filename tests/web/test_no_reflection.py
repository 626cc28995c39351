"""No portal page echoes what a request brought: the condition under which the
shipped nginx may gzip the portal's pages (deploy/nginx/fjc-proxy.conf).

BREACH guesses a secret on a compressed page (the CSRF token, a return code,
someone's messages) from the page's size, by making the victim's browser ask
for the page with guesses of its own in the address or in a header it
controls (Referer). A page that never shows such input gives it nothing to
compare. A POST with chosen text is refused without its CSRF token, which a
cross-site attacker does not have. The staff's and partners' pages show search
terms beside personal data; nginx never compresses them.

Every portal GET route is visited with a marker in the query string (name and
value), in Referer and User-Agent, and a 404 with it in the path: for a first
visit, right after a request was sent (the page with the return code) and with
the mailbox open (her messages).
"""

from __future__ import annotations

import re

import pytest

MARKER = "zqx7reflected"
QUERY = f"?{MARKER}=1&q={MARKER}&lang={MARKER}&next=/{MARKER}"
HEADERS = {"Referer": f"https://attacker.example/{MARKER}", "User-Agent": f"Mozilla/5.0 {MARKER}"}
# Talk now's live stream goes to the live server (fjc-site.conf), uncompressed.
NOT_PAGES = {"portal.talk_events", "static"}
CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")


def _portal_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES or "GET" not in rule.methods:
            continue
        if rule.rule.startswith(("/staff", "/partner")) or rule.rule == "/healthz":
            continue
        assert set(rule.arguments) <= {"lang"}, f"{rule.rule}: fill in its arguments here"
        paths.append(rule.rule.replace("<lang:lang>", "nl"))
    return sorted(paths)


def _assert_nothing_echoed(client, app) -> int:
    paths = _portal_paths(app)
    assert "/nl/contact" in paths and "/nl/return" in paths and "/" in paths
    for path in [*paths, f"/nl/{MARKER}", f"/{MARKER}"]:
        response = client.get(path + QUERY, headers=HEADERS)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, path
        assert MARKER not in body, f"{path} echoes the request: nginx must not compress it"
        assert MARKER not in response.headers.get("Location", ""), path
    return len(paths)


def test_no_portal_page_echoes_the_request_on_a_first_visit(app, client):
    assert _assert_nothing_echoed(client, app) >= 15


@pytest.fixture
def sent(client):
    response = client.submit("/en/contact", {"email": "safe@example.be", "story": "First story."})
    code = CODE.findall(response.get_data(as_text=True))
    assert code, "no return code shown"
    return code[0]


def test_no_portal_page_echoes_the_request_after_sending_and_with_the_mailbox_open(
    app, client, sent
):
    _assert_nothing_echoed(client, app)
    opened = client.submit("/en/return", {"code": sent})
    assert opened.status_code == 303
    assert "First story." in client.get("/en/return").get_data(as_text=True)
    _assert_nothing_echoed(client, app)
