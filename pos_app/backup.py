"""Backups of the branch's SQLite database, while the shop runs: SQLite's online backup API
copies the live database page by page into `instance/backups/` (a consistent copy even while
orders are written: a page changed meanwhile is copied again), checks the copy
(`PRAGMA integrity_check`), and deletes copies older than POS_BACKUP_KEEP_DAYS.

A worker of the server process makes one every POS_BACKUP_HOURS (and one at start when the
newest is older than that), in a native thread of its own (`offhub`), so the hub keeps
serving screens meanwhile; `flask pos backup` makes one now. Restoring is copying a backup
over the database while the server is stopped (`flask pos restore-backup FILE`), which checks
the file first. On PostgreSQL the database's own tools do this (pg_dump or base backups and
WAL archiving); the worker says so and does nothing.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from pos_app import offhub
from pos_app.config import INSTANCE_DIR

log = logging.getLogger("pos.backup")
NAME = "pos-%Y%m%dT%H%M%SZ.sqlite3"
POOL_SIZES_KEY = "backup"
offhub.POOL_SIZES.setdefault(POOL_SIZES_KEY, 1)


def database_file(url: str) -> Path | None:
    """The SQLite file of a database URL, or None (PostgreSQL, memory)."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def folder(app: Flask) -> Path:
    return Path(app.config.get("POS_BACKUP_DIR") or INSTANCE_DIR / "backups")


def backup_now(app: Flask) -> Path:
    """A checked copy of the live database; old copies pruned. Raises ValueError when the
    database is not an SQLite file, RuntimeError when the copy fails its check."""
    source = database_file(app.config["POS_DATABASE_URL"])
    if source is None:
        raise ValueError("the database is not an SQLite file: back it up with its own tools")
    target_dir = folder(app)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / datetime.now(UTC).strftime(NAME)
    partial = target.with_suffix(".partial")
    offhub.run(POOL_SIZES_KEY, copy_database, source, partial)
    partial.rename(target)
    prune(target_dir, app.config.get("POS_BACKUP_KEEP_DAYS", 14))
    log.info("backup written: %s (%d KB)", target, target.stat().st_size // 1024)
    return target


def copy_database(source: Path, target: Path) -> None:
    """A checked copy of the SQLite database `source` at `target` (online: while it is written)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # 256 pages a step with a pause between: writers are never held for long.
        src.backup(dst, pages=256, sleep=0.005)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        src.close()
        dst.close()
    if ok != "ok":
        target.unlink(missing_ok=True)
        raise RuntimeError(f"the backup copy failed its check: {ok}")


def prune(target_dir: Path, keep_days: float) -> list[Path]:
    """Delete backups older than `keep_days` (the newest is always kept); the deleted ones."""
    copies = sorted(target_dir.glob("pos-*.sqlite3"))
    limit = time.time() - timedelta(days=keep_days).total_seconds()
    gone = [p for p in copies[:-1] if p.stat().st_mtime < limit]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def check_file(path: Path) -> None:
    """Refuse a file that is not a sound POS database (before it replaces the live one)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as err:
        raise ValueError(f"{path} is not an SQLite database: {err}") from err
    if ok != "ok":
        raise ValueError(f"{path} fails its integrity check: {ok}")
    if not {"alembic_version", "order", "outbox_event"} <= tables:
        raise ValueError(f"{path} is not a POS database (its tables are missing)")


def restore(app: Flask, path: Path) -> Path:
    """Put a checked backup in place of the database (server stopped); the replaced database
    is kept beside it as `.before-restore`."""
    live = database_file(app.config["POS_DATABASE_URL"])
    if live is None:
        raise ValueError("the database is not an SQLite file")
    check_file(path)
    from pos_app.db import session as scoped

    scoped.remove()
    scoped.get_bind().dispose()  # no pooled connection may keep reading the replaced file
    if live.exists():
        shutil.copy2(live, live.with_suffix(".before-restore"))
    for suffix in ("-wal", "-shm"):  # the old write-ahead log must not be replayed onto it
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copy2(path, live)
    return live


def run_forever(app: Flask, hours: float) -> None:
    """Back up every `hours` (the first at start when the newest copy is older)."""
    copies = sorted(folder(app).glob("pos-*.sqlite3"))
    age = time.time() - copies[-1].stat().st_mtime if copies else float("inf")
    wait = max(hours * 3600 - age, 0)
    while True:
        time.sleep(wait)
        try:
            backup_now(app)
        except Exception:  # a failed backup must not stop the next one
            log.exception("backup failed; trying again in %s h", hours)
        wait = hours * 3600


def start(app: Flask) -> None:
    """The scheduler's service: the backup worker (SQLite only)."""
    hours = app.config.get("POS_BACKUP_HOURS", 6)
    if database_file(app.config["POS_DATABASE_URL"]) is None or not hours:
        log.info("no scheduled backups: the database is not an SQLite file (or they are off)")
        return
    import gevent

    gevent.spawn(run_forever, app, hours)
