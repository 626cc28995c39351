"""A session cookie per face: the portal's, the back office's and the partners'.

With one cookie, the portal's quick exit (which must end the person's
session at once) also signed out a staff member using the same browser, and
a portal cookie was a staff cookie. Each face now has its own cookie name and
its own signing salt, so none can end, read or stand in for another."""

from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

# The back office's and the partners' URL prefixes (contracts: DESIGN.md).
STAFF_PREFIX = "/staff"
PARTNER_PREFIX = "/partner"
STAFF_SUFFIX = "-staff"
PARTNER_SUFFIX = "-partner"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def is_staff_path(path: str) -> bool:
    return _under(path, STAFF_PREFIX)


def is_partner_path(path: str) -> bool:
    return _under(path, PARTNER_PREFIX)


def is_professional_path(path: str) -> bool:
    """The faces for professionals (the team, partners): nl, fr and en."""
    return is_staff_path(path) or is_partner_path(path)


def _face() -> str:
    """Which face's cookie this request uses: "portal", "staff" or "partner"."""
    if not has_request_context():
        return "portal"
    if is_staff_path(request.path):
        return "staff"
    return "partner" if is_partner_path(request.path) else "portal"


class PerFaceSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[str, tuple], URLSafeTimedSerializer] = {}

    def get_cookie_name(self, app) -> str:
        name = app.config["SESSION_COOKIE_NAME"]
        return name + {"staff": STAFF_SUFFIX, "partner": PARTNER_SUFFIX}.get(_face(), "")

    def get_signing_serializer(self, app):
        """Flask's serializer (fallback keys first, as Flask orders them) with a
        salt per face, never a shared attribute changed per request: threads
        serve requests side by side."""
        if not app.secret_key:
            return None
        keys = (*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key)
        face = _face()
        # Made once per face and keys (twice per request before): a
        # serializer holds no state of a request, so threads may share it.
        found = self._serializers.get((face, keys))
        if found is None:
            found = URLSafeTimedSerializer(
                list(keys),
                salt=f"fjc-{face}-session",
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            self._serializers[(face, keys)] = found
        return found


def init_app(app) -> None:
    app.session_interface = PerFaceSessionInterface()
