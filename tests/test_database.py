"""The database under the app: SQLite settings, migrations, UTC times, business days."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from pos_app.branch.models import Branch
from pos_app.branch.services import business_day
from pos_app.db import Base, unit_of_work


def test_migrations_create_exactly_the_models_schema(app):
    engine = app.extensions["pos_engine"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_with_full_sync_busy_timeout_and_foreign_keys(app):
    engine = app.extensions["pos_engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings; this run is on " + engine.dialect.name)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_failed_unit_of_work_writes_nothing(app, db):
    with pytest.raises(RuntimeError), db() as s:
        s.add(Branch(name="Half written"))
        s.flush()
        raise RuntimeError("the payment terminal failed")
    with db(write=False) as s:
        assert s.scalar(text("SELECT count(*) FROM branch")) == 0


def test_times_are_stored_in_utc_and_read_back_aware(app, db):
    local = datetime.fromisoformat("2026-03-01T02:30:00+03:00")
    with db() as s:
        s.add(Branch(name="Riyadh", time_zone="Asia/Riyadh", created_at=local))
    with db(write=False) as s:
        raw = s.scalar(text("SELECT created_at FROM branch"))
        branch = s.scalar(text("SELECT id FROM branch"))
        stored = s.get(Branch, branch).created_at
    assert str(raw).startswith("2026-02-28 23:30:00")
    assert stored == local and stored.tzinfo is UTC


def test_naive_datetimes_are_refused(app):
    with (
        app.app_context(),
        pytest.raises(Exception, match="naive datetime"),
        unit_of_work() as s,
    ):
        s.add(Branch(name="Naive", created_at=datetime(2026, 1, 1)))


@pytest.mark.parametrize(
    "utc, expected",
    [
        ("2026-03-01T20:00:00Z", "2026-03-01"),  # 23:00 in Riyadh
        ("2026-03-01T22:30:00Z", "2026-03-01"),  # 01:30 next day, before the 04:00 cut-off
        ("2026-03-02T00:59:00Z", "2026-03-01"),  # 03:59
        ("2026-03-02T01:00:00Z", "2026-03-02"),  # 04:00: a new business day
    ],
)
def test_business_day_follows_the_branch_cut_off(utc, expected):
    branch = Branch(name="Bar", time_zone="Asia/Riyadh", business_day_cutoff_hour=4)
    at = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    assert business_day(branch, at).isoformat() == expected


def test_cli_migrates_loads_the_demo_once_and_creates_staff(runner, app, db):
    assert "up to date" in runner.invoke(args=["pos", "migrate"]).output
    assert "loaded" in runner.invoke(args=["pos", "demo", "--if-empty"]).output
    assert "not loaded" in runner.invoke(args=["pos", "demo", "--if-empty"]).output
    made = runner.invoke(
        args=["pos", "create-staff", "--name", "Nora", "--role", "waiter", "--pin", "7777"]
    )
    assert made.exit_code == 0, made.output
    clash = runner.invoke(
        args=["pos", "create-staff", "--name", "Nour", "--role", "waiter", "--pin", "1111"]
    )  # the demo waiter's PIN
    assert clash.exit_code != 0 and "PIN" in clash.output
    bad = runner.invoke(
        args=["pos", "create-staff", "--name", "X", "--role", "waiter", "--pin", "12"]
    )
    assert bad.exit_code != 0 and "pin" in bad.output
    with db(write=False) as s:
        assert s.scalar(text("SELECT count(*) FROM staff WHERE name = 'Nora'")) == 1
        assert s.scalar(text("SELECT count(*) FROM staff WHERE name = 'Nour'")) == 0
