"""Staying safe online: what the quick exit does and does not hide."""

from __future__ import annotations

from flask import render_template

from portal import bp


@bp.get("/<lang:lang>/safety")
def safety():
    return render_template("portal/safety.html")
