"""The QR code a staff member scans to enrol an authenticator app: inline SVG,
drawn on the server, so the enrolment page loads nothing from elsewhere."""

from __future__ import annotations

import segno
from markupsafe import Markup

from core.identity import totp


def totp_qr_svg(secret: str, account: str) -> Markup:
    uri = totp.provisioning_uri(secret, account)
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, light="#fff", title="QR code", svgclass="qr-code"
    )
    return Markup(svg)  # noqa: S704 - segno's own markup; the URI is escaped by segno
