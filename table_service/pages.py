"""The waiter's handheld page: floor map, order taking, ready notices (one page, no reloads)."""

from __future__ import annotations

from flask import Blueprint, render_template, session

from pos_app.auth.roles import FLOOR_STAFF
from pos_app.offline import register_shell
from pos_app.pages import login_required, page_actor

bp = Blueprint("table_service_pages", __name__)  # pos_app.pages.ROLE_HOME names it


@bp.route("/handheld")
@login_required(*FLOOR_STAFF)
def handheld():
    actor = page_actor()
    boot = {
        "token": session["token"],
        "staff": {"id": actor.staff_id, "name": actor.name, "role": actor.role.value},
    }
    return render_template("table_service/handheld.html", actor=actor, boot=boot)


def register(app) -> None:
    """Add the handheld page and list it in the OpenAPI document."""
    app.register_blueprint(bp)
    register_shell(app, "/handheld")  # loads from the device while the server is down
    app.extensions["pos_api"].document_page(
        "/handheld", "GET", "Waiter handheld: floor, order taking, ready notices"
    )
