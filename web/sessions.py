"""Two session cookies, one per face: the portal's and the back office's.

With one cookie, the portal's quick exit (which must end the person's
session at once) also signed out a staff member using the same browser, and
a portal cookie was a staff cookie. Each face now has its own cookie name and
its own signing salt, so neither can end, read or stand in for the other."""

from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

# The back office's URL prefix (a contract: DESIGN.md).
STAFF_PREFIX = "/staff"
STAFF_SUFFIX = "-staff"


def is_staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


def is_staff_request() -> bool:
    return has_request_context() and is_staff_path(request.path)


class PerFaceSessionInterface(SecureCookieSessionInterface):
    def get_cookie_name(self, app) -> str:
        name = app.config["SESSION_COOKIE_NAME"]
        return name + STAFF_SUFFIX if is_staff_request() else name

    def get_signing_serializer(self, app):
        """Flask's serializer (fallback keys first, as Flask orders them) with a
        salt per face, never a shared attribute changed per request: threads
        serve requests side by side."""
        if not app.secret_key:
            return None
        keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key]
        salt = "fjc-staff-session" if is_staff_request() else "fjc-portal-session"
        return URLSafeTimedSerializer(
            keys,
            salt=salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )


def init_app(app) -> None:
    app.session_interface = PerFaceSessionInterface()
