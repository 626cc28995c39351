"""Operator commands (a contract: `flask --app wsgi <command>`)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from cli.centre_exit import erase_centre_command, export_centre_command
from cli.staff import (
    centres_named,
    create_partner_command,
    read_password,
    reset_two_step_command,
    unlock_staff_command,
)
from core.governance import anchors, audit, key_check, retention, rotation
from core.governance.backup import BackupError
from core.governance.backup import backup as make_backup
from core.governance.backup import restore as restore_backup
from core.identity import accounts, passwords
from core.identity.staff import StaffExists, create_staff, find_by_email, set_password
from core.infra import migrations
from core.model import Base, Centre, Role
from core.network.centre_keys import centre_keys_by_id, centre_slugs
from core.network.centres import NETWORK_EXTENSION, add_member, ensure_centres
from web.db import db

DEMO_EMAIL = "demo@fjc.example"
DEMO_NAME = "Demo Coordinator"
DEMO_CREDENTIALS_FILE = "demo-staff.txt"
DEMO_PARTNER_EMAIL = "partner@fjc.example"
DEMO_PARTNER_NAME = "Demo Partner"
DEMO_PARTNER_ORGANISATION = "Demo police zone"
# The audit event each written anchor leaves in the keyed chain.
ANCHORED = "audit.anchored"


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Apply the database migrations (and make sure the centre exists)."""
    migrations.upgrade(db.get_engine())
    try:
        with db.writing() as session:
            key_check.check_or_seal(session)
        with db.writing() as session:
            ensure_centres(session, current_app.extensions[NETWORK_EXTENSION])
            # Once more, now that every centre exists: a centre with keys of
            # its own gets its canary (core.governance.key_check).
            key_check.check_or_seal(session)
    except key_check.WrongKeys as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    migrations.refresh_statistics(db.get_engine())
    click.echo("database is up to date")


@click.command("create-staff")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="Full name as colleagues know it.")
@click.option(
    "--role",
    required=True,
    # Partner members come with an organisation: create-partner.
    type=click.Choice([role.value for role in Role if role != Role.PARTNER]),
    help="Role.",
)
@click.option(
    "--centre",
    "centre_slugs",
    multiple=True,
    metavar="SLUG",
    help="The centre they work for (default: the only one); repeat for several, home first.",
)
def create_staff_command(email: str, name: str, role: str, centre_slugs: tuple[str, ...]) -> None:
    """Create a staff account; the password is read from stdin when it is not a terminal."""
    home, *others = centres_named(centre_slugs)
    password = read_password()
    try:
        with db.writing() as session:
            staff = create_staff(
                session, email=email, name=name, role=role, password=password, centre_id=home
            )
            for centre_id in others:
                add_member(session, staff, session.get(Centre, centre_id))
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
        _demo_partner(session, password)
    # The partner line first: the staff line, with its password, stays the last.
    click.echo(f"demo partner account: {DEMO_PARTNER_EMAIL} (same password) at /partner/login")
    click.echo(f"demo staff account: {DEMO_EMAIL}  password: {password}")


def _demo_partner(session, password: str) -> None:
    """A police member to try the partner face with (no second factor is
    needed in development); link them to a file's police partner to see it."""
    member = find_by_email(session, DEMO_PARTNER_EMAIL)
    if member is None:
        accounts.create_partner_member(
            session,
            email=DEMO_PARTNER_EMAIL,
            name=DEMO_PARTNER_NAME,
            organisation=DEMO_PARTNER_ORGANISATION,
            kind="police",
            password=password,
        )
    elif not passwords.verify_password(member.password_hash, password):
        set_password(member, password)


def _anchors(given: tuple[str, ...]) -> tuple[Path, list[anchors.Anchor]]:
    """The anchor file and the anchors in it and on the command line; a line
    that cannot be read stops the command with status 1."""
    anchor_file = Path(current_app.config["FJC_AUDIT_ANCHOR_FILE"])
    try:
        return anchor_file, anchors.read(anchor_file) + [anchors.parse(line) for line in given]
    except (anchors.AnchorError, OSError) as exc:
        click.echo(f"error: {anchor_file}: {_one_line(exc)}", err=True)
        sys.exit(1)


@click.command("audit-verify")
@with_appcontext
@click.option(
    "--anchor",
    "given",
    multiple=True,
    metavar="LINE",
    help="An anchor line kept elsewhere (the operator's log); checked as well.",
)
def audit_verify_command(given: tuple[str, ...]) -> None:
    """Check the audit trail's keyed chain and the anchors of earlier runs, then
    write a new anchor; exit status 1 when the trail was tampered with."""
    anchor_file, earlier = _anchors(given)
    with db.writing() as session:
        problems = audit.verify(session) + anchors.check(session, earlier)
        written = audit.count(session, ANCHORED)
        if written > len(earlier):
            # Each anchor written is an event in the keyed chain: fewer anchors
            # than those events means the anchor file was removed or cut.
            problems.append(
                f"the trail was anchored {written} times, but {len(earlier)} anchors "
                f"were found: {anchor_file} was removed or cut (give kept ones with --anchor)"
            )
        head = None if problems else anchors.head(session)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    if head is None:
        click.echo("audit trail intact (no events yet)")
        return
    try:
        anchors.append(anchor_file, head)
    except OSError as exc:
        click.echo(f"error: the anchor could not be written: {_one_line(exc)}", err=True)
        sys.exit(1)
    with db.writing() as session:
        audit.record(session, ANCHORED, detail=f"event={head.event_id}")
    click.echo(f"audit trail intact: {head.count} events, {len(earlier)} earlier anchors hold")
    # This line is meant for the operator's log, outside the database's reach.
    click.echo(f"anchor: {head.line()}")


