"""A short e-mail to the team when an urgent request arrives.

It says only that an urgent request is waiting: no name, no contact details,
no story, no link with an id, because e-mail leaves the centre's systems.
Sending must never lose or delay a request: it runs after the request is
stored, with a short timeout, and a failure is logged without details.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from core.model import Intake

logger = logging.getLogger("fjc.notify")
SMTP_TIMEOUT_SECONDS = 5
SUBJECT = "FJC: urgent request waiting"
BODY = (
    "An urgent request arrived on the portal.\n"
    "Please sign in to the back office and look at the queue.\n\n"
    "This message holds no personal data on purpose.\n"
)


def is_urgent(intake: Intake) -> bool:
    referral = intake.referral
    return bool(intake.danger_now or (referral is not None and referral.urgency == "today"))


def notify_team_if_urgent(config: Mapping[str, Any], intake: Intake) -> bool:
    """Send the notice when configured and the request is urgent; True if sent."""
    recipients = list(config.get("FJC_TEAM_EMAIL") or [])
    host = config.get("FJC_SMTP_HOST")
    if not (host and recipients and is_urgent(intake)):
        return False
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = config["FJC_MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message.set_content(BODY)
    try:
        with smtplib.SMTP(host, config["FJC_SMTP_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("urgent notice not sent: %s", type(exc).__name__)
        return False
    return True
