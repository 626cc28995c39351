"""The logs of a whole portal visit hold none of what the person typed, no
return code, no token and no address: everything any logger writes at DEBUG
is collected and searched."""

import json
import logging
import re

import pytest

from tests.portal.helpers import municipality_id
from web.logs import logger as request_logger

CODE = re.compile(r"\b(\d{4} \d{4} \d{4} \d{4})\b")
CLIENT_ADDRESS = "203.0.113.77"
FORWARDED_ADDRESS = "198.51.100.23"
TYPED = {
    "name": "Zelda Quuxworth",
    "phone": "+32 477 98 76 54",
    "email": "zelda.quux@example.be",
    "safe_word": "papaya-lighthouse",
    "story": "STORY-5b7e the neighbour heard everything",
}
MESSAGE = "MESSAGE-c41d he took the car keys"
WRONG_CODE = "9876 5432 1098 7654"
# Everything at DEBUG, as someone looking into a problem might set it.
WATCHED = ("", "fjc.request", "werkzeug", "core", "sqlalchemy")


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.name} {record.levelname} {self.format(record)}")


@pytest.fixture
def every_log_line():
    collector = Collect()
    saved = []
    for name in WATCHED:
        watched = logging.getLogger(name)
        saved.append((watched, watched.level))
        watched.setLevel(logging.DEBUG)
        watched.addHandler(collector)
    yield collector.lines
    for watched, level in saved:
        watched.removeHandler(collector)
        watched.setLevel(level)


def _hidden(response, name: str) -> list[str]:
    return [el.get("value") for el in response.page.iter("input") if el.get("name") == name]


def test_a_full_portal_visit_leaves_no_personal_data_in_the_logs(
    app, client, every_log_line, capfd
):
    client.environ_base["REMOTE_ADDR"] = CLIENT_ADDRESS
    client.environ_base["HTTP_X_FORWARDED_FOR"] = FORWARDED_ADDRESS
    tokens: set[str] = set()

    form = client.get("/nl/contact")
    tokens.update(_hidden(form, "csrf_token") + _hidden(form, "submission_id"))
    sent = client.submit(
        "/nl/contact",
        {
            **TYPED,
            "danger_now": "no",
            "phone_permissions": ["call"],
            "safe_days": ["tue"],
            "municipality": municipality_id(app, "Lier"),
            "children_involved": "yes",
        },
    )
    assert sent.status_code == 200
    [code] = CODE.findall(sent.get_data(as_text=True))

    assert client.submit("/nl/return", {"code": WRONG_CODE}).status_code == 200
    assert client.submit("/nl/return", {"code": code}).status_code == 303
    mailbox = client.get("/nl/return")
    assert TYPED["story"] in mailbox.get_data(as_text=True)
    tokens.update(_hidden(mailbox, "csrf_token"))
    added = client.submit("/nl/return/message", {"body": MESSAGE}, form_page="/nl/return")
    assert added.status_code == 303
    tokens.add(client.get_cookie("fjc").value)
    confirm = client.get("/nl/return/delete")
    assert confirm.status_code == 200
    deleted = client.submit("/nl/return/delete", {})
    assert deleted.status_code == 200
    assert client.get("/exit").status_code == 303

    captured = capfd.readouterr()
    text = "\n".join([*every_log_line, captured.out, captured.err])

    # The logs were really captured: one structured line per request.
    requests = [
        json.loads(line.split(" ", 2)[2])
        for line in every_log_line
        if line.startswith(f"{request_logger.name} ")
    ]
    assert len(requests) >= 12
    assert {r["endpoint"] for r in requests} >= {
        "portal.contact",
        "portal.open_mailbox",
        "portal.return_visit",
        "portal.add_information",
        "portal.delete_request",
    }
    assert {(r["method"], r["status"]) for r in requests} >= {("POST", 303), ("GET", 200)}
    for r in requests:
        assert set(r) == {"event", "method", "endpoint", "status", "ms"}

    secrets = [
        *TYPED.values(),
        "477987654",
        "0477 98 76 54",
        "zelda",
        "Quuxworth",
        MESSAGE,
        "c41d",
        "5b7e",
        code,
        code.replace(" ", ""),
        WRONG_CODE,
        WRONG_CODE.replace(" ", ""),
        CLIENT_ADDRESS,
        FORWARDED_ADDRESS,
        *tokens,
    ]
    assert len(tokens) >= 3
    lowered = text.lower()
    leaked = [n for n, secret in enumerate(secrets) if secret.lower() in lowered]
    assert all(secrets) and leaked == [], "the logs hold the values numbered in `leaked`"
    # Paths are not logged either (they name the language and the door).
    assert "/nl/return" not in text and "/nl/contact" not in text
