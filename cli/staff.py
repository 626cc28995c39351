"""Operator commands for staff accounts, for when no admin can sign in."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from core.identity import accounts, passwords
from core.identity.organisations import KINDS
from core.identity.staff import StaffExists, find_by_email
from core.infra import clock
from core.network.centres import active_centres
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


def centres_named(slugs: tuple[str, ...]) -> list[int]:
    """The ids of the centres --centre names, in order; none named: the only
    centre. Stops the command (status 1) on an unknown slug, or when the
    network has several centres and none was named."""
    with db.writing() as session:
        centres = active_centres(session)
        if not slugs:
            if len(centres) == 1:
                return [centres[0].id]
            known = ", ".join(c.slug for c in centres)
            click.echo(
                f"error: this installation has several centres: add --centre ({known})", err=True
            )
            sys.exit(1)
        by_slug = {c.slug: c.id for c in centres}
        unknown = [slug for slug in slugs if slug not in by_slug]
        if unknown:
            known = ", ".join(by_slug)
            click.echo(f"error: no centre with the slug {unknown[0]} (known: {known})", err=True)
            sys.exit(1)
        return list(dict.fromkeys(by_slug[slug] for slug in slugs))


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
@click.option(
    "--centre",
    "centre_slug",
    default=None,
    metavar="SLUG",
    help="The centre whose partner the organisation is (default: the only one).",
)
def create_partner_command(
    email: str, name: str, organisation: str, kind: str | None, centre_slug: str | None
) -> None:
    """Create a partner member's account; the password is read from stdin when
    it is not a terminal. Two-step sign-in is set up at the first sign-in."""
    [centre_id] = centres_named((centre_slug,) if centre_slug else ())
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
                centre_id=centre_id,
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
