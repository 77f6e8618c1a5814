"""Backups of the branch's SQLite database while it runs, and a restore from one: the copy is
whole and checked, old copies go, a garbage or foreign file is refused before it replaces
anything, and the restored branch has its orders and its outbox back."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid

import pytest
from conftest import app_config
from sqlalchemy import func, select

from pos_app import backup, create_app, migrate
from pos_app.db import unit_of_work
from pos_app.demo import load_demo
from pos_app.orders.models import Order
from pos_app.outbox import OutboxEvent


@pytest.fixture
def branch(tmp_path):
    """A branch on its own SQLite file (whatever database this run's suite uses)."""
    url = f"sqlite:///{tmp_path / 'pos.sqlite3'}"
    migrate.upgrade(url)
    app = create_app({**app_config(url), "POS_BACKUP_DIR": str(tmp_path / "backups")})
    with app.app_context(), unit_of_work() as s:
        load_demo(s, app.config["SECRET_KEY"], "fast")
    yield app
    app.extensions["pos_engine"].dispose()


def counts(app) -> tuple[int, int]:
    with app.app_context(), unit_of_work(write=False) as s:
        return (
            s.scalar(select(func.count()).select_from(Order)),
            s.scalar(select(func.count()).select_from(OutboxEvent)),
        )


def take_order(app) -> None:
    from pos_app.menu.models import MenuItem

    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"pin": "1111"}).get_json()
    with app.app_context(), unit_of_work(write=False) as s:
        item = s.scalars(select(MenuItem.id)).first()
    body = {
        "id": str(uuid.uuid4()),
        "type": "takeaway",
        "lines": [{"id": str(uuid.uuid4()), "item_id": item, "quantity": 1}],
    }
    answer = client.post(
        "/api/v1/orders", json=body, headers={"Authorization": f"Bearer {login['token']}"}
    )
    assert answer.status_code == 201, answer.get_json()


def test_a_backup_while_the_shop_runs_restores_the_branch_as_it_was(branch, tmp_path):
    take_order(branch)
    before = counts(branch)
    path = backup.backup_now(branch)
    assert path.parent == tmp_path / "backups" and path.name.startswith("pos-")
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    take_order(branch)  # after the backup: lost by the restore, as it should be
    assert counts(branch) == (before[0] + 1, before[1] + 1)
    branch.extensions["pos_engine"].dispose()  # the server stopped
    live = backup.restore(branch, path)
    assert live.with_suffix(".before-restore").exists()
    assert counts(branch) == before


@pytest.mark.parametrize("content", [b"not a database at all" * 100, "foreign"])
def test_a_file_that_is_not_a_sound_pos_database_is_refused(branch, tmp_path, content):
    bad = tmp_path / "bad.sqlite3"
    if content == "foreign":
        with sqlite3.connect(bad) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
    else:
        bad.write_bytes(content)
    before = counts(branch)
    with pytest.raises(ValueError):
        backup.restore(branch, bad)
    assert counts(branch) == before


def test_old_backups_are_pruned_and_the_newest_always_kept(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"pos-2026010{n}T000000Z.sqlite3" for n in range(1, 4)]
    for path in old:
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 30 * 86400,) * 2)
    gone = backup.prune(folder, keep_days=14)
    assert gone == old[:2] and [p.name for p in folder.iterdir()] == [old[2].name]


def test_postgresql_is_backed_up_with_its_own_tools(app):
    app.config["POS_DATABASE_URL"] = "postgresql+psycopg://u@h/db"
    with pytest.raises(ValueError, match="its own tools"):
        backup.backup_now(app)
