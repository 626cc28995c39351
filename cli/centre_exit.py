"""A centre that leaves the network: `export-centre SLUG PATH`, then
`erase-centre SLUG` (docs/operations.md, "Keys per centre, export and erase")."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.governance.centre_erasure import erase_centre, refusal
from core.governance.centre_export import CentreExitError, export_centre
from core.infra.config import centre_keys_variable
from core.network.centres import NETWORK_EXTENSION, centre_by_slug
from web.db import db


@click.command("export-centre")
@with_appcontext
@click.argument("slug")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_centre_command(slug: str, path: Path) -> None:
    """Write every row of centre SLUG, decrypted, to a new JSON file PATH
    (readable by its owner only) that another installation can import."""
    try:
        counts = export_centre(db.get_engine(), slug, path)
    except (CentreExitError, OSError) as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        sys.exit(1)
    for name, count in counts.items():
        if count:
            click.echo(f"{name}: {count} rows")
    click.echo(
        f"exported centre {slug}: {sum(counts.values())} rows to {path} "
        "(personal data in plain text: keep it safe, delete it once imported)"
    )


@click.command("erase-centre")
@with_appcontext
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_centre_command(slug: str, yes: bool) -> None:
    """Delete every row of centre SLUG, which must have left the centre file.
    The audit trail stays. Export it first: this cannot be undone."""
    network = current_app.extensions[NETWORK_EXTENSION]
    with db.writing() as session:
        centre = centre_by_slug(session, slug)
        problem = (
            f"there is no centre with the slug {slug!r}"
            if centre is None
            else refusal(session, centre, network)
        )
    if problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    if not yes:
        click.confirm(f"Erase every row of centre {slug} for good (export it first)?", abort=True)
    try:
        with db.writing() as session:
            centre = centre_by_slug(session, slug)
            assert centre is not None  # checked above; a centre row is never deleted
            report = erase_centre(session, centre, network)
    except CentreExitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for name, count in report.deleted.items():
        if count:
            click.echo(f"{name}: {count} rows deleted")
    if report.moved_accounts:
        click.echo(f"{report.moved_accounts} accounts that also work elsewhere moved there")
    if report.stripped_accounts:
        click.echo(
            f"{report.stripped_accounts} accounts named in other centres' files kept, stripped"
        )
    click.echo(f"erased centre {slug}: {report.total} rows; the audit trail stays")
    if slug in current_app.config["FJC_CENTRE_DATA_KEYS"]:
        # A member of two centres may have written a value of the other centre
        # under these keys; backups made before today hold the centre's data.
        click.echo(
            f"run rotate-keys now; then {centre_keys_variable(slug)} can go "
            "once no backup made before today is needed"
        )


def _one_line(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
