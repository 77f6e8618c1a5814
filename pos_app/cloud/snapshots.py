"""Copies of a branch's database kept by the cloud, and what a branch being rebuilt reads.

- `POST /api/v1/sync/snapshots`: the branch uploads a compressed copy of its database in parts
  (a few MB each, so a cut connection costs a part), each signed like a push. The copy is
  complete when every part has arrived and the whole matches its SHA-256; the cloud keeps the
  two newest complete copies of each branch.
- `POST /api/v1/sync/snapshots/fetch`: one part of the newest complete copy (or of a given one).
- `POST /api/v1/sync/events/fetch`: the branch's events after a seq, in order, with the high
  water: what happened after the copy was taken.

All three are signed with the branch's key (pos_app/cloud/signing.py) and answer in cloud mode
only; a branch reads its own copies and events only (the body names the signer or 422).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from marshmallow import Schema, fields, validate
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pos_app.api import PUBLIC, Api, Call
from pos_app.clock import utcnow
from pos_app.cloud.ingest import CODE, MAX_EVENTS, signed_by
from pos_app.cloud.models import CloudBranch, CloudEvent, CloudSnapshot, CloudSnapshotPart
from pos_app.errors import Conflict, NotFound, ValidationFailed
from pos_app.schemas import MAX_ID, UUID_PATTERN, Base64Bytes, FullMatch, QueryInstant, pattern

PART_BYTES = 4 * 1024 * 1024  # decoded; base64 makes it 5.4 MB, under the cloud's 8 MB limit
MAX_PARTS = 511  # just under 2 GB: sizes stay 32-bit
KEEP = 2  # complete copies kept per branch
SIGNED = (
    "Cloud mode only. Signed with the branch's key like a push: headers X-Pos-Branch,"
    " X-Pos-Time, X-Pos-Signature (hex HMAC-SHA256 of '<time>.<body>')."
)


class SnapshotPartSchema(Schema):
    """One part of a compressed copy of the branch's database."""

    branch = fields.String(required=True, validate=CODE)
    snapshot = fields.String(required=True, validate=FullMatch(UUID_PATTERN))
    seq = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(0, MAX_ID),
        metadata={"description": "the branch's outbox sequence the copy holds"},
    )
    parts = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_PARTS))
    part = fields.Integer(strict=True, required=True, validate=validate.Range(0, MAX_PARTS - 1))
    size = fields.Integer(strict=True, required=True, validate=validate.Range(1, MAX_ID))
    sha256 = fields.String(required=True, validate=pattern(r"^[0-9a-f]{64}$"))
    taken_at = QueryInstant(required=True)
    data = Base64Bytes(
        required=True,
        validate=validate.Length(max=PART_BYTES, error=f"at most {PART_BYTES} bytes a part"),
        metadata={"description": "base64 of this part's bytes"},
    )


class SnapshotReceiptSchema(Schema):
    received = fields.Integer(metadata={"description": "parts of this copy the cloud holds"})
    complete = fields.Boolean(metadata={"description": "every part held and the whole checked"})


class FetchSnapshotSchema(Schema):
    """Which part of which copy (the newest complete one when `snapshot` is not given)."""

    branch = fields.String(required=True, validate=CODE)
    nonce = fields.String(
        required=True,
        validate=FullMatch(UUID_PATTERN),
        metadata={"description": "a new UUID each request (two equal requests are a replay)"},
    )
    snapshot = fields.String(load_default=None, validate=FullMatch(UUID_PATTERN))
    part = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, MAX_PARTS - 1))


class SnapshotPartOutSchema(Schema):
    snapshot = fields.String()
    seq = fields.Integer()
    parts = fields.Integer()
    size = fields.Integer()
    sha256 = fields.String()
    taken_at = fields.DateTime()
    part = fields.Integer()
    data = fields.String(metadata={"description": "base64 of the part's bytes"})


class FetchEventsSchema(Schema):
    branch = fields.String(required=True, validate=CODE)
    nonce = fields.String(required=True, validate=FullMatch(UUID_PATTERN))
    after = fields.Integer(strict=True, required=True, validate=validate.Range(0, MAX_ID))
    limit = fields.Integer(
        strict=True, load_default=MAX_EVENTS, validate=validate.Range(1, MAX_EVENTS)
    )


class HeldEventSchema(Schema):
    seq = fields.Integer()
    event_id = fields.String()
    type = fields.String()
    aggregate_type = fields.String()
    aggregate_id = fields.String()
    payload = fields.Dict()
    created_at = fields.DateTime()


class HeldEventsSchema(Schema):
    events = fields.List(fields.Nested(HeldEventSchema))
    high_water = fields.Integer(metadata={"description": "every seq up to this one is held"})


