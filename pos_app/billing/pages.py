"""The cashier's screen (/cashier): open orders, the bill, discounts, splits, payments, refunds
and the cash drawer on one page that never reloads; it talks only to the billing API."""

from __future__ import annotations

from flask import Blueprint, render_template, session

from pos_app.auth.roles import BACK_OFFICE, CASH_HANDLERS, FLOOR_STAFF
from pos_app.offline import register_shell
from pos_app.pages import login_required, page_actor

bp = Blueprint("billing_pages", __name__)


@bp.route("/cashier")
@login_required(*FLOOR_STAFF)  # waiters take payments too; the drawer: CASH_HANDLERS
def cashier():
    """The cashier's screen."""
    actor = page_actor()
    boot = {
        "token": session["token"],
        "staff": {"id": actor.staff_id, "name": actor.name, "role": actor.role.value},
        "handles_cash": actor.role in CASH_HANDLERS,
        "approves": actor.role in BACK_OFFICE,
    }
    return render_template("billing/cashier.html", actor=actor, boot=boot)


def register(app) -> None:
    """Add the cashier's screen and list it in the OpenAPI document."""
    app.register_blueprint(bp)
    register_shell(app, "/cashier")  # loads from the device while the server is down
    app.extensions["pos_api"].document_page(
        "/cashier", "GET", "Cashier: bills, discounts, splits, payments, refunds, cash drawer"
    )
