"""`POST /api/v1/sync/events`: a branch's signed batch of outbox events, stored once each.

Only a cloud server (`POS_MODE=cloud`) answers it; a branch server answers 404. The batch is
checked before anything is written: the branch is known and active, its time within `SKEW`
of ours, the signature right for that time and the exact bytes sent, the signature not seen
in the last minutes (a replay), the body's branch the signer. Then, in one transaction: each
event is inserted once by `(branch, seq)` (a duplicate sends nothing twice; the same seq with
another event id means the branch reused its numbers, and the whole batch is refused), the
projections are updated from the events that were new, and the branch's high water (the
highest seq below which nothing is missing) moves on. The answer tells the branch that high
water, so it marks those events sent and sends again from there.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from flask import current_app, request
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pos_app.api import PUBLIC, Api, Call
from pos_app.clock import utcnow
from pos_app.cloud import projections
from pos_app.cloud.models import CloudBranch, CloudEvent, CloudNonce
from pos_app.cloud.signing import HEADER_BRANCH, HEADER_SIGNATURE, HEADER_TIME, SKEW, valid
from pos_app.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from pos_app.locks import lock_key
from pos_app.schemas import (
    MAX_ID,
    UUID_PATTERN,
    FullMatch,
    QueryInstant,
    StrictBoolean,
    pattern,
)

MAX_EVENTS = 1000
MAX_PRINTERS = 50
CODE = pattern(r"^[a-z0-9][a-z0-9_-]{0,39}$", error="lower-case letters, digits, - and _")


def _an_object(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError("a JSON object")


class SyncEventSchema(Schema):
    """One outbox event as the branch wrote it."""

    seq = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_ID))
    event_id = fields.String(required=True, validate=FullMatch(UUID_PATTERN))
    type = fields.String(required=True, validate=validate.Length(1, 64))
    aggregate_type = fields.String(required=True, validate=validate.Length(1, 64))
    aggregate_id = fields.String(required=True, validate=validate.Length(1, 64))
    payload = fields.Raw(required=True, validate=_an_object)
    created_at = QueryInstant(required=True)  # ISO 8601 with its offset, as the branch wrote it


class PrinterHealthSchema(Schema):
    """One of the branch's printers as the branch sees it now."""

    name = fields.String(required=True, validate=validate.Length(1, 120))
    online = StrictBoolean(allow_none=True, load_default=None)
    paper_out = StrictBoolean(load_default=False)
    backup_in_use = StrictBoolean(load_default=False)
    queue_depth = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, MAX_ID))
    last_error = fields.String(load_default="", validate=validate.Length(max=300))
    last_printed_at = QueryInstant(load_default=None, allow_none=True)


class SyncBatchSchema(Schema):
    """A batch of one branch's events, in sequence order, and the branch's newest seq."""

    branch = fields.String(required=True, validate=CODE)
    head = fields.Integer(strict=True, required=True, validate=validate.Range(0, MAX_ID))
    events = fields.List(
        fields.Nested(SyncEventSchema), required=True, validate=validate.Length(0, MAX_EVENTS)
    )
    printers = fields.List(
        fields.Nested(PrinterHealthSchema),
        load_default=None,
        validate=validate.Length(max=MAX_PRINTERS),
        metadata={"description": "the branch's printers now (sent now and then, not always)"},
    )

    def load(self, data, *args, **kwargs):
        """The batch as marshmallow would load it, checked by hand when it is well formed (a
        batch of 500 events through nested schemas was a fifth of taking it); anything the
        fast check does not accept goes through marshmallow for its field messages."""
        if not kwargs and not args and not self.partial:
            fast = _load_fast(data)
            if fast is not None:
                return fast
        return super().load(data, *args, **kwargs)


_EVENT_KEYS = frozenset(SyncEventSchema().fields)
_BATCH_KEYS = frozenset(("branch", "head", "events", "printers"))
_UUID = re.compile(UUID_PATTERN)
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_INSTANT = re.compile(QueryInstant._ISO)


