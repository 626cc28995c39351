"""Operator commands for staff accounts, for when no admin can sign in."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from core.identity import accounts
from core.identity.staff import find_by_email
from core.infra import clock
from web.db import db


@click.command("unlock-staff")
@with_appcontext
@click.argument("email")
def unlock_staff_command(email: str) -> None:
    """Lift the lock that too many failed sign-ins put on EMAIL."""
    with db.writing() as session:
        staff = find_by_email(session, email)
        if staff is None:
            click.echo(f"error: no account with the e-mail {email}", err=True)
            sys.exit(1)
        # No admin is signed in: the audit row names the operator (by=None).
        was_locked = accounts.unlock(session, staff, None)
    click.echo(f"unlocked {staff.email}" if was_locked else f"{staff.email} was not locked")


@click.command("reset-two-step")
@with_appcontext
@click.argument("email")
def reset_two_step_command(email: str) -> None:
    """Remove EMAIL's second factor (lost phone); they set up a new one at next sign-in."""
    with db.writing() as session:
        staff = find_by_email(session, email)
        if staff is None:
            click.echo(f"error: no account with the e-mail {email}", err=True)
            sys.exit(1)
        accounts.reset_second_factor(session, staff, None, clock.now())
    click.echo(f"two-step sign-in removed for {staff.email}; every session of it has ended")
