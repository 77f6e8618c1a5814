"""Today at a glance, for the back office's home: sales so far, open orders, late tickets,
printers and the cloud outbox, for the branch's current business day.

Sales are the day's tax invoices less its credit notes (what the till's X report counts), in
minor units, VAT included. Feature packages add their own figures through the
`today_figures` signal (kds: late tickets; printers: health), so the kernel reads no feature
table.
"""

from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.api import Api, Call
from pos_app.auth.roles import BACK_OFFICE
from pos_app.billing.models import Invoice
from pos_app.branch.services import business_day, current_branch
from pos_app.clock import utcnow
from pos_app.orders.models import OPEN_STATUSES, Order
from pos_app.outbox import OutboxEvent
from pos_app.signals import today_figures


class TodaySchema(Schema):
    """Today's figures (money in minor units of `currency`)."""

    business_day = fields.Date()
    currency = fields.String()
    currency_exponent = fields.Integer()
    sales_minor = fields.Integer(metadata={"description": "invoices less credit notes, VAT in"})
    invoices = fields.Integer(metadata={"description": "tax invoices issued today"})
    refunds_minor = fields.Integer(metadata={"description": "credit notes issued today"})
    average_ticket_minor = fields.Integer()
    orders_today = fields.Integer(metadata={"description": "orders opened this business day"})
    open_orders = fields.Integer(metadata={"description": "orders not paid, closed or cancelled"})
    late_tickets = fields.Integer(allow_none=True, metadata={"description": "kitchen (kds)"})
    printers = fields.Dict(allow_none=True, metadata={"description": "total, online, down"})
    sync = fields.Dict(metadata={"description": "events waiting for the cloud, the oldest"})


def figures(session: Session) -> dict:
    """Today's figures of this branch."""
    branch = current_branch(session)
    now = utcnow()
    day = business_day(branch, now) if branch else now.date()
    sums = dict(
        session.execute(
            select(Invoice.kind, func.coalesce(func.sum(Invoice.total_minor), 0))
            .where(Invoice.business_day == day)
            .group_by(Invoice.kind)
        ).all()
    )
    invoices = session.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(Invoice.business_day == day, Invoice.kind == "invoice")
    )
    sold, refunded = int(sums.get("invoice", 0)), int(sums.get("credit_note", 0))
    waiting, oldest = session.execute(
        select(func.count(), func.min(OutboxEvent.created_at)).where(OutboxEvent.sent_at.is_(None))
    ).one()
    out = {
        "business_day": day,
        "currency": branch.currency if branch else "SAR",
        "currency_exponent": branch.currency_exponent if branch else 2,
        "sales_minor": sold - refunded,
        "invoices": invoices,
        "refunds_minor": refunded,
        "average_ticket_minor": round(sold / invoices) if invoices else 0,
        "orders_today": session.scalar(
            select(func.count()).select_from(Order).where(Order.business_day == day)
        ),
        "open_orders": session.scalar(
            select(func.count()).select_from(Order).where(Order.status.in_(OPEN_STATUSES))
        ),
        "late_tickets": None,
        "printers": None,
        "sync": {
            "waiting": waiting,
            "oldest_waiting_at": oldest.isoformat() if oldest else None,
            **sync_health(session),
        },
    }
    for _receiver, extra in today_figures.send(session, day=day, now=now):
        out.update(extra or {})
    return out


def sync_health(session: Session) -> dict:
    """The push to the cloud as the branch last saw it: whether one is set up, the last good
    push, the last error (empty once a push works again)."""
    from flask import current_app

    from pos_app.cloud.models import SyncState

    state = session.get(SyncState, 1)
    return {
        "cloud": bool(current_app.config.get("POS_CLOUD_URL")),
        "last_push_at": state.last_push_at.isoformat() if state and state.last_push_at else None,
        "last_error": state.last_error if state else "",
        "menu_version": state.catalogue_version if state else 0,
        "menu_error": state.catalogue_error if state else "",
    }


def get_today(call: Call):
    """Today's figures for the back office's home (sales, orders, kitchen, printers, sync)."""
    return TodaySchema().dump(figures(call.session))


def register(api: Api) -> None:
    api.add(
        "/backoffice/today",
        "GET",
        get_today,
        roles=BACK_OFFICE,
        tag="backoffice",
        response=TodaySchema,
    )
