"""The cashier's screen (/cashier): open orders, the bill, discounts, splits, payments, refunds
and the cash drawer on one page that never reloads; it talks only to the billing API."""

from __future__ import annotations

from flask import Blueprint, render_template, session

from pos_app.auth.models import Role
from pos_app.billing.bills import CASH_HANDLERS
from pos_app.offline import register_shell
from pos_app.pages import login_required, page_actor

bp = Blueprint("billing_pages", __name__)
# Waiters may take payments at the till too; the drawer and refunds stay with cash handlers.
ROLES = (Role.cashier, Role.manager, Role.owner, Role.waiter)


@bp.route("/cashier")
@login_required(*ROLES)
def cashier():
    """The cashier's screen."""
    actor = page_actor()
    boot = {
        "token": session["token"],
        "staff": {"id": actor.staff_id, "name": actor.name, "role": actor.role.value},
        "handles_cash": actor.role in CASH_HANDLERS,
        "approves": actor.role in (Role.manager, Role.owner),
    }
    return render_template("billing/cashier.html", actor=actor, boot=boot)


def register(app) -> None:
    """Add the cashier's screen and list it in the OpenAPI document."""
    app.register_blueprint(bp)
    register_shell(app, "/cashier")  # loads from the device while the server is down
    app.extensions["pos_api"].document_page(
        "/cashier", "GET", "Cashier: bills, discounts, splits, payments, refunds, cash drawer"
    )
