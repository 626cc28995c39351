"""The page after sending, reached by a redirect (post, redirect, get).

Shown as the answer to the POST itself, the page was a history entry that
Back (after the quick exit, without JavaScript) could only reach by sending
the form again: Chromium's "Confirm form resubmission". So the POST keeps a
receipt in the portal session and redirects; the GET shows it once and drops
it. The receipt holds the return code encrypted under the data key, so the
cookie shows nothing to someone who reads it, and it lives only between the
two requests (or until the page is seen, if the GET was lost on the way).
After the quick exit the session, and so the receipt, is gone: Back then
shows a neutral page.
"""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken
from flask import session

from core.infra.crypto import keyring

_KEY = "receipt"


def keep(*, kind: str, danger: bool, return_code: str, given_again: bool = False) -> None:
    sealed = json.dumps(
        {"kind": kind, "danger": danger, "code": return_code, "again": given_again}
    )
    session[_KEY] = keyring().encrypt(sealed)


def take() -> dict | None:
    """The receipt to show, once; None when there is none (seen, or exited)."""
    sealed = session.pop(_KEY, None)
    if not sealed:
        return None
    try:
        return json.loads(keyring().decrypt(sealed))
    except (InvalidToken, ValueError):
        return None