def upload_part(call: Call):
    """Keep one part of a branch's database copy; check the whole once every part is here."""
    session = call.session
    branch = signed_by(call)
    body = call.body
    if body["part"] >= body["parts"]:
        raise ValidationFailed(
            "part past the copy's parts", {"part": [f"0 to {body['parts'] - 1}"]}
        )
    snapshot = session.get(CloudSnapshot, (branch.id, body["snapshot"]))
    header = (body["seq"], body["parts"], body["size"], body["sha256"])
    if snapshot is None:
        snapshot = CloudSnapshot(
            branch_id=branch.id,
            snapshot_id=body["snapshot"],
            seq=body["seq"],
            parts=body["parts"],
            size=body["size"],
            sha256=body["sha256"],
            taken_at=body["taken_at"],
        )
        session.add(snapshot)
    elif (snapshot.seq, snapshot.parts, snapshot.size, snapshot.sha256) != header:
        raise Conflict(
            "this copy was announced with another size or digest", code="snapshot_changed"
        )
    held = session.get(CloudSnapshotPart, (branch.id, body["snapshot"], body["part"]))
    if held is None:
        session.add(
            CloudSnapshotPart(
                branch_id=branch.id,
                snapshot_id=body["snapshot"],
                part=body["part"],
                data=body["data"],
            )
        )
    elif held.data != body["data"]:
        raise Conflict("this part was sent before with other bytes", code="snapshot_changed")
    session.flush()
    received = session.scalar(
        select(func.count()).where(
            CloudSnapshotPart.branch_id == branch.id,
            CloudSnapshotPart.snapshot_id == snapshot.snapshot_id,
        )
    )
    if received == snapshot.parts and not snapshot.complete:
        _check_whole(session, snapshot)
        snapshot.complete = True
        _prune(session, branch)
    return {"received": received, "complete": snapshot.complete}


def _check_whole(session: Session, snapshot: CloudSnapshot) -> None:
    """The parts, in order, make the announced bytes (read one part at a time)."""
    digest, size = hashlib.sha256(), 0
    for part in range(snapshot.parts):
        data = session.scalar(
            select(CloudSnapshotPart.data).where(
                CloudSnapshotPart.branch_id == snapshot.branch_id,
                CloudSnapshotPart.snapshot_id == snapshot.snapshot_id,
                CloudSnapshotPart.part == part,
            )
        )
        digest.update(data)
        size += len(data)
    if size != snapshot.size or digest.hexdigest() != snapshot.sha256:
        raise ValidationFailed(
            "the parts do not make the announced copy (size or SHA-256 differ)",
            {"sha256": ["the parts' digest differs"]},
        )


def _prune(session: Session, branch: CloudBranch) -> None:
    """Keep the `KEEP` newest complete copies, and unfinished ones for a day."""
    rows = session.execute(
        select(CloudSnapshot.snapshot_id, CloudSnapshot.complete, CloudSnapshot.received_at)
        .where(CloudSnapshot.branch_id == branch.id)
        .order_by(CloudSnapshot.seq.desc(), CloudSnapshot.received_at.desc())
    ).all()
    day_ago = utcnow() - timedelta(days=1)
    complete = [r.snapshot_id for r in rows if r.complete]
    gone = complete[KEEP:] + [
        r.snapshot_id for r in rows if not r.complete and r.received_at < day_ago
    ]
    if gone:
        for model in (CloudSnapshotPart, CloudSnapshot):
            session.execute(
                delete(model).where(model.branch_id == branch.id, model.snapshot_id.in_(gone))
            )


def fetch_part(call: Call):
    """One part of the branch's newest complete copy (or of the copy named)."""
    session = call.session
    branch = signed_by(call)
    wanted = call.body["snapshot"]
    query = select(CloudSnapshot).where(
        CloudSnapshot.branch_id == branch.id, CloudSnapshot.complete.is_(True)
    )
    if wanted:
        query = query.where(CloudSnapshot.snapshot_id == wanted)
    snapshot = session.scalar(query.order_by(CloudSnapshot.seq.desc()).limit(1))
    if snapshot is None:
        raise NotFound(
            "the cloud holds no complete copy of this branch's database"
            + (" by that id" if wanted else " yet"),
            code="no_snapshot",
        )
    part = call.body["part"]
    data = session.scalar(
        select(CloudSnapshotPart.data).where(
            CloudSnapshotPart.branch_id == branch.id,
            CloudSnapshotPart.snapshot_id == snapshot.snapshot_id,
            CloudSnapshotPart.part == part,
        )
    )
    if data is None:
        raise NotFound(f"the copy has {snapshot.parts} parts", code="no_such_part")
    return SnapshotPartOutSchema().dump(
        {
            "snapshot": snapshot.snapshot_id,
            "seq": snapshot.seq,
            "parts": snapshot.parts,
            "size": snapshot.size,
            "sha256": snapshot.sha256,
            "taken_at": snapshot.taken_at,
            "part": part,
            "data": base64.b64encode(data).decode(),
        }
    )


def fetch_events(call: Call):
    """The branch's events after `after`, in sequence order, and its high water."""
    session = call.session
    branch = signed_by(call)
    rows = session.scalars(
        select(CloudEvent)
        .where(CloudEvent.branch_id == branch.id, CloudEvent.seq > call.body["after"])
        .order_by(CloudEvent.seq)
        .limit(call.body["limit"])
    ).all()
    return HeldEventsSchema().dump({"events": rows, "high_water": branch.high_water})


def register(api: Api) -> None:
    for rule, handler, body, response in (
        ("/sync/snapshots", upload_part, SnapshotPartSchema, SnapshotReceiptSchema),
        ("/sync/snapshots/fetch", fetch_part, FetchSnapshotSchema, SnapshotPartOutSchema),
        ("/sync/events/fetch", fetch_events, FetchEventsSchema, HeldEventsSchema),
    ):
        api.add(
            rule,
            "POST",
            handler,
            body=body,
            response=response,
            roles=PUBLIC,  # signed with the branch's key instead of a staff member's token
            tag="sync",
            keeps_answers=False,
            errors=(401, 404, 409),
            description=SIGNED,
        )