def _load_fast(data) -> dict | None:
    """The loaded batch if every event is plainly right, else None (marshmallow decides)."""
    if not isinstance(data, dict) or not set(data) <= _BATCH_KEYS or "printers" in data:
        return None
    code, head, events = data.get("branch"), data.get("head"), data.get("events")
    if not (isinstance(code, str) and _CODE.fullmatch(code) and _seq(head, 0)):
        return None
    if not isinstance(events, list) or len(events) > MAX_EVENTS:
        return None
    loaded = []
    for event in events:
        if not isinstance(event, dict) or event.keys() != _EVENT_KEYS:
            return None
        texts = (event["type"], event["aggregate_type"], event["aggregate_id"])
        when = event["created_at"]
        if not (
            _seq(event["seq"], 1)
            and isinstance(event["event_id"], str)
            and _UUID.fullmatch(event["event_id"])
            and all(isinstance(t, str) and 0 < len(t) <= 64 for t in texts)
            and isinstance(event["payload"], dict)
            and isinstance(when, str)
            and len(when) <= 40
            and _INSTANT.fullmatch(when)
        ):
            return None
        try:
            at = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            return None
        loaded.append({**event, "created_at": at})
    return {"branch": code, "head": head, "events": loaded, "printers": None}


def _seq(value, low: int) -> bool:
    return type(value) is int and low <= value <= MAX_ID


class SyncAnswerSchema(Schema):
    """What the cloud holds of the branch after the batch."""

    high_water = fields.Integer(metadata={"description": "every seq up to this one is held"})
    stored = fields.Integer(metadata={"description": "events of this batch that were new"})
    missing_from = fields.Integer(
        allow_none=True, metadata={"description": "the first seq the cloud lacks, if a gap"}
    )


def receive(call: Call):
    """Store a branch's signed batch of events once each; answer the high water."""
    session = call.session
    body = call.body
    branch = signed_by(call)
    events = body["events"]
    if [e["seq"] for e in events] != sorted({e["seq"] for e in events}):
        raise ValidationFailed(
            "events must be in sequence order, each once", {"events": ["out of order or twice"]}
        )
    new = _store(session, branch.id, events)
    projections.apply(session, branch.id, new)
    high_water, gap = _advance(session, branch)
    branch.branch_head = max(branch.branch_head, body["head"])
    branch.last_contact_at = utcnow()
    if body["printers"] is not None:
        branch.printers = [
            {
                **p,
                "last_printed_at": p["last_printed_at"].isoformat()
                if p["last_printed_at"]
                else None,
            }
            for p in body["printers"]
        ]
        branch.printers_at = branch.last_contact_at
    return {
        "high_water": high_water,
        "stored": len(new),
        "missing_from": high_water + 1 if gap else None,
    }


def signed_by(call: Call) -> CloudBranch:
    """The branch that signed this request, checked (cloud mode, signature, time, the body's
    branch its signer, not a replay) and locked: one branch's signed requests queue."""
    if current_app.config["POS_MODE"] != "cloud":
        raise NotFound("this server is a branch; pushes go to the cloud")
    session = call.session
    branch = _signer(session)
    if call.body["branch"] != branch.code:
        raise ValidationFailed(
            "the request names another branch than the one that signed it",
            {"branch": ["not the signing branch"]},
        )
    lock_key(session, "cloud-branch", branch.id)
    _refuse_replay(session, branch.id)
    return branch


def _signer(session: Session) -> CloudBranch:
    """The branch whose key signed these bytes at a time close to ours, or 401."""
    refused = Unauthorized("the push is not signed by a known branch", code="sync_refused")
    code = request.headers.get(HEADER_BRANCH, "")
    signature = request.headers.get(HEADER_SIGNATURE, "")
    branch = session.scalar(select(CloudBranch).where(CloudBranch.code == code[:40]))
    if branch is None or not branch.active or len(signature) != 64:
        raise refused
    try:
        sent_at = int(request.headers.get(HEADER_TIME, ""))
    except ValueError:
        raise refused from None
    if not valid(branch.key, sent_at, request.get_data(cache=True), signature):
        raise refused
    drift = sent_at - int(time.time())
    if abs(drift) > SKEW:
        raise Unauthorized(
            f"the branch's clock is {drift:+d} s from the cloud's (at most {SKEW} s allowed)",
            code="clock_skew",
        )
    return branch


def _refuse_replay(session: Session, branch_id: int) -> None:
    """A signature taken within the window again is a replay: 409, nothing written. One
    statement: the signature is kept unless it is held already."""
    now = utcnow()
    if time.monotonic() >= _NONCE_SWEEP["next"]:  # old ones go at most once a minute
        _NONCE_SWEEP["next"] = time.monotonic() + 60
        session.execute(
            delete(CloudNonce).where(CloudNonce.seen_at < now - timedelta(seconds=3 * SKEW))
        )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = CloudNonce.__table__
    kept = session.execute(
        dialect.insert(table)
        .values(branch_id=branch_id, signature=request.headers[HEADER_SIGNATURE], seen_at=now)
        .on_conflict_do_nothing(index_elements=["branch_id", "signature"])
        .returning(table.c.branch_id)
    ).first()
    if kept is None:
        raise Conflict("this batch was taken already (a replay)", code="replayed")


