"""Sync and safety commands: `flask --app pos_app pos cloud-branch ...` (add or change a branch
the cloud mirrors), `pos branch-key` (make this branch's signing key file if it has none),
`pos backup` and `pos restore-backup FILE` (the SQLite database, pos_app/backup.py)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from pos_app.db import unit_of_work


def ensure_key_file(path: Path) -> str:
    """The key in `path`, made (random, 256 bits, readable by this user only) if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # created once: `make run` and `make run-cloud` started together read one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    for _ in range(50):  # the other command may be writing it this instant
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.1)
    raise click.ClickException(f"{path} is empty")


def register(group) -> None:
    @group.command("branch-key")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def branch_key_command(path: Path):
        """Make PATH hold a new random signing key, unless it holds one already."""
        ensure_key_file(path)
        click.echo(f"branch key in {path}")

    @group.command("cloud-branch")
    @click.option("--code", required=True, help="the branch's code, as it pushes (POS_BRANCH_CODE)")
    @click.option("--name", required=True)
    @click.option(
        "--key-file",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="the file holding the branch's key (made if missing)",
    )
    @click.option("--disable", is_flag=True, help="refuse this branch's pushes from now on")
    @click.option(
        "--forget-if-new-key",
        is_flag=True,
        help="a new key means a new branch under this code: forget what the old one sent"
        " (the local demo only: `make run` on a fresh clone makes a new branch)",
    )
    def cloud_branch_command(
        code: str, name: str, key_file: Path, disable: bool, forget_if_new_key: bool
    ):
        """Add a branch the cloud mirrors, or change its name, key or state (cloud mode)."""
        from pos_app.cloud.ingest import CODE
        from pos_app.cloud.models import CloudBranch

        if current_app.config["POS_MODE"] != "cloud":
            raise click.ClickException("this is a branch server: run it with POS_MODE=cloud")
        try:
            CODE(code)
        except Exception as err:
            raise click.ClickException(f"not a branch code: {code!r}") from err
        key = ensure_key_file(key_file)
        with unit_of_work() as session:
            branch = session.scalar(select(CloudBranch).where(CloudBranch.code == code))
            if branch is not None and forget_if_new_key and branch.key != key:
                _forget(session, branch)
            if branch is None:
                branch = CloudBranch(code=code, name=name, key=key)
                session.add(branch)
            branch.name, branch.key, branch.active = name, key, not disable
        click.echo(f"cloud branch {code} {'disabled' if disable else 'ready'}")

    @group.command("backup")
    def backup_command():
        """Back up the SQLite database now (while the server runs), into instance/backups."""
        from pos_app import backup

        try:
            path = backup.backup_now(current_app)
        except ValueError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"backup written: {path}")

    @group.command("restore-backup")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.confirmation_option(
        prompt="Stop the server first. Replace the database with this backup?"
    )
    def restore_backup_command(path: Path):
        """Replace the SQLite database with a checked backup (the server stopped)."""
        from pos_app import backup

        try:
            live = backup.restore(current_app, path)
        except ValueError as err:
            raise click.ClickException(str(err)) from err
        click.echo(
            f"{live} restored from {path} (the replaced one: {live.with_suffix('.before-restore')})"
        )


def _forget(session, branch) -> None:
    """Drop what a branch sent (its events and projections) and start its sequence again."""
    from sqlalchemy import delete

    from pos_app.cloud.models import CloudEvent, CloudNonce, CloudOrder, CloudPayment

    for model in (CloudEvent, CloudOrder, CloudPayment, CloudNonce):
        session.execute(delete(model).where(model.branch_id == branch.id))
    branch.high_water = branch.branch_head = 0
    branch.last_contact_at = None
