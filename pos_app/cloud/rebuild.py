"""A branch rebuilt from the cloud: the copies of its database it uploads, and
`flask pos restore-branch`, which puts the newest copy on a new machine and brings it up to
the cloud's last event, so that it carries on without reusing a number.

The branch uploads a compressed copy of its database (SQLite's online backup, sign-in tokens
and pairing codes left out) when it has none at the cloud, then every POS_CLOUD_SNAPSHOT_HOURS
when something changed, after its push is caught up; in parts, each signed like a push.

Restoring takes the newest complete copy, checks it (SHA-256, SQLite's integrity check, the
POS tables), puts it in place of the database (the replaced one kept as `.before-restore`),
migrates it, and then reads every event the cloud holds after the copy's sequence:
- every counter moves past the numbers those events used: order numbers of each business day,
  invoice and credit note numbers, Z report numbers, and the outbox sequence itself to the
  cloud's high water (the next event is the cloud's next; nothing is refused as reused);
- orders still open at the cloud's last event that the copy lacks are taken back with their
  lines (orders paid and closed after the copy stay in the cloud, in its reports);
- events the cloud holds are marked sent; events of the copy the cloud lacks are pushed.
The same carrying-on runs after `flask pos restore-backup` when a cloud is configured: a local
copy older than the last push would otherwise number events the cloud already holds.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import shutil
import sqlite3
import tempfile
import uuid
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select, update

from pos_app import backup, offhub
from pos_app.clock import utcnow
from pos_app.cloud.models import SyncState
from pos_app.cloud.push import PushFailed, Target, post, target
from pos_app.db import unit_of_work
from pos_app.outbox import SEQUENCE, OutboxEvent

log = logging.getLogger("pos.sync")

PART_BYTES = 4 * 1024 * 1024  # the cloud takes at most this much a part
# Rows that must not travel: who is signed in where, and codes for screens being paired.
LEFT_OUT = ("auth_token", "screen_pairing", "login_attempt")
SOON_S = 600  # a change of the set-up sends a new copy after at most this many seconds
# What a rebuilt branch takes from its copy, not from the events: the set-up of the shop.
SETUP_KINDS = (
    "branch",
    "category",
    "menu_item",
    "modifier_group",
    "modifier",
    "staff",
    "station",
    "printer",
    "floor",
    "dining_table",
    "promotion",
)


class RestoreFailed(Exception):
    """The branch could not be rebuilt; the message says why and what to do."""


# --- the copies the branch uploads ----------------------------------------------------------


def snapshot_due(app: Flask) -> bool:
    """Whether the cloud should get a new copy: none yet, or the last one is older than
    POS_CLOUD_SNAPSHOT_HOURS and events were written since."""
    hours = app.config.get("POS_CLOUD_SNAPSHOT_HOURS", 6)
    if not hours or backup.database_file(app.config["POS_DATABASE_URL"]) is None:
        return False
    with unit_of_work(write=False) as session:
        state = session.get(SyncState, 1)
        head = session.scalar(select(func.max(OutboxEvent.seq))) or 0
        if state is None or state.snapshot_at is None:
            return True
        age = (utcnow() - state.snapshot_at).total_seconds()
        if head <= state.snapshot_seq or age < SOON_S:
            return False
        if age >= hours * 3600:
            return True
        # The catalogue, staff or the floor changed since: a copy soon, so that a rebuilt
        # branch has them (events of orders are brought up to date from the cloud's events).
        return (
            session.scalar(
                select(OutboxEvent.seq)
                .where(
                    OutboxEvent.seq > state.snapshot_seq,
                    OutboxEvent.aggregate_type.in_(SETUP_KINDS),
                )
                .limit(1)
            )
            is not None
        )


def _take(source: Path, folder: Path) -> tuple[Path, int]:
    """A compressed copy of the database (in a native thread): its file and outbox seq."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        copy = Path(work) / "copy.sqlite3"
        backup.copy_database(source, copy)
        conn = sqlite3.connect(copy)
        try:
            for table in LEFT_OUT:
                conn.execute(f'DELETE FROM "{table}"')  # noqa: S608 (fixed names)
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox_event").fetchone()[0]
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        packed = folder / f"snapshot-{uuid.uuid4()}.sqlite3.gz"
        with copy.open("rb") as raw, gzip.open(packed, "wb", compresslevel=6) as out:
            shutil.copyfileobj(raw, out, 1024 * 1024)
    return packed, seq


