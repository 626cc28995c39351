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
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from flask import session

from core.infra import clock
from core.infra.crypto import keyring

_KEY = "receipt"


# A receipt older than this shows nothing: a copy of the cookie taken before
# the page was seen (a signed cookie cannot be revoked) opens no code later.
LIFETIME = timedelta(minutes=10)


def keep(
    *,
    kind: str,
    danger: bool,
    return_code: str,
    submission_id: str | None,
    given_again: bool = False,
) -> None:
    sealed = json.dumps(
        {
            "kind": kind,
            "danger": danger,
            "code": return_code,
            "again": given_again,
            "form": submission_id,
            "at": clock.now().isoformat(),
        }
    )
    session[_KEY] = keyring().encrypt(sealed)


def take() -> dict | None:
    """The receipt to show, once; None when there is none (seen, exited or
    too old)."""
    sealed = session.pop(_KEY, None)
    if not sealed:
        return None
    try:
        receipt = json.loads(keyring().decrypt(sealed))
        made = datetime.fromisoformat(receipt["at"])
    except (InvalidToken, ValueError, KeyError, TypeError):
        return None
    if clock.now() - made > LIFETIME:
        return None
    return receipt
