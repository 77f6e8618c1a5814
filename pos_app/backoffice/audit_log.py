"""GET /api/v1/audit: the append-only audit log, read by owners and managers: who changed
what and when, the row before and after, the reason and the approver; filtered, newest first,
a page at a time (keyset on the entry's id, so new entries never shift a page).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from pos_app.api import Api, Call
from pos_app.audit import AuditEntry
from pos_app.auth.roles import BACK_OFFICE
from pos_app.schemas import QueryInstant, QueryInteger, pattern, query_id

MAX_DAYS = 400  # a range longer than this is a typo, not a question


class AuditQuery(Schema):
    """Filters of the audit log."""

    actor_id = query_id(metadata={"description": "entries of this staff member"})
    action = fields.String(
        validate=[validate.Length(1, 64), pattern(r"^[a-z_]+(\.[a-z_]+)*\.?$")],
        metadata={"description": "an action ('menu_item.updated') or its start ('menu_item.')"},
    )
    target_type = fields.String(validate=[validate.Length(1, 64), pattern(r"^[a-z_]+$")])
    target_id = fields.String(validate=validate.Length(1, 64))
    since = QueryInstant(metadata={"description": "from this instant (ISO 8601 with offset)"})
    until = QueryInstant(metadata={"description": "before this instant"})
    before_id = query_id(metadata={"description": "the page after the entry with this id"})
    limit = QueryInteger(load_default=50, validate=validate.Range(1, 200))

    @validates_schema
    def _range(self, data, **_kw):
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until <= since:
                raise ValidationError("must be after since", "until")
            if (until - since).days > MAX_DAYS:
                raise ValidationError(f"at most {MAX_DAYS} days after since", "until")


class AuditEntrySchema(Schema):
    """One audited action."""

    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    approver_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String()


class AuditPageSchema(Schema):
    """A page of the audit log."""

    items = fields.List(fields.Nested(AuditEntrySchema))
    next_before_id = fields.Integer(
        allow_none=True, metadata={"description": "pass as before_id for the next page"}
    )


def list_audit(call: Call):
    """The audit log, newest first, filtered (owners and managers)."""
    q = call.query
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(q["limit"] + 1)
    if "actor_id" in q:
        stmt = stmt.where(AuditEntry.actor_id == q["actor_id"])
    if "action" in q:
        action = q["action"]
        if action.endswith("."):
            stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
        else:
            stmt = stmt.where(AuditEntry.action == action)
    if "target_type" in q:
        stmt = stmt.where(AuditEntry.target_type == q["target_type"])
    if "target_id" in q:
        stmt = stmt.where(AuditEntry.target_id == q["target_id"])
    if "since" in q:
        stmt = stmt.where(AuditEntry.at >= q["since"])
    if "until" in q:
        stmt = stmt.where(AuditEntry.at < q["until"])
    if "before_id" in q:
        stmt = stmt.where(AuditEntry.id < q["before_id"])
    rows = call.session.scalars(stmt).all()
    more = len(rows) > q["limit"]
    rows = rows[: q["limit"]]
    return AuditPageSchema().dump(
        {"items": rows, "next_before_id": rows[-1].id if more and rows else None}
    )


def register(api: Api) -> None:
    api.add(
        "/audit",
        "GET",
        list_audit,
        roles=BACK_OFFICE,
        tag="backoffice",
        query=AuditQuery,
        response=AuditPageSchema,
    )
