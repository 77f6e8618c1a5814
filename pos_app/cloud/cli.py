"""Sync and safety commands: `flask --app pos_app pos cloud-branch ...` (add or change a branch
the cloud mirrors), `pos branch-key` (make this branch's signing key file if it has none),
`pos backup` and `pos restore-backup FILE` (the SQLite database, pos_app/backup.py),
`pos snapshot` and `pos restore-branch` (a copy at the cloud, and the branch rebuilt from it:
pos_app/cloud/rebuild.py)."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from pos_app.cloud import access
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
    @click.option(
        "--organisation",
        default=None,
        help="the company the branch belongs to (made if new; a new branch without it:"
        " 'My restaurants')",
    )
    @click.option("--disable", is_flag=True, help="refuse this branch's pushes from now on")
    @click.option(
        "--forget-if-new-key",
        is_flag=True,
        help="a new key means a new branch under this code: forget what the old one sent"
        " (the local demo only: `make run` on a fresh clone makes a new branch)",
    )
    def cloud_branch_command(
        code: str,
        name: str,
        key_file: Path,
        organisation: str | None,
        disable: bool,
        forget_if_new_key: bool,
    ):
        """Add a branch the cloud mirrors, or change its name, key or state (cloud mode)."""
        from pos_app.cloud.ingest import CODE
        from pos_app.cloud.models import CloudBranch

        _cloud_mode()
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
            if organisation or branch.organisation_id is None:
                org = access.organisation(session, organisation or access.DEFAULT_ORGANISATION)
                branch.organisation_id = org.id
        click.echo(f"cloud branch {code} {'disabled' if disable else 'ready'}")

    @group.command("cloud-access")
    @click.option("--email", required=True, help="the owner's or manager's sign-in email")
    @click.option("--organisation", required=True)
    @click.option(
        "--branch",
        "codes",
        multiple=True,
        help="one branch of the organisation (again for more); none: all of its branches,"
        " those opened later too",
    )
    @click.option("--revoke", is_flag=True, help="take that access away")
    def cloud_access_command(email: str, organisation: str, codes: tuple[str, ...], revoke: bool):
        """Let an owner or a manager of the cloud see an organisation's branches, or some."""
        from sqlalchemy import delete, func

        from pos_app.auth.models import Staff
        from pos_app.cloud.models import CloudAccess, CloudBranch, CloudOrganisation

        _cloud_mode()
        with unit_of_work() as session:
            staff = session.scalar(
                select(Staff).where(func.lower(Staff.email) == email.strip().lower())
            )
            if staff is None or staff.role.value not in ("owner", "manager"):
                raise click.ClickException(f"no owner or manager signs in as {email}")
            org = session.scalar(
                select(CloudOrganisation).where(CloudOrganisation.name == organisation)
            )
            if org is None:
                raise click.ClickException(f"no organisation {organisation!r}")
            branches = []
            for code in codes:
                branch = session.scalar(select(CloudBranch).where(CloudBranch.code == code))
                if branch is None or branch.organisation_id != org.id:
                    raise click.ClickException(f"{organisation} has no branch {code!r}")
                branches.append(branch)
            if revoke:
                query = delete(CloudAccess).where(
                    CloudAccess.staff_id == staff.id, CloudAccess.organisation_id == org.id
                )
                if branches:
                    query = query.where(CloudAccess.branch_id.in_([b.id for b in branches]))
                session.execute(query)
            else:
                for branch in branches or [None]:
                    access.grant(session, staff.id, org, branch)
        what = ", ".join(codes) or f"every branch of {organisation}"
        click.echo(f"{email} {'no longer sees' if revoke else 'sees'} {what}")

    @group.command("cloud-catalogue")
    @click.option("--organisation", required=True)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def cloud_catalogue_command(organisation: str, path: Path):
        """Publish PATH (a menu CSV, as the back office exports it) as the organisation's
        next menu version: every branch of it pulls and applies it within a minute."""
        from pos_app.cloud import catalogue
        from pos_app.cloud.models import CloudOrganisation
        from pos_app.errors import PosError

        _cloud_mode()
        with unit_of_work() as session:
            org = session.scalar(
                select(CloudOrganisation).where(CloudOrganisation.name == organisation)
            )
            if org is None:
                raise click.ClickException(f"no organisation {organisation!r}")
            try:
                row = catalogue.publish(session, org, path.read_text(encoding="utf-8"), None)
            except PosError as err:
                raise click.ClickException(err.message) from err
            except UnicodeDecodeError as err:
                raise click.ClickException(f"{path} is not UTF-8 text") from err
            version, rows = row.version, row.rows
        click.echo(f"{organisation}: menu version {version} published ({rows} dishes)")

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
        _carry_on_after_local_restore(live)

    @group.command("snapshot")
    def snapshot_command():
        """Send the cloud a copy of the database now (to rebuild this branch from)."""
        from pos_app.cloud import rebuild

        try:
            done = rebuild.upload_snapshot(current_app)
        except rebuild.RestoreFailed as err:
            raise click.ClickException(str(err)) from err
        except Exception as err:  # the cloud refused or did not answer
            raise click.ClickException(f"the copy was not sent: {err}") from err
        click.echo(
            f"the cloud holds a copy up to event {done['seq']} ({done['size'] // 1024} KB,"
            f" {done['parts']} part(s))"
        )

    @group.command("restore-branch")
    @click.option("--force", is_flag=True, help="replace a database that holds orders already")
    @click.confirmation_option(
        prompt="Stop the server first. Rebuild this branch's database from the cloud?"
    )
    def restore_branch_command(force: bool):
        """Rebuild this branch on a new machine from the cloud (POS_CLOUD_URL,
        POS_BRANCH_CODE, POS_BRANCH_KEY): its newest copy, brought up to the last event."""
        from pos_app.cloud import rebuild

        try:
            done = rebuild.restore_branch(current_app, force=force)
        except rebuild.RestoreFailed as err:
            raise click.ClickException(str(err)) from err
        _report(done)


