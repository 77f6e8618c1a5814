"""Kitchen display pages: the station screen (and expo) for a signed-in kitchen login."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from pos_app.auth.roles import KITCHEN_STAFF
from pos_app.clock import utcnow
from pos_app.db import unit_of_work
from pos_app.menu.models import Station
from pos_app.offline import register_shell
from pos_app.pages import login_required, page_actor

bp = Blueprint("kds", __name__)


@bp.route("/kds")
@login_required(*KITCHEN_STAFF)
def screen():
    with unit_of_work(write=False) as s:
        stations = [
            {
                "id": st.id,
                "code": st.code,
                "name": st.name,
                "name_ar": st.name_ar or st.name,
                "is_expo": st.is_expo,
            }
            for st in s.scalars(select(Station).where(Station.active).order_by(Station.sort))
        ]
    # The server's time lets the screen correct its own clock's drift for the ticket timers.
    return render_template(
        "kds/screen.html",
        actor=page_actor(),
        stations=stations,
        server_now=utcnow().isoformat(),
    )


def register(app) -> None:
    """Add the KDS page and list it in the OpenAPI document."""
    app.register_blueprint(bp)
    register_shell(app, "/kds")  # loads from the device while the server is down
    app.extensions["pos_api"].document_page("/kds", "GET", "Kitchen display (station or expo)")
