"""The CSRF token of every form: flask-wtf's token, from a serializer made once.

flask-wtf's generate_csrf and validate_csrf build a new serializer for every
token they make or check, and itsdangerous derives its key again for each
(web/signing.py). Here the serializer is made once per secret key and kept;
the token is the same one: a random value kept in the visitor's session
(so a token of one session opens nothing in another), signed with the time
under the secret key (WTF_CSRF_SECRET_KEY, else SECRET_KEY) and flask-wtf's
salt, and checked against the session's value, no older than
WTF_CSRF_TIME_LIMIT seconds when one is set (core/infra/config.py sets none:
a token lives as long as the session's value). flask-wtf's own code reads
and accepts the same tokens: a form's hidden field shows the token made
here, kept in `g` for the request, where flask-wtf looks for it first.

Every POST, PUT, PATCH and DELETE is checked before its view (CsrfProtect, as
flask-wtf's CSRFProtect does, exemptions and the referrer check over HTTPS
included), so a form validated by its view finds the check already done.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, same_origin
from itsdangerous import BadData, SignatureExpired
from wtforms import ValidationError

from core.infra import clock
from web.signing import KeptKeysSigner, KeptSigningSerializer

# flask-wtf's salt: its tokens and these are one kind.
SALT = "wtf-csrf-token"
EXTENSION = "fjc_csrf_serializers"
logger = logging.getLogger("flask_wtf.csrf")


class _Signer(KeptKeysSigner):
    """Signs with the time of core.infra.clock (itsdangerous reads time.time):
    the one clock the security rules read, which tests can move."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer() -> KeptSigningSerializer:
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not secret:
        raise RuntimeError("A secret key is required to use CSRF.")
    kept: dict = current_app.extensions.setdefault(EXTENSION, {})
    found = kept.get(secret)
    if found is None:
        # Keyed by the secret: an app given another key (tests) gets its own.
        found = kept[secret] = KeptSigningSerializer(secret, salt=SALT, signer=_Signer)
    return found


def _field_name() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"


def generate_csrf() -> str:
    """This request's CSRF token (the same for every form of the request)."""
    name = _field_name()
    token = g.get(name)
    if token is None:
        value = session.get(name)
        if not isinstance(value, str):
            value = session[name] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
        token = _serializer().dumps(value)
        setattr(g, name, token)
    return token


def validate_csrf(data: str | None) -> None:
    """Raise ValidationError (with flask-wtf's reasons) unless `data` is a
    token of this session, signed with this secret, not too old."""
    name = _field_name()
    if not data:
        raise ValidationError("The CSRF token is missing.")
    kept = session.get(name)
    if not isinstance(kept, str):
        raise ValidationError("The CSRF session token is missing.")
    try:
        token = _serializer().loads(data, max_age=current_app.config.get("WTF_CSRF_TIME_LIMIT"))
    except SignatureExpired as exc:
        raise ValidationError("The CSRF token has expired.") from exc
    except BadData as exc:
        raise ValidationError("The CSRF token is invalid.") from exc
    if not isinstance(token, str) or not hmac.compare_digest(kept, token):
        raise ValidationError("The CSRF tokens do not match.")


class CsrfProtect(CSRFProtect):
    """flask-wtf's CSRFProtect, checking with the kept serializer."""

    def init_app(self, app) -> None:
        """flask-wtf's settings and check; templates' csrf_token() is this
        module's (a global: flask-wtf's context processor ran for every
        template rendered)."""
        app.extensions["csrf"] = self
        app.config.setdefault("WTF_CSRF_ENABLED", True)
        app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", True)
        app.config["WTF_CSRF_METHODS"] = set(
            app.config.get("WTF_CSRF_METHODS", ["POST", "PUT", "PATCH", "DELETE"])
        )
        app.config.setdefault("WTF_CSRF_FIELD_NAME", "csrf_token")
        app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
        app.config.setdefault("WTF_CSRF_TIME_LIMIT", 3600)
        app.config.setdefault("WTF_CSRF_SSL_STRICT", True)
        app.jinja_env.globals["csrf_token"] = generate_csrf

        @app.before_request
        def csrf_protect():
            if app.config["WTF_CSRF_ENABLED"] and app.config["WTF_CSRF_CHECK_DEFAULT"]:
                self.protect(apply_exemptions=True)

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as exc:
            logger.info(exc.args[0])
            self._error_response(exc.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # flask-wtf's forms skip their own check then
