"""The branch's pull of its organisation's menu from the cloud (pos_app/cloud/catalogue.py):
asked every POS_CLOUD_PULL_SECONDS by the push worker, a newer version applied in one
transaction with the menu import (pos_app/menu/csv_io.py), whole or not at all."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask

from pos_app.audit import record_audit
from pos_app.clock import utcnow
from pos_app.cloud.models import SyncState
from pos_app.cloud.push import PushFailed, post, target
from pos_app.commands import Call
from pos_app.db import unit_of_work
from pos_app.errors import PosError

log = logging.getLogger("pos.sync")


class NotApplied(Exception):
    """A version with a row this branch cannot take: nothing of it is kept."""


def pull_if_due(app: Flask) -> int | None:
    """Ask the cloud for a newer menu when POS_CLOUD_PULL_SECONDS have passed since the last
    time; the version applied, or None."""
    every = app.config.get("POS_CLOUD_PULL_SECONDS", 60)
    last = app.extensions.get("pos_pull_at")
    if not every or (last is not None and time.monotonic() - last < every):
        return None
    app.extensions["pos_pull_at"] = time.monotonic()
    return pull_once(app)


def pull_once(app: Flask) -> int | None:
    """Ask now; apply a newer version. The version applied, or None (nothing newer, or a
    version this branch could not take: the reason is kept on its sync state)."""
    to = target(app)
    if to is None:
        return None
    with app.app_context():
        with unit_of_work(write=False) as session:
            state = session.get(SyncState, 1)
            have = state.catalogue_version if state else 0
        body = {"branch": to.code, "nonce": str(uuid.uuid4()), "have": have}
        answer = post(to, "/api/v1/sync/catalogue/fetch", json.dumps(body).encode())
        version, text = int(answer["version"]), answer.get("csv")
        if text is None or version <= have:
            _note(have, "")
            return None
        try:
            with unit_of_work() as session:
                report = _apply(session, version, text)
        except (NotApplied, PosError) as err:
            message = f"menu version {version} not applied: {err}"[:300]
            log.warning(message)
            _note(have, message)
            return None
        log.info("menu version %s from the cloud applied: %s", version, report)
        return version


def _apply(session, version: int, text: str) -> dict:
    """The import of the version's file, all its rows or none; the sync state moved on."""
    from pos_app.menu import csv_io

    state = session.get(SyncState, 1) or SyncState(id=1)
    session.add(state)
    if state.catalogue_version >= version:  # another worker applied it meanwhile
        return {}
    call = Call(session=session, actor=None, body={"csv": text, "apply": True}, query={})
    report = csv_io.import_menu(call)
    refused = [r for r in report["rows"] if r["action"] == "refused"]
    if refused:
        first = refused[0]
        reasons = "; ".join(f"{k}: {v}" for k, v in first["errors"].items())
        raise NotApplied(
            f"{len(refused)} row(s) this branch cannot take, the first line {first['line']}"
            f" ({first['name']}): {reasons}"
        )
    counts = {k: report[k] for k in ("created", "updated", "unchanged")}
    state.catalogue_version, state.catalogue_error = version, ""
    state.catalogue_checked_at = utcnow()
    record_audit(session, None, "catalogue.applied", "branch", version, None, counts)
    return counts


def _note(version: int, error: str) -> None:
    with unit_of_work() as session:
        state = session.get(SyncState, 1) or SyncState(id=1)
        session.add(state)
        state.catalogue_checked_at, state.catalogue_error = utcnow(), error
        state.catalogue_version = max(state.catalogue_version or 0, version)


__all__ = ["NotApplied", "PushFailed", "pull_if_due", "pull_once"]
