"""Command line: `flask --app pos_app pos migrate|demo|create-staff`."""

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
    "--role", required=True, type=click.Choice(["owner", "manager", "cashier", "waiter", "kitchen"])
)
@click.option("--email")
@click.option("--pin", help="4 to 8 digits")
@click.option("--password", help="at least 10 characters (prompted for owners and managers)")
def create_staff_command(name, role, email, pin, password):
    """Add a staff member (the first owner of a real restaurant, say)."""
    from pos_app.auth import passwords
    from pos_app.auth.models import Role, Staff

    if role in ("owner", "manager") and email and not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    config = current_app.config
    with unit_of_work() as session:
        session.add(
            Staff(
                name=name,
                role=Role(role),
                email=email.lower() if email else None,
                pin_hash=passwords.hash_secret(pin) if pin else None,
                pin_tag=passwords.pin_tag(pin, config["SECRET_KEY"]) if pin else None,
                password_hash=passwords.hash_secret(password) if password else None,
            )
        )
    click.echo(f"{role} {name} created")


def register(app: Flask) -> None:
    """Add the `pos` command group."""
    app.cli.add_command(pos)
