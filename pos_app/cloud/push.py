"""The branch's push: its outbox to the cloud, in sequence order, exactly once.

A worker of the server process (a gevent greenlet, started with the scheduler) reads a batch
of events the cloud has not confirmed (a read transaction, closed before the network), sends
it signed, and on the cloud's answer marks sent every event up to the cloud's high water (a
short write transaction). Nothing is marked on a send alone: a push lost on the way, a cloud
that stored the batch but whose answer never came, a branch restarted mid-push: all are sent
again and the cloud keeps each `(branch, seq)` once. When the cloud says it lacks an event
the branch thought sent (the cloud restored from a backup), those are sent again.

While the cloud is away the worker backs off (2 s doubling to 5 min) and the outbox grows;
`SyncState` keeps the last good push and the last error for the health page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Text, cast, func, select, update

from pos_app.clock import utcnow
from pos_app.cloud.models import SyncState
from pos_app.cloud.signing import headers
from pos_app.db import unit_of_work
from pos_app.outbox import OutboxEvent

log = logging.getLogger("pos.sync")

BATCH = 500
BATCH_BYTES = 700_000  # under the cloud's body limit, with room for the envelope
TIMEOUT_S = 20
BACKOFF_S = (2, 300)
HEARTBEAT_S = 30  # with nothing to send, the branch still tells the cloud it is alive


@dataclass(frozen=True)
class Target:
    """Where and as whom the branch pushes."""

    url: str
    code: str
    key: str
    timeout_s: float = TIMEOUT_S


def target(app: Flask) -> Target | None:
    """The cloud this branch pushes to, or None (no POS_CLOUD_URL: the branch works alone)."""
    url = app.config.get("POS_CLOUD_URL")
    key = app.config.get("POS_BRANCH_KEY")
    if not url or not key:
        return None
    code = app.config.get("POS_BRANCH_CODE") or "demo"
    return Target(
        url.rstrip("/"), code, key, app.config.get("POS_CLOUD_TIMEOUT_SECONDS", TIMEOUT_S)
    )


def _printers() -> list[dict]:
    """The branch's active printers as the cloud shows them (read in the caller's unit),
    from the printers package through its port; [] where printing is not wired."""
    from pos_app.db import session
    from pos_app.ports import PortMissing, printer_reports

    try:
        return printer_reports(session)[:50]
    except PortMissing:
        return []


def _batch(
    code: str, with_printers: bool = False, after: int | None = None
) -> tuple[bytes, int, int] | None:
    """The next batch's body, its last seq and its size, or None when all is confirmed.

    Everything up to the cloud's high water is sent, and nothing above it is marked sent, so
    the batch is a range of the seq index after it (not a filter on `sent_at`, which sorted
    every waiting event for each batch: a week offline made the catch-up quadratic). `after`:
    the batch after a given seq instead (the one after the batch in flight)."""
    with unit_of_work(write=False) as session:
        if after is None:
            state = session.get(SyncState, 1)
            after = state.cloud_high_water if state else 0
        rows = session.execute(
            select(
                OutboxEvent.seq,
                OutboxEvent.event_id,
                OutboxEvent.type,
                OutboxEvent.aggregate_type,
                OutboxEvent.aggregate_id,
                # the payload as the database holds it (JSON text): not parsed to be re-encoded
                cast(OutboxEvent.payload, Text),
                OutboxEvent.created_at,
            )
            .where(OutboxEvent.seq > after)
            .order_by(OutboxEvent.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return None
        head = session.scalar(select(func.max(OutboxEvent.seq))) or 0
        printers = _printers() if with_printers else None
    parts, size = [], 0
    for seq, event_id, kind, aggregate_type, aggregate_id, payload, created_at in rows:
        part = (
            f'{{"seq":{seq},"event_id":{json.dumps(event_id)},"type":{json.dumps(kind)},'
            f'"aggregate_type":{json.dumps(aggregate_type)},'
            f'"aggregate_id":{json.dumps(aggregate_id)},"payload":{payload},'
            f'"created_at":"{created_at.isoformat()}"}}'
        )
        size += len(part) + 1
        if parts and size > BATCH_BYTES:
            break
        parts.append(part)
    last = rows[len(parts) - 1][0]
    extra = f',"printers":{json.dumps(printers)}' if printers is not None else ""
    body = f'{{"branch":{json.dumps(code)},"head":{head},"events":[{",".join(parts)}]{extra}}}'
    return body.encode(), last, len(parts)


def _heartbeat(code: str) -> tuple[bytes, int, int]:
    """An empty batch with the branch's newest seq: the cloud sees the branch is alive (its
    last contact) and how far behind it is, while there is nothing new to send."""
    with unit_of_work(write=False) as session:
        head = session.scalar(select(func.max(OutboxEvent.seq))) or 0
        printers = _printers()
    body = {"branch": code, "head": head, "events": [], "printers": printers}
    return json.dumps(body, separators=(",", ":")).encode(), 0, 0


def _send(to: Target, body: bytes) -> dict:
    return post(to, "/api/v1/sync/events", body)


def post(to: Target, path: str, body: bytes) -> dict:
    """POST `body` signed to the cloud's `path`: its JSON answer, or PushFailed."""
    sent_at = int(time.time())
    request = urllib.request.Request(
        f"{to.url}{path}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers(to.code, to.key, sent_at, body)},
    )
    try:
        with urllib.request.urlopen(request, timeout=to.timeout_s) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        try:
            detail = json.loads(err.read() or b"{}").get("error", {})
        except ValueError:
            detail = {}
        message = f"{err.code} {detail.get('code', '')}: {detail.get('message', '')}"
        raise PushFailed(message) from err
    except (OSError, ValueError) as err:  # refused, reset, timed out, not JSON
        raise PushFailed(f"the cloud did not answer: {err}") from err


