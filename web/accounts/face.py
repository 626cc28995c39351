"""A professional face's sign-in settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for

from core.model import Staff


@dataclass(frozen=True)
class Face:
    # The blueprint's name: its endpoints are "<blueprint>.login", ...
    blueprint: str
    base_template: str
    # True: partner members' accounts only; False: the team's only.
    partner: bool
    # Where an account lands after signing in.
    landing: Callable[[Staff], str]
    # Whether accounts must have a second factor (config -> bool).
    second_factor_required: Callable[[Mapping[str, Any]], bool]
    # Whether its menu says how many wait to talk: counted in the sign-in
    # check's own statement (web.accounts.session_state.waiting_to_talk).
    counts_waiting: bool = False

    def url(self, endpoint: str, **values) -> str:
        return url_for(f"{self.blueprint}.{endpoint}", **values)
