"""Staff and partner requests encrypt what they write under the keys of the
centre the member works for (g.centre): set before the view, reset after it,
so the next request on this thread starts from the installation's keys."""

from __future__ import annotations

from flask import g

from core.infra.crypto import start_encrypting_for, stop_encrypting_for
from core.model import Centre

_G_NAME = "fjc_encrypting_for"


def encrypt_for(centre: Centre | None) -> None:
    """Called once g.centre is known (web.accounts.centre_choice)."""
    release()
    setattr(g, _G_NAME, start_encrypting_for(centre.slug if centre is not None else None))


def release(_exc: BaseException | None = None) -> None:
    """The faces' teardown_request."""
    token = g.pop(_G_NAME, None)
    if token is None:
        return
    try:
        stop_encrypting_for(token)
    except (ValueError, RuntimeError):
        # Set in another context (a copied one): this context starts over.
        start_encrypting_for(None)
