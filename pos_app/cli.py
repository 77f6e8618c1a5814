"""Command line: `flask --app pos_app pos migrate|demo|create-staff|branch-key|cloud-branch`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from pos_app import migrate
from pos_app.db import unit_of_work

pos = AppGroup("pos", help="Restaurant POS administration.")


@pos.command("migrate")
def migrate_command():
    """Create or upgrade the database schema (Alembic)."""
    migrate.upgrade(current_app.config["POS_DATABASE_URL"])
    click.echo("database is up to date")


@pos.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no branch yet.")
def demo_command(if_empty: bool):
    """Load the demo restaurant (Demo Bistro)."""
    from pos_app.demo import has_data, load_demo

    with unit_of_work() as session:
        if has_data(session):
            if if_empty:
                click.echo("data present; demo not loaded")
                return
            raise click.ClickException("the database already has a branch")
        load_demo(
            session, current_app.config["SECRET_KEY"], current_app.config["POS_PASSWORD_HASHING"]
        )
    click.echo("demo restaurant loaded")


@pos.command("create-staff")
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["owner", "manager", "cashier", "waiter", "kitchen"]),
)
@click.option("--email")
@click.option("--pin", help="4 to 8 digits")
@click.option("--password", help="at least 10 characters (prompted for owners and managers)")
def create_staff_command(name, role, email, pin, password):
    """Add a staff member (the first owner of a real restaurant, say)."""
    from marshmallow import ValidationError

    from pos_app.audit import record_audit
    from pos_app.auth.actor import Actor
    from pos_app.auth.models import Role, Staff
    from pos_app.auth.schemas import PIN, StaffSchema
    from pos_app.auth.services import AuthSettings
    from pos_app.auth.staff import prepare_staff_change
    from pos_app.errors import PosError

    if role in ("owner", "manager") and email and not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    given = {"name": name, "role": role, "email": email, "password": password}
    try:
        data = StaffSchema().load({k: v for k, v in given.items() if v is not None})
        if pin is not None:  # the operator may choose a PIN here; the API issues them
            if not PIN.regex.match(pin):
                raise ValidationError({"pin": [PIN.error]})
            data["pin"] = pin
        with unit_of_work() as session:
            staff = Staff()
            # The machine's administrator acts with an owner's rights.
            system = Actor(0, "command line", Role.owner, "password")
            settings = AuthSettings.from_config(current_app.config)
            prepare_staff_change(session, system, staff, data, True, settings)
            for key, value in data.items():
                setattr(staff, key, value)
            session.add(staff)
            session.flush()
            record_audit(
                session, None, "staff.created", "staff", staff.id, after=StaffSchema().dump(staff)
            )
    except ValidationError as err:
        raise click.ClickException(f"not valid: {err.messages}") from err
    except PosError as err:
        raise click.ClickException(err.message) from err
    click.echo(f"{role} {name} created")


def register(app: Flask) -> None:
    """Add the `pos` command group."""
    from pos_app.cloud import cli as cloud_cli

    if "cloud-branch" not in pos.commands:
        cloud_cli.register(pos)
    app.cli.add_command(pos)
