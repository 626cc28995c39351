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

A form sent back with problems, and the page after deleting a request, come
the same way: what she typed and the problems found wait, encrypted, for the
form's next GET, which shows them once (send_back, restore).
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import datetime, timedelta

from cryptography.fernet import InvalidToken
from flask import current_app, redirect, request, session
from werkzeug.datastructures import MultiDict
from wtforms import StringField

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
    centre_id: int | None = None,
    given_again: bool = False,
) -> None:
    sealed = json.dumps(
        {
            "kind": kind,
            # The request's centre: the page shows its hours and site title.
            "centre": centre_id,
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
    return _unseal(_KEY)


def _unseal(key: str, *, packed: bool = False) -> dict | None:
    sealed = session.pop(key, None)
    if not sealed:
        return None
    try:
        opened = keyring().decrypt(sealed)
        if packed:
            opened = zlib.decompress(base64.b64decode(opened)).decode()
        payload = json.loads(opened)
        made = datetime.fromisoformat(payload["at"])
    except (InvalidToken, ValueError, KeyError, TypeError, zlib.error):
        return None
    if clock.now() - made > LIFETIME:
        return None
    return payload


_SENT_BACK = "sent_back"
_DELETED = "deleted"
# Browsers drop a cookie over 4,096 bytes, and the whole session with it
# (Flask warns from 4,093 with its attributes): the session must stay below.
COOKIE_MAX = 3900


def send_back(form, *, to: str | None = None):
    """The answer to a form with problems: 303 to its page (`to`, else the
    same address), which shows what she typed and the problems once. None
    when it is too long for the session cookie (several thousand characters):
    the caller then shows the form at once, as the answer to the POST, rather
    than lose what she wrote. None too for a GET: nothing was sent."""
    if request.method != "POST":
        return None
    # A text field as the form shows it: a phone number in the form it will
    # be stored (web.forms.PhoneField), say.
    shown = {f.name: f.data for f in form if isinstance(f, StringField) and isinstance(f.data, str)}
    typed = [
        (name, shown.get(name, value))
        for name, value in request.form.items(multi=True)
        if name != "csrf_token"
    ]
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items() if name}
    page = to or request.script_root + request.path
    plain = json.dumps(
        {
            "page": page,
            "form": type(form).__name__,
            "typed": typed,
            "errors": errors,
            "at": clock.now().isoformat(),
        },
        ensure_ascii=False,
    )
    # Compressed first: a story twice as long still fits the cookie.
    session[_SENT_BACK] = keyring().encrypt(
        base64.b64encode(zlib.compress(plain.encode())).decode()
    )
    if not _fits_the_cookie():
        session.pop(_SENT_BACK)
        return None
    return redirect(page, code=303)


def _fits_the_cookie() -> bool:
    interface = current_app.session_interface
    value = interface.get_signing_serializer(current_app).dumps(dict(session))
    return len(interface.get_cookie_name(current_app)) + len(value) <= COOKIE_MAX


def sent_back_waiting() -> bool:
    """Whether a form sent back with problems waits for its page (restore):
    without one, a page shows its blank form and needs no form object."""
    return _SENT_BACK in session


def restore(form) -> bool:
    """Fill `form` with what was typed and its problems, if it was sent back
    to this page; True then. Either way they are gone afterwards: a reload,
    or Back after the quick exit, shows the empty form."""
    sent_back = _unseal(_SENT_BACK, packed=True)
    if (
        sent_back is None
        or sent_back.get("page") != request.script_root + request.path
        or sent_back.get("form") != type(form).__name__
    ):
        return False
    form.process(formdata=MultiDict([tuple(pair) for pair in sent_back["typed"]]))
    for name, messages in sent_back["errors"].items():
        if name in form:
            form[name].errors = list(messages)
    return True


def keep_deleted() -> None:
    """The page after deleting a request shows once (nothing personal in it,
    but it says there was a request)."""
    session[_DELETED] = keyring().encrypt(json.dumps({"at": clock.now().isoformat()}))


def take_deleted() -> bool:
    return _unseal(_DELETED) is not None
