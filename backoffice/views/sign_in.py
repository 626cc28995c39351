"""Signing in to the back office (password, then the second factor),
invitations and signing out: web.accounts' routes for the team's face."""

from __future__ import annotations

from backoffice.access import FACE
from backoffice.blueprint import bp
from web.accounts.sign_in import add_sign_in_routes

add_sign_in_routes(bp, FACE)
