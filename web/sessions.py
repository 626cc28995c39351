"""A session cookie per face: the portal's, the back office's and the partners'.

With one cookie, the portal's quick exit (which must end the person's
session at once) also signed out a staff member using the same browser, and
a portal cookie was a staff cookie. Each face now has its own cookie name and
its own signing salt, so none can end, read or stand in for another."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import has_request_context, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

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


_FACE_OF_REQUEST = "fjc.session_face"


def _face() -> str:
    """Which face's cookie this request uses: "portal", "staff" or "partner".
    Flask asks four times a request (the cookie's name and its serializer,
    when it opens and when it saves the session): the answer is kept in the
    request's environ."""
    if not has_request_context():
        return "portal"
    environ = request.environ
    face = environ.get(_FACE_OF_REQUEST)
    if face is None:
        path = request.path
        face = "staff" if is_staff_path(path) else "partner" if is_partner_path(path) else "portal"
        environ[_FACE_OF_REQUEST] = face
    return face


class _SignerOfKeptKeys(TimestampSigner):
    """itsdangerous' signer, which derives its key from the secret key and
    the salt again (an HMAC) each time it signs or checks a cookie: the
    derived key of each secret key is kept instead (a signer of the session
    serializer below lives as long as the process)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict[Any, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        found = self._derived.get(secret_key)
        if found is None:
            found = self._derived[secret_key] = super().derive_key(secret_key)
        return found


class _SessionSerializer(URLSafeTimedSerializer):
    """Flask's session serializer, which makes a new signer on every
    dumps and loads: here one per salt, kept (a signer holds no state of a
    request, so threads may share it)."""

    signer = _SignerOfKeptKeys

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[Any, TimestampSigner] = {}

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        found = self._signers.get(salt)
        if found is None:
            found = self._signers[salt] = super().make_signer(salt)  # type: ignore[assignment]
        return found  # type: ignore[return-value]


def _plain(value: Any) -> bool:
    """Whether Flask's tagged JSON would write `value` as plain JSON: strings
    (not Markup, a str that is tagged), whole numbers, booleans, None, and
    lists and dicts of them whose keys are strings that do not start with a
    space (a tag's key does)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is list:
        return all(map(_plain, value))
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or key.startswith(" ") or not _plain(item):
                return False
        return True
    return False


class _SessionJSON(TaggedJSONSerializer):
    """Flask's tagged JSON (tuples, bytes, Markup, UUIDs and datetimes keep
    their types), which tags and untags every value one by one: a session of
    plain values (most: the CSRF token, the loaded forms' ids, the mailbox
    token) is written and read as the same JSON without that walk."""

    def dumps(self, value: Any) -> str:
        if _plain(value):
            # As Flask's JSON writes it (sort_keys, ensure_ascii), compact.
            return json.dumps(value, separators=(",", ":"), sort_keys=True)
        return super().dumps(value)

    def loads(self, value: str) -> Any:
        # Every tag is a dict whose one key starts with a space, so its JSON
        # has a quote followed by a space; without one there is nothing to
        # untag. (The cookie is signed: only this code and Flask wrote it,
        # and neither writes a space as \u0020.)
        if isinstance(value, str) and '" ' not in value:
            return json.loads(value)
        return super().loads(value)


class PerFaceSessionInterface(SecureCookieSessionInterface):
    serializer = _SessionJSON()
    # hashlib's own sha1, which hmac runs in C; Flask's stand-in for it (made
    # lazily for systems without sha1) sends every HMAC through hmac's Python
    # code. The same algorithm: cookies signed before still open.
    digest_method = staticmethod(hashlib.sha1)

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
            found = _SessionSerializer(
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
