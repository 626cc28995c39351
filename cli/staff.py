"""Operator commands for staff accounts, for when no admin can sign in."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from core.identity import accounts, passwords
from core.identity.organisations import KINDS
from core.identity.staff import StaffExists, find_by_email
from core.infra import clock
from core.rules import RuleError
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


def read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-partner")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="Full name as colleagues know it.")
@click.option(
    "--organisation", required=True, help="The partner organisation (made the first time)."
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="The kind of a new organisation (default: other); ignored for a known one.",
)
def create_partner_command(email: str, name: str, organisation: str, kind: str | None) -> None:
    """Create a partner member's account; the password is read from stdin when
    it is not a terminal. Two-step sign-in is set up at the first sign-in."""
    password = read_password()
    try:
        with db.writing() as session:
            accounts.create_partner_member(
                session,
                email=email,
                name=name,
                organisation=organisation,
                kind=kind,
                password=password,
            )
    except StaffExists:
        click.echo(f"error: an account with the e-mail {email} already exists", err=True)
        sys.exit(1)
    except passwords.PasswordRejected as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except RuleError as refused:
        if "kind" in refused.problems:
            click.echo(f"error: {organisation} is known with another --kind", err=True)
        else:
            click.echo("error: the organisation needs a name of at most 200 characters", err=True)
        sys.exit(1)
    click.echo(f"created partner account {email} for {' '.join(organisation.split())}")


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
