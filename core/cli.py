"""Operator commands (a contract: `flask --app wsgi <command>`)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from core import audit, migrations, passwords
from core.centres import ensure_default_centre
from core.db import db
from core.models import Role
from core.staff import StaffExists, create_staff, find_by_email, set_password

DEMO_EMAIL = "demo@fjc.example"
DEMO_NAME = "Demo Coordinator"
DEMO_CREDENTIALS_FILE = "demo-staff.txt"


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Apply the database migrations (and make sure the centre exists)."""
    migrations.upgrade(db.get_engine())
    with db.writing() as session:
        ensure_default_centre(session)
    click.echo("database is up to date")


@click.command("create-staff")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="Full name as colleagues know it.")
@click.option(
    "--role", required=True, type=click.Choice([role.value for role in Role]), help="Role."
)
def create_staff_command(email: str, name: str, role: str) -> None:
    """Create a staff account; the password is read from stdin when it is not a terminal."""
    password = _read_password()
    try:
        with db.writing() as session:
            staff = create_staff(session, email=email, name=name, role=role, password=password)
            audit.record(session, "staff.created", target_type="staff", target_id=staff.id)
    except StaffExists:
        click.echo(f"error: an account with the e-mail {email} already exists", err=True)
        sys.exit(1)
    except passwords.PasswordRejected as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"created {role} account {email}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo staff account for development and print how to sign in."""
    if current_app.config["FJC_ENV"] == "production":
        click.echo("error: seed-demo is for development, not production", err=True)
        sys.exit(1)
    credentials = Path(current_app.config["INSTANCE_DIR"]) / DEMO_CREDENTIALS_FILE
    with db.writing() as session:
        staff = find_by_email(session, DEMO_EMAIL)
        password = credentials.read_text("utf-8").strip() if credentials.exists() else None
        if staff is None or password is None:
            password = secrets.token_urlsafe(12)
            if staff is None:
                create_staff(
                    session,
                    email=DEMO_EMAIL,
                    name=DEMO_NAME,
                    role=Role.COORDINATOR,
                    password=password,
                )
            else:
                set_password(staff, password)
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.touch(mode=0o600)
            credentials.write_text(password + "\n", "utf-8")
    click.echo(f"demo staff account: {DEMO_EMAIL}  password: {password}")


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the audit trail's hash chain; exit status 1 when it was tampered with."""
    with db.writing() as session:
        problems = audit.verify(session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("audit trail intact")


def init_app(app: Flask) -> None:
    for command in (
        migrate_command,
        create_staff_command,
        seed_demo_command,
        audit_verify_command,
    ):
        app.cli.add_command(command)