def upload_snapshot(app: Flask) -> dict:
    """Upload a new copy of the database to the cloud, in parts; what the cloud holds."""
    to = target(app)
    source = backup.database_file(app.config["POS_DATABASE_URL"])
    if to is None or source is None:
        raise RestoreFailed("no cloud configured, or the database is not an SQLite file")
    packed, seq = offhub.run(backup.POOL_SIZES_KEY, _take, source, backup.folder(app))
    try:
        size = packed.stat().st_size
        digest = offhub.run(backup.POOL_SIZES_KEY, _sha256, packed)
        parts = max(1, -(-size // PART_BYTES))
        snapshot_id, taken_at = str(uuid.uuid4()), utcnow()
        answer: dict = {}
        with packed.open("rb") as data:
            for part in range(parts):
                body = {
                    "branch": to.code,
                    "snapshot": snapshot_id,
                    "seq": seq,
                    "parts": parts,
                    "part": part,
                    "size": size,
                    "sha256": digest,
                    "taken_at": taken_at.isoformat(),
                    "data": base64.b64encode(data.read(PART_BYTES)).decode(),
                }
                answer = post(to, "/api/v1/sync/snapshots", json.dumps(body).encode())
    finally:
        packed.unlink(missing_ok=True)
    if answer.get("complete"):
        with unit_of_work() as session:
            state = session.get(SyncState, 1) or SyncState(id=1)
            session.add(state)
            state.snapshot_at, state.snapshot_seq = taken_at, seq
        log.info("the cloud holds a copy of the database up to seq %s (%d KB)", seq, size // 1024)
    return {"snapshot": snapshot_id, "seq": seq, "size": size, "parts": parts, **answer}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- rebuilding -----------------------------------------------------------------------------


def _signed(to: Target, path: str, **body) -> dict:
    payload = {"branch": to.code, "nonce": str(uuid.uuid4()), **body}
    try:
        return post(to, path, json.dumps(payload).encode())
    except PushFailed as err:
        raise RestoreFailed(f"the cloud refused or did not answer: {err}") from err


def restore_branch(app: Flask, force: bool = False) -> dict:
    """Rebuild this branch's database from the cloud (the server stopped); what was done."""
    to = target(app)
    if to is None:
        raise RestoreFailed(
            "set POS_CLOUD_URL, POS_BRANCH_CODE and POS_BRANCH_KEY (or POS_BRANCH_KEY_FILE):"
            " the cloud and this branch's code and key"
        )
    live = backup.database_file(app.config["POS_DATABASE_URL"])
    if live is None:
        raise RestoreFailed("a branch is rebuilt into an SQLite database (POS_DATABASE_URL)")
    if not force and _has_orders(live):
        raise RestoreFailed(
            f"{live} already holds orders: this is not a new machine (--force replaces it,"
            " keeping it as .before-restore)"
        )
    work = backup.folder(app)
    work.mkdir(parents=True, exist_ok=True)
    packed = work / f"restore-{uuid.uuid4()}.sqlite3.gz"
    copy = packed.with_suffix("")
    try:
        first = _download(to, packed)
        with gzip.open(packed, "rb") as src, copy.open("wb") as out:
            shutil.copyfileobj(src, out, 1024 * 1024)
        try:
            backup.restore(app, copy)
        except ValueError as err:
            raise RestoreFailed(f"the cloud's copy is not a sound database: {err}") from err
    finally:
        packed.unlink(missing_ok=True)
        copy.unlink(missing_ok=True)
    from pos_app import migrate

    migrate.upgrade(app.config["POS_DATABASE_URL"])
    summary = carry_on(app, to, after=first["seq"])
    return {"snapshot_seq": first["seq"], "taken_at": first["taken_at"], **summary}


def _has_orders(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute('SELECT COUNT(*) FROM "order"').fetchone()[0] > 0
    except sqlite3.DatabaseError:
        return False  # an empty or foreign file: nothing of the shop's to lose


def _download(to: Target, packed: Path) -> dict:
    """The newest complete copy's parts into `packed`, checked; the copy's first answer."""
    first = _signed(to, "/api/v1/sync/snapshots/fetch", part=0)
    digest = hashlib.sha256()
    with packed.open("wb") as out:
        answer = first
        for part in range(first["parts"]):
            if part:
                answer = _signed(
                    to, "/api/v1/sync/snapshots/fetch", snapshot=first["snapshot"], part=part
                )
            data = base64.b64decode(answer["data"])
            digest.update(data)
            out.write(data)
    if digest.hexdigest() != first["sha256"] or packed.stat().st_size != first["size"]:
        raise RestoreFailed("the copy downloaded does not match its SHA-256: try again")
    return first


def carry_on(app: Flask, to: Target, after: int) -> dict:
    """Bring the restored database up to the cloud's events after seq `after`."""
    events, high_water = [], after
    while True:
        page = _signed(to, "/api/v1/sync/events/fetch", after=after, limit=1000)
        high_water = page["high_water"]
        held = [e for e in page["events"] if e["seq"] <= high_water]
        events.extend(held)
        if not held or held[-1]["seq"] >= high_water:
            break
        after = held[-1]["seq"]
    with app.app_context(), unit_of_work() as session:
        counters = _advance_counters(session, events, high_water)
        reopened = _reopen_orders(session, events)
        now = utcnow()
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.seq <= high_water, OutboxEvent.sent_at.is_(None))
            .values(sent_at=now)
        )
        state = session.get(SyncState, 1) or SyncState(id=1)
        session.add(state)
        state.cloud_high_water, state.last_error = high_water, ""
        from pos_app.audit import record_audit

        record_audit(
            session,
            None,
            "branch.restored",
            "branch",
            to.code,
            None,
            {"events_after_copy": len(events), "high_water": high_water, "counters": counters},
        )
    return {
        "events_after_copy": len(events),
        "high_water": high_water,
        "counters": counters,
        "orders_reopened": reopened,
    }


def _advance_counters(session, events: list[dict], high_water: int) -> dict:
    """Every counter past the numbers the cloud's events used (never back)."""
    from pos_app.billing.tax_documents import CREDIT_NOTES, INVOICES
    from pos_app.billing.till_report import Z_COUNTER
    from pos_app.counters import Counter

    used: dict[str, int] = {SEQUENCE: high_water}
    series = {"invoice.issued": INVOICES, "credit_note.issued": CREDIT_NOTES}

    def saw(name: str, value) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            used[name] = max(used.get(name, 0), value)

    for event in events:
        kind, payload = event["type"], event["payload"]
        if kind.startswith("order.") and _is_day(payload.get("business_day")):
            saw(f"order-number:{payload['business_day']}", payload.get("number"))
        elif kind in series:
            number = str(payload.get("number") or "").rpartition("-")[2]
            saw(series[kind].counter, int(number) if number.isdigit() else None)
        elif kind == "z_report.closed":
            saw(Z_COUNTER, int(event["aggregate_id"]) if event["aggregate_id"].isdigit() else 0)
    moved = {}
    for name, value in sorted(used.items()):
        row = session.get(Counter, name)
        if row is None:
            session.add(Counter(name=name, value=value))
            moved[name] = value
        elif row.value < value:
            row.value = moved[name] = value
    session.flush()
    return moved


def _is_day(text) -> bool:
    try:
        date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


def _reopen_orders(session, events: list[dict]) -> dict:
    """Orders the copy lacks that were still open at the cloud's last event, written back."""
    from pos_app.cloud.reopen import reopen

    latest: dict[str, dict] = {}
    paid: dict[str, int] = {}
    for event in events:
        if event["type"].startswith("order.") and isinstance(event["payload"].get("id"), str):
            latest[event["payload"]["id"]] = event["payload"]
        elif event["type"] == "payment.recorded":
            amount = event["payload"].get("amount_minor")
            sign = -1 if event["payload"].get("kind") == "refund" else 1
            paid[event["aggregate_id"]] = paid.get(event["aggregate_id"], 0) + sign * (
                amount if isinstance(amount, int) else 0
            )
    return reopen(session, list(latest.values()), paid)