def _cloud_mode() -> None:
    if current_app.config["POS_MODE"] != "cloud":
        raise click.ClickException("this is a branch server: run it with POS_MODE=cloud")


def _report(done: dict) -> None:
    counters = done["counters"]
    click.echo(
        f"rebuilt from the copy of {done.get('taken_at', '')} (event {done.get('snapshot_seq')})"
        f" and {done['events_after_copy']} later event(s); the cloud holds up to event"
        f" {done['high_water']}, the next is {done['high_water'] + 1}"
    )
    for name, value in counters.items():
        click.echo(f"  counter {name}: {value} (the next is {value + 1})")
    reopened = done["orders_reopened"]
    if reopened["written"]:
        numbers = ", ".join(f"#{n}" for n in reopened["written"])
        click.echo(f"  open orders taken back: {numbers}")
    for line in reopened["skipped"]:
        click.echo(f"  open order not taken back: #{line}")


def _carry_on_after_local_restore(live) -> None:
    """After a local backup went back in place: with a cloud configured, move the counters and
    the outbox past what the cloud holds (the backup may be older than the last push)."""
    from pos_app.cloud import push, rebuild

    to = push.target(current_app)
    if to is None:
        return
    from pos_app import migrate

    migrate.upgrade(current_app.config["POS_DATABASE_URL"])
    with unit_of_work(write=False) as session:
        from sqlalchemy import func

        from pos_app.outbox import OutboxEvent

        after = session.scalar(select(func.max(OutboxEvent.seq))) or 0
    try:
        done = rebuild.carry_on(current_app, to, after=after)
    except rebuild.RestoreFailed as err:
        click.echo(
            f"warning: the cloud could not be asked what it holds ({err}); run"
            " `flask pos restore-backup` again once it answers, before taking orders"
        )
        return
    _report(done)


def _forget(session, branch) -> None:
    """Drop what a branch sent (its events and projections) and start its sequence again."""
    from sqlalchemy import delete

    from pos_app.cloud.models import (
        CloudEvent,
        CloudNonce,
        CloudOrder,
        CloudPayment,
        CloudSnapshot,
        CloudSnapshotPart,
    )

    for model in (
        CloudEvent,
        CloudOrder,
        CloudPayment,
        CloudNonce,
        CloudSnapshotPart,
        CloudSnapshot,
    ):
        session.execute(delete(model).where(model.branch_id == branch.id))
    branch.high_water = branch.branch_head = 0
    branch.last_contact_at = None