@click.command("audit-key-legacy")
@with_appcontext
def audit_key_legacy_command() -> None:
    """Once, after upgrading from a release whose audit chain had no key: chain
    the earlier events with FJC_AUDIT_KEY. Refused once any anchor exists."""
    _, found = _anchors(())
    with db.writing() as session:
        if found or audit.count(session, ANCHORED):
            click.echo(
                "error: the trail is already anchored; keying it again could hide a change",
                err=True,
            )
            sys.exit(1)
        keyed = audit.key_legacy_chain(session)
    if not keyed:
        click.echo("nothing to key: the chain is keyed already, empty, or broken (audit-verify)")
        return
    click.echo(f"audit trail: {keyed} earlier events are now chained with FJC_AUDIT_KEY")


@click.command("rotate-keys")
@with_appcontext
@click.option(
    "--batch-size",
    default=rotation.DEFAULT_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows per transaction.",
)
def rotate_keys_command(batch_size: int) -> None:
    """Re-encrypt every encrypted field under the newest key in FJC_DATA_KEYS,
    or, for a centre with keys of its own, the newest in FJC_DATA_KEYS_<SLUG>.

    Safe while the app runs and safe to interrupt: run it again and it goes on
    where it stopped. Remove an old key only after a run that ends without error.
    """
    keys = list(current_app.config["FJC_DATA_KEYS"])
    with db.writing() as session:
        own = centre_keys_by_id(session, current_app.config["FJC_CENTRE_DATA_KEYS"])
    try:
        report = rotation.rotate(
            db.get_engine(), keys, Base.metadata, batch_size=batch_size, centre_keys=own
        )
    except rotation.RotationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for name, counts in report.tables.items():
        click.echo(
            f"{name}: {counts.rows} rows, {counts.rotated} values re-encrypted, "
            f"{counts.current} already under the newest key"
        )
    with db.writing() as session:
        for centre_id, slug in centre_slugs(session, own):
            rotated = report.centres.get(centre_id, 0)
            click.echo(f"centre {slug}: {rotated} values re-encrypted under its own newest key")
            audit.record(
                session,
                "keys.rotated",
                centre_id=centre_id,
                detail=f"rotated={rotated} keys={len(own[centre_id])}",
            )
        audit.record(
            session,
            "keys.rotated",
            detail=f"rotated={report.rotated} current={report.current} keys={len(keys)}",
        )
    click.echo(f"done: {report.rotated} values re-encrypted; every value is under the newest key")


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only count what would be erased.")
def purge_command(dry_run: bool) -> None:
    """Erase the personal data of records whose retention period has run out.

    Idempotent: a second run erases nothing more. Only counts are printed,
    with what a legal hold kept back.
    """
    config = current_app.config
    report = retention.purge(db.writing, config, dry_run=dry_run)
    verb = "would be erased" if dry_run else "erased"
    for rule in retention.RULES:
        settings = "; ".join(
            f"{name}={value}" for name, value in retention.settings_in_use(config, rule)
        )
        click.echo(f"{rule.name}: {report.erased[rule.name]} {verb} ({settings})")
    # Nothing kept back goes unsaid: what a legal hold keeps, rule by rule.
    for name, count in report.held.items():
        click.echo(f"{name}: {count} kept by a legal hold, not erased")
    if not dry_run:
        with db.writing() as session:
            detail = " ".join(f"{name}={count}" for name, count in report.erased.items())
            if report.total_held:
                detail += " " + " ".join(
                    f"held_{name}={count}" for name, count in report.held.items()
                )
            audit.record(session, "retention.purged", detail=detail)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write an encrypted backup of the database to PATH (safe while the app runs)."""
    keys = list(current_app.config["FJC_DATA_KEYS"])
    try:
        info = make_backup(db.get_engine(), keys, path)
    except (BackupError, OSError) as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        sys.exit(1)
    click.echo(
        f"backup written: {path} ({info.size} bytes, {info.backend}, "
        f"schema revision {info.revision}, encrypted with the newest data key)"
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, force: bool) -> None:
    """Replace the database with the backup in PATH. Stop the app first."""
    keys = list(current_app.config["FJC_DATA_KEYS"])
    try:
        info = restore_backup(db.get_engine(), keys, path, force=force)
    except (BackupError, OSError) as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        sys.exit(1)
    with db.writing() as session:
        audit.record(session, "backup.restored", detail=f"made={info.created_at}")
    click.echo(
        f"restored the backup made {info.created_at} (schema revision {info.revision}); "
        "run `flask --app wsgi migrate` if this code is newer"
    )


def _one_line(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def init_app(app: Flask) -> None:
    for command in (
        migrate_command,
        create_staff_command,
        create_partner_command,
        seed_demo_command,
        audit_verify_command,
        audit_key_legacy_command,
        rotate_keys_command,
        purge_command,
        backup_command,
        restore_command,
        unlock_staff_command,
        reset_two_step_command,
        export_centre_command,
        erase_centre_command,
    ):
        app.cli.add_command(command)
