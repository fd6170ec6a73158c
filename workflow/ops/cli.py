"""Commands: `flask backup`, `flask restore` (workflow/ops/backup.py), `flask ops status`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from workflow.ops.backup import BackupError, backup, restore
from workflow.ops.runs import record_run
from workflow.storage import blobs_for


def _engine():
    return current_app.extensions["workflow"].db


@click.command("backup", help="Back up the database and the files into a new folder under DIR.")
@click.option("--dir", "target", type=click.Path(file_okay=False, path_type=Path), help="default: BACKUP_DIR")
@with_appcontext
def backup_command(target: Path | None) -> None:
    target = target or Path(
        current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups"
    )
    workflow = current_app.extensions["workflow"]
    started = workflow.clock()
    try:
        report = backup(_engine(), blobs_for(current_app), target)
    except (BackupError, OSError) as error:
        record_run(_engine(), "backup", started, workflow.clock(), False, str(error))
        click.echo(f"backup failed: {error}", err=True)
        sys.exit(1)
    record_run(_engine(), "backup", started, workflow.clock(), True, report.folder.name)
    click.echo(
        f"{report.folder}: {report.applications} application(s), {report.files} file(s) outside the database"
    )


@click.command("restore", help="Restore a backup folder into the configured (empty) database and file store.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore even if the database already holds applications.")
@with_appcontext
def restore_command(folder: Path, force: bool) -> None:
    try:
        problems = restore(_engine(), blobs_for(current_app), folder, force=force)
    except BackupError as error:
        click.echo(f"restore refused: {error}", err=True)
        sys.exit(1)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(
        f"restored {folder.name}; every chain head matches the backup. Next: flask --app wsgi audit verify"
    )


@click.group("ops", cls=AppGroup, help="Operations: the state of queues, workers, outbox, timers and runs.")
def ops_group():
    pass


@ops_group.command(
    "status", help="Queue, workers, outbox, failed notices, due timers, last tick/verify/backup."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status_command(as_json: bool) -> None:
    from workflow.ops.status import as_text, snapshot

    report = snapshot(current_app)
    click.echo(json.dumps(report, default=str, indent=1) if as_json else as_text(report))


@ops_group.command("create-admin", help="Create an administrator (the first one of a new install).")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given (at least 10 characters, not guessable).")
def create_admin_command(email: str, name: str, password: str) -> None:
    from workflow.services.accounts import AccountError, check_strength
    from workflow.services.users import create_user, find_user_id

    try:
        check_strength(password, email, name)
    except AccountError as error:
        click.echo(
            f"password refused ({error.code}): use at least 10 characters that are not guessable", err=True
        )
        sys.exit(1)
    with _engine().begin() as connection:
        if find_user_id(connection, email) is not None:
            click.echo(f"{email} already has an account", err=True)
            sys.exit(1)
        user_id = create_user(connection, email, name, password, roles=[("admin", None)])
    click.echo(f"administrator {email} created (user {user_id})")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(ops_group)