# Signatures older than the window can never come back (the time check refuses them first):
# they are swept now and then, not on every push.
_NONCE_SWEEP = {"next": 0.0}


# PostgreSQL reads the events from the batch's own bytes, as the branch signed them and the
# checks above passed them: no Python round-trip of 500 payloads (pos_app/cloud/bulk.py).
_PG_INSERT_FROM_BODY = text(
    "INSERT INTO cloud_event (branch_id, seq, event_id, type, aggregate_type, aggregate_id,"
    " payload, created_at, received_at)"
    " SELECT :branch_id, u.seq, lower(u.event_id), u.type, u.aggregate_type, u.aggregate_id,"
    " u.payload, (u.created_at AT TIME ZONE 'UTC'), :received_at"
    " FROM json_to_recordset(CAST(:body AS json) -> 'events') AS u(seq bigint, event_id text,"
    " type text, aggregate_type text, aggregate_id text, payload json, created_at timestamptz)"
    " ON CONFLICT (branch_id, seq) DO NOTHING RETURNING seq"
)


def _store(session: Session, branch_id: int, events: list[dict]) -> list[dict]:
    """Insert the events not held yet; the ones that were new, in seq order."""
    if not events:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    rows = [
        {
            "branch_id": branch_id,
            "seq": e["seq"],
            "event_id": e["event_id"].lower(),
            "type": e["type"],
            "aggregate_type": e["aggregate_type"],
            "aggregate_id": e["aggregate_id"],
            "payload": e["payload"],
            "created_at": e["created_at"],
            "received_at": now,
        }
        for e in events
    ]
    table = CloudEvent.__table__
    if dialect is postgresql:
        params = {
            "branch_id": branch_id,
            "received_at": now.replace(tzinfo=None),  # naive UTC, as UTCDateTime keeps it
            "body": request.get_data(cache=True).decode("utf-8"),
        }
        inserted = set(session.connection().execute(_PG_INSERT_FROM_BODY, params).scalars())
    else:  # one statement compiled once and cached, its rows sent as executemany
        stmt = (
            dialect.insert(table)
            .on_conflict_do_nothing(index_elements=["branch_id", "seq"])
            .returning(table.c.seq)
        )
        inserted = set(session.connection().execute(stmt, rows).scalars())
    old = [r for r in rows if r["seq"] not in inserted]
    if old:
        held = dict(
            session.execute(
                select(CloudEvent.seq, CloudEvent.event_id).where(
                    CloudEvent.branch_id == branch_id,
                    CloudEvent.seq.in_([r["seq"] for r in old]),
                )
            ).all()
        )
        reused = [r["seq"] for r in old if held.get(r["seq"]) != r["event_id"]]
        if reused:
            raise Conflict(
                f"sequence {reused[0]} is held with another event: the branch reused its numbers",
                {"events": [f"seq {s} is another event's" for s in reused[:10]]},
                "sequence_reused",
            )
    return [r for r in rows if r["seq"] in inserted]


def _advance(session: Session, branch: CloudBranch) -> tuple[int, bool]:
    """Move the branch's high water over the events now held without a gap; the new high
    water, and whether events are held past a gap (one query for a push: the seqs after the
    old high water, walked)."""
    mark = branch.high_water
    while True:
        following = session.scalars(
            select(CloudEvent.seq)
            .where(CloudEvent.branch_id == branch.id, CloudEvent.seq > mark)
            .order_by(CloudEvent.seq)
            .limit(MAX_EVENTS)
        ).all()
        moved = 0
        for seq in following:
            if seq != mark + 1:
                break
            mark, moved = seq, moved + 1
        if moved < len(following):  # a seq past a gap
            gap = True
            break
        if len(following) < MAX_EVENTS:  # nothing held past the mark
            gap = False
            break
    branch.high_water = mark
    return mark, gap


def register(api: Api) -> None:
    api.add(
        "/sync/events",
        "POST",
        receive,
        roles=PUBLIC,  # signed with the branch's key instead of a staff member's token
        tag="sync",
        body=SyncBatchSchema,
        response=SyncAnswerSchema,
        keeps_answers=False,
        errors=(401, 404, 409),
        description=(
            "Cloud mode only. Headers: X-Pos-Branch (the branch code), X-Pos-Time (Unix seconds,"
            " within 300 s of the cloud's clock), X-Pos-Signature (hex HMAC-SHA256 of"
            " '<time>.<body>' with the branch's key)."
        ),
    )