class PushFailed(Exception):
    """The cloud refused the push or did not answer."""


def _confirm(high_water: int) -> int:
    """Mark sent what the cloud holds; unmark what it says it lacks (a restored cloud). The
    cloud's high water as the branch knew it before (-1 when events were unmarked: there is
    something to send again)."""
    now = utcnow()
    with unit_of_work() as session:
        state = _state(session)
        before = state.cloud_high_water or 0
        if high_water >= before:
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.seq > before, OutboxEvent.seq <= high_water)
                .values(sent_at=now)
            )
        else:  # the cloud lost what it had confirmed: send it again
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.seq > high_water, OutboxEvent.sent_at.is_not(None))
                .values(sent_at=None)
            )
            before = -1
        state.last_push_at, state.last_attempt_at, state.last_error = now, now, ""
        state.cloud_high_water = high_water
    return before


def _failed(message: str) -> None:
    with unit_of_work() as session:
        state = _state(session)
        state.last_attempt_at, state.last_error = utcnow(), message[:300]


def _state(session) -> SyncState:
    state = session.get(SyncState, 1)
    if state is None:
        state = SyncState(id=1)
        session.add(state)
    return state


def push_once(app: Flask) -> int:
    """Send one batch if there is one: how many events it sent when the cloud confirmed them
    all (0: nothing to send, or the cloud asked for earlier ones). Raises PushFailed when the
    cloud refused it or did not answer."""
    to = target(app)
    if to is None:
        return 0
    with app.app_context():
        # the printers go with a batch now and then, and with every heartbeat
        told = time.monotonic() - app.extensions.get("pos_push_printers", -HEARTBEAT_S)
        batch = _read_ahead(app) or _batch(to.code, with_printers=told >= HEARTBEAT_S)
        if batch is None:
            if (
                time.monotonic() - app.extensions.get("pos_push_contact", -HEARTBEAT_S)
                < HEARTBEAT_S
            ):
                return 0
            batch = _heartbeat(to.code)  # nothing to send: say "still here" now and then
        body, last, count = batch
        try:
            answer = _send_reading_ahead(app, to, body, last if count else None)
            high_water = int(answer["high_water"])
        except (PushFailed, KeyError, TypeError, ValueError) as err:
            _failed(str(err))
            raise PushFailed(str(err)) from err
        app.extensions["pos_push_contact"] = time.monotonic()
        if b'"printers":' in body:
            app.extensions["pos_push_printers"] = time.monotonic()
        before = _confirm(high_water)
        if high_water < last:
            # The cloud lacks earlier events (it lost them: restored from a backup); they are
            # unmarked and go next, at once while the cloud's high water still moves.
            log.info("the cloud holds up to %s of a batch up to %s", high_water, last)
            return 1 if high_water > before else 0
        return count


