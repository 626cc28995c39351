"""Signing in as a partner member (always with a second factor outside
development), invitations, signing out, the member's own account (password,
recovery codes, sessions) and the language switch: web.accounts' routes."""

from __future__ import annotations

from partner.access import FACE
from partner.blueprint import bp
from web.accounts.account import add_account_routes
from web.accounts.sign_in import add_language_route, add_sign_in_routes

add_sign_in_routes(bp, FACE)
add_account_routes(bp, FACE)
add_language_route(bp, FACE, "home")
