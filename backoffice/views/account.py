"""A person's own account in the back office (web.accounts' routes for the
team's face), and the language switch."""

from __future__ import annotations

from backoffice.access import FACE
from backoffice.blueprint import bp
from web.accounts.account import add_account_routes
from web.accounts.sign_in import add_language_route

add_account_routes(bp, FACE)
add_language_route(bp, FACE, "queue")