def _send_reading_ahead(app: Flask, to: Target, body: bytes, last: int | None) -> dict:
    """Send a batch; while the cloud stores it, read the batch after it (`last`), kept for
    the next push if the cloud confirms this one whole. A week's backlog goes out with the
    branch's reading and the cloud's storing overlapped instead of taking turns."""
    app.extensions.pop("pos_push_next", None)
    if last is None:
        return _send(to, body)
    outcome: dict = {}

    def sending() -> None:
        try:
            outcome["answer"] = _send(to, body)
        except Exception as err:  # noqa: BLE001  (raised again below, in the caller)
            outcome["error"] = err

    worker = threading.Thread(target=sending, name="cloud-push-send", daemon=True)
    worker.start()
    try:
        ahead = _batch(to.code, after=last)
    finally:
        worker.join()
    if "error" in outcome:
        raise outcome["error"]
    if ahead is not None:
        app.extensions["pos_push_next"] = (last, ahead)
    return outcome["answer"]


def _read_ahead(app: Flask):
    """The batch read while the last one was in flight, if the cloud then confirmed the last
    one whole (its high water is where that batch ended); else None: read afresh."""
    kept = app.extensions.pop("pos_push_next", None)
    if kept is None:
        return None
    after, batch = kept
    with unit_of_work(write=False) as session:
        state = session.get(SyncState, 1)
        confirmed = state.cloud_high_water if state else 0
    return batch if confirmed == after else None


def run_forever(app: Flask, idle_s: float, until=lambda: False) -> None:
    """Push while there is something to push; wait `idle_s` when there is not; back off
    while the cloud is away (`until`: a test's way to stop it)."""
    wait = BACKOFF_S[0]
    while not until():
        try:
            pushed = push_once(app)
            wait = BACKOFF_S[0]
            if not pushed:
                _snapshot_if_due(app)
                from pos_app.cloud.pull import pull_if_due

                pull_if_due(app)
            time.sleep(0 if pushed else idle_s)  # progress: more may be waiting
        except PushFailed as err:
            log.warning("push to the cloud failed, again in %s s: %s", wait, err)
            time.sleep(wait)
            wait = min(wait * 2, BACKOFF_S[1])
        except Exception:  # a bug must not stop the shop's sync for good
            log.exception("push to the cloud crashed, again in %s s", wait)
            time.sleep(wait)
            wait = min(wait * 2, BACKOFF_S[1])


def _snapshot_if_due(app: Flask) -> None:
    """With the push caught up, a new copy of the database for the cloud when one is due."""
    from pos_app.cloud import rebuild

    with app.app_context():
        if not rebuild.snapshot_due(app):
            return
        try:
            rebuild.upload_snapshot(app)
        except rebuild.RestoreFailed as err:
            raise PushFailed(str(err)) from err


def start(app: Flask) -> None:
    """The scheduler's service: the push worker as a greenlet (no cloud: nothing)."""
    if target(app) is None:
        log.info("no POS_CLOUD_URL: this branch keeps its outbox and pushes nowhere")
        return
    import gevent

    gevent.spawn(run_forever, app, app.config.get("POS_CLOUD_PUSH_SECONDS", 2))
