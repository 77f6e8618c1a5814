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
@click.option(
    "--stock-scale",
    envvar="POS_DEMO_STOCK_SCALE",
    default=1,
    show_default=True,
    type=click.IntRange(0, 100_000),
    help="Opening stock times N (lamb: 1 kg, five Mixed grills); 0: no stock or recipes. "
    "Benchmarks load 1000 so thousands of orders never run out.",
)
def demo_command(if_empty: bool, stock_scale: int):
    """Load the demo restaurant (Demo Bistro)."""
    from pos_app.demo import has_data, load_demo

    with unit_of_work() as session:
        if has_data(session):
            if if_empty:
                click.echo("data present; demo not loaded")
                return
            raise click.ClickException("the database already has a branch")
        load_demo(
            session,
            current_app.config["SECRET_KEY"],
            current_app.config["POS_PASSWORD_HASHING"],
            stock=stock_scale > 0,
            stock_scale=max(stock_scale, 1),
        )
    click.echo("demo restaurant loaded")


@pos.command("demo-history")
@click.option("--days", default=120, show_default=True, type=click.IntRange(1, 730))
@click.option("--if-empty", is_flag=True, help="Only when no sales were imported yet.")
def demo_history_command(days: int, if_empty: bool):
    """Import a past of the demo's own dishes and waiters (marked imported) for the reports."""
    from sqlalchemy import select

    from pos_app.branch.services import business_day, current_branch
    from pos_app.clock import utcnow
    from pos_app.reports.history import demo_history_csv
    from pos_app.reports.importer import import_sales
    from pos_app.reports.models import ReportSale

    with unit_of_work() as session:
        branch = current_branch(session)
        if branch is None:
            raise click.ClickException("no branch yet: load the demo first (flask pos demo)")
        held = session.scalar(select(ReportSale.doc).where(ReportSale.kind == "imported").limit(1))
        if held and if_empty:
            click.echo("past sales present; demo history not imported")
            return
        today = business_day(branch, utcnow())
        text = demo_history_csv(session, today, days)
        done = import_sales(session, None, text, True, today)
    with unit_of_work() as session:  # the summaries of those days, as the scheduler keeps them
        from pos_app.reports.summaries import make_due

        make_due(session, utcnow(), cloud=False, look_back=days)
    click.echo(
        f"imported {done['sales']} past sales ({done['lines']} lines), "
        f"{done['first_day']} to {done['last_day']}"
    )


@pos.command("report-backfill")
def report_backfill_command():
    """Count in the reports the invoices, credit notes and payments made before them."""
    from pos_app.reports.sources import backfill

    with unit_of_work() as session:
        done = backfill(session)
    click.echo(f"added {done['documents']} tax documents and {done['payments']} payments")


@pos.command("import-sales")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--apply", is_flag=True, help="Import (without it: only check the file).")
def import_sales_command(path: str, apply: bool):
    """Check or import a file of past sales from another POS (docs/reports.md)."""
    from pathlib import Path

    from pos_app.branch.services import business_day, current_branch
    from pos_app.clock import utcnow
    from pos_app.errors import PosError
    from pos_app.reports.importer import import_sales

    text = Path(path).read_bytes().decode("utf-8", errors="replace")
    try:
        with unit_of_work() as session:
            branch = current_branch(session)
            if branch is None:
                raise click.ClickException("no branch yet")
            done = import_sales(session, None, text, apply, business_day(branch, utcnow()))
    except PosError as err:
        problems = "\n".join(err.fields.get("csv", [])) if err.fields else ""
        raise click.ClickException(f"{err.message}\n{problems}".strip()) from err
    verb = "imported" if apply else "checked (nothing imported; --apply imports)"
    click.echo(
        f"{verb}: {done['sales']} sales, {done['lines']} lines, "
        f"{done['first_day']} to {done['last_day']}"
    )


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
