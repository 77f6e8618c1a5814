"""The stock-count page (/stock/count): a cook or a manager counts ingredients on a phone.

The page only hands its script the session's bearer token and its words; the script talks to
the stock API (GET /stock/levels, POST /stock/counts) and keeps the list and the count typed
so far on the device, so a Wi-Fi drop or a reload loses nothing (static/js/stock/count.js)."""

from __future__ import annotations

from flask import Blueprint, render_template, session

from pos_app.auth.roles import KITCHEN_STAFF
from pos_app.offline import register_shell
from pos_app.pages import login_required, page_actor

bp = Blueprint("stock_pages", __name__)  # pos_app.pages.HOME_TILES names it


@bp.route("/stock/count")
@login_required(*KITCHEN_STAFF)  # who may read levels and submit counts (stock.views)
def stock_count():
    """The stock-count screen."""
    actor = page_actor()
    boot = {
        "token": session["token"],
        "staff": {"id": actor.staff_id, "name": actor.name, "role": actor.role.value},
    }
    return render_template("stock/count.html", actor=actor, boot=boot)


def register(app) -> None:
    """Add the stock-count page, keep it for offline use, and list it in the OpenAPI document."""
    app.register_blueprint(bp)
    register_shell(app, "/stock/count")  # loads from the device while the server is down
    app.extensions["pos_api"].document_page(
        "/stock/count", "GET", "Stock count on a phone: search, scan, count offline, submit once"
    )
