"""The owners' view of the cloud: every branch's sync health and its orders and sales as they
arrived (`GET /api/v1/cloud/branches`, and the page `/cloud` that shows it live).

Cloud mode only (a branch answers 404). Owners and managers of the cloud see the branches
they were given (pos_app/cloud/access.py): an organisation's every branch, or some.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from marshmallow import Schema, fields
from sqlalchemy import case, func, select

from pos_app.api import Api, Call, items
from pos_app.auth.roles import BACK_OFFICE
from pos_app.clock import utcnow
from pos_app.cloud.access import branch_for, visible_branch_ids
from pos_app.cloud.models import CloudBranch, CloudOrder, CloudPayment
from pos_app.db import unit_of_work
from pos_app.error_pages import error_page
from pos_app.errors import NotFound
from pos_app.pages import login_required, page_actor

bp = Blueprint("cloud_pages", __name__)


class CloudPrinterOutSchema(Schema):
    name = fields.String()
    online = fields.Boolean(allow_none=True)
    paper_out = fields.Boolean()
    backup_in_use = fields.Boolean()
    queue_depth = fields.Integer()
    last_error = fields.String()
    last_printed_at = fields.String(allow_none=True)


class CloudBranchOutSchema(Schema):
    """One branch as the cloud holds it."""

    code = fields.String()
    name = fields.String()
    active = fields.Boolean()
    last_contact_at = fields.DateTime(allow_none=True)
    seconds_since_contact = fields.Integer(allow_none=True)
    high_water = fields.Integer(metadata={"description": "every event up to this seq is held"})
    lag = fields.Integer(metadata={"description": "events the branch said it has, not held yet"})
    orders = fields.Integer()
    paid_orders = fields.Integer()
    sales_minor = fields.Integer(metadata={"description": "payments less refunds, tips apart"})
    tips_minor = fields.Integer()
    latest_business_day = fields.String(allow_none=True)
    printers = fields.List(
        fields.Nested(CloudPrinterOutSchema),
        metadata={"description": "the branch's printers as its last report said"},
    )
    printers_down = fields.Integer(
        metadata={"description": "printers offline or out of paper at the last report"}
    )
    printers_at = fields.DateTime(allow_none=True)


class CloudOrderOutSchema(Schema):
    order_id = fields.String()
    number = fields.Integer()
    business_day = fields.String()
    type = fields.String()
    status = fields.String()
    total_minor = fields.Integer()
    waiter_name = fields.String()
    opened_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)


class CloudBranchDetailSchema(CloudBranchOutSchema):
    recent_orders = fields.List(fields.Nested(CloudOrderOutSchema))


class CloudBranchesSchema(Schema):
    items = fields.List(fields.Nested(CloudBranchOutSchema))


def branches_health(session, branch_ids: set[int]) -> list[dict]:
    """These branches with their sync health and their figures as they arrived."""
    if not branch_ids:
        return []
    orders = dict(
        session.execute(
            select(CloudOrder.branch_id, func.count()).group_by(CloudOrder.branch_id)
        ).all()
    )
    paid = dict(
        session.execute(
            select(CloudOrder.branch_id, func.count())
            .where(CloudOrder.paid_at.is_not(None))
            .group_by(CloudOrder.branch_id)
        ).all()
    )
    days = dict(
        session.execute(
            select(CloudOrder.branch_id, func.max(CloudOrder.business_day)).group_by(
                CloudOrder.branch_id
            )
        ).all()
    )
    amount = CloudPayment.amount_minor
    signed = case((CloudPayment.kind == "refund", -amount), else_=amount)
    money = {
        row[0]: (int(row[1] or 0), int(row[2] or 0))
        for row in session.execute(
            select(
                CloudPayment.branch_id, func.sum(signed), func.sum(CloudPayment.tip_minor)
            ).group_by(CloudPayment.branch_id)
        ).all()
    }
    now = utcnow()
    out = []
    for branch in session.scalars(
        select(CloudBranch).where(CloudBranch.id.in_(branch_ids)).order_by(CloudBranch.code)
    ):
        contact = branch.last_contact_at
        out.append(
            {
                "code": branch.code,
                "name": branch.name,
                "active": branch.active,
                "last_contact_at": contact,
                "seconds_since_contact": int((now - contact).total_seconds()) if contact else None,
                "high_water": branch.high_water,
                "lag": max(branch.branch_head - branch.high_water, 0),
                "orders": orders.get(branch.id, 0),
                "paid_orders": paid.get(branch.id, 0),
                "sales_minor": money.get(branch.id, (0, 0))[0],
                "tips_minor": money.get(branch.id, (0, 0))[1],
                "latest_business_day": days.get(branch.id),
                "printers": branch.printers or [],
                "printers_down": sum(
                    1
                    for p in branch.printers or []
                    if p.get("online") is False or p.get("paper_out")
                ),
                "printers_at": branch.printers_at,
            }
        )
    return out


def _cloud_only() -> None:
    if current_app.config["POS_MODE"] != "cloud":
        raise NotFound("this server is a branch; the cloud lists branches")


def list_branches(call: Call):
    """The branches you may see: last contact, lag, orders and sales as they arrived."""
    _cloud_only()
    visible = visible_branch_ids(call.session, call.actor.staff_id)
    return CloudBranchesSchema().dump(items(branches_health(call.session, visible)))


def get_branch(call: Call, code: str):
    """One of your branches with its newest orders (403 for a code not yours, known or not)."""
    _cloud_only()
    branch = branch_for(call.session, call.actor.staff_id, code)
    (health,) = branches_health(call.session, {branch.id})
    orders = call.session.scalars(
        select(CloudOrder)
        .where(CloudOrder.branch_id == branch.id)
        .order_by(CloudOrder.opened_at.desc(), CloudOrder.number.desc())
        .limit(50)
    ).all()
    return CloudBranchDetailSchema().dump({**health, "recent_orders": orders})


@bp.route("/cloud")
@login_required(*BACK_OFFICE)
def cloud_home():
    """The cloud's page for owners: every branch, refreshed by itself."""
    if current_app.config["POS_MODE"] != "cloud":
        return error_page(404)
    with unit_of_work(write=False) as s:
        visible = visible_branch_ids(s, page_actor().staff_id)
        rows = CloudBranchesSchema().dump(items(branches_health(s, visible)))["items"]
    return render_template("cloud/branches.html", branches=rows)


def register(app, api: Api) -> None:
    api.add(
        "/cloud/branches",
        "GET",
        list_branches,
        roles=BACK_OFFICE,
        tag="sync",
        response=CloudBranchesSchema,
        errors=(404,),
    )
    api.add(
        "/cloud/branches/<code>",
        "GET",
        get_branch,
        roles=BACK_OFFICE,
        tag="sync",
        response=CloudBranchDetailSchema,
        errors=(403, 404),
    )
    app.register_blueprint(bp)
    api.document_page("/cloud", "GET", "The cloud: every branch's sync health, orders and sales")
