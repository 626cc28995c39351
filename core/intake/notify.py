"""A short e-mail to the team when an urgent request arrives.

It says only that an urgent request is waiting: no name, no contact details,
no story, no link with an id, because e-mail leaves the centre's systems.
Sending must never lose or delay a request: it runs after the request is
stored, with a short timeout, and a failure is logged without details.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.infra import mail
from core.intake.intakes import Stored

SUBJECT = "FJC: urgent request waiting"
BODY = (
    "An urgent request arrived on the portal.\n"
    "Please sign in to the back office and look at the queue.\n\n"
    "This message holds no personal data on purpose.\n"
)


def is_urgent(request: Stored) -> bool:
    return bool(request.danger_now or request.referral_urgency == "today")


def notify_team_if_urgent(config: Mapping[str, Any], request: Stored) -> bool:
    """Send the notice when configured and the request is urgent; True if sent."""
    if not is_urgent(request):
        return False
    return mail.send(config, config.get("FJC_TEAM_EMAIL") or [], SUBJECT, BODY)
