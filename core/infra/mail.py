"""Sending a short e-mail through the centre's SMTP server, when configured.

Mail leaves the centre's systems, so callers send only notices that hold no
personal data. Sending must never lose or delay what the notice is about: it
runs after the change is stored, with a short timeout, and a failure is
logged without details."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from typing import Any

logger = logging.getLogger("fjc.notify")
SMTP_TIMEOUT_SECONDS = 5


def send(config: Mapping[str, Any], recipients: Iterable[str], subject: str, body: str) -> bool:
    """True when the server took the message; False when no server is set,
    nobody is to be told, or sending failed."""
    to = [address for address in recipients if address]
    host = config.get("FJC_SMTP_HOST")
    if not (host and to):
        return False
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["FJC_MAIL_FROM"]
    message["To"] = ", ".join(to)
    # Quoted-printable: 7-bit safe, so accented words survive any relay.
    message.set_content(body, cte="quoted-printable")
    try:
        with smtplib.SMTP(host, config["FJC_SMTP_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("notice not sent: %s", type(exc).__name__)
        return False
    return True
