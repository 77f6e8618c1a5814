"""Back-office page of the printers: health, test print, and what virtual printers printed."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from pos_app.auth.roles import BACK_OFFICE
from pos_app.branch.services import current_branch
from pos_app.db import unit_of_work
from pos_app.menu.models import Station
from pos_app.pages import login_required, page_actor
from printers.models import Printer

bp = Blueprint("printers_pages", __name__)


@bp.route("/admin/printers")
@login_required(*BACK_OFFICE)
def admin_printers():
    virtual = current_app.extensions.get("virtual_printers", {})
    with unit_of_work(write=False) as s:
        stations = {st.id: st for st in s.scalars(select(Station))}
        names = {p.id: p.name for p in s.scalars(select(Printer))}
        printers = [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role.value,
                "where": f"{p.host}:{p.port}" if p.host else (p.device_path or p.connection.value),
                "station": stations[p.station_id].name if p.station_id in stations else "",
                "station_ar": (
                    stations[p.station_id].name_ar or stations[p.station_id].name
                    if p.station_id in stations
                    else ""
                ),
                "backup": names.get(p.backup_printer_id, ""),
                "virtual": p.id in virtual,
                "chars_per_line": p.chars_per_line or (48 if p.paper_width_mm >= 80 else 32),
                "dots": 576 if p.paper_width_mm >= 80 else 384,
                "settings": {name: _plain(getattr(p, name)) for name in SETTINGS},
            }
            for p in s.scalars(select(Printer).where(Printer.active).order_by(Printer.id))
        ]
        branch = current_branch(s)
        time_zone = branch.time_zone if branch else "UTC"
        station_choices = [
            {"id": st.id, "name": st.name, "name_ar": st.name_ar or st.name}
            for st in sorted(stations.values(), key=lambda st: (st.sort, st.id))
            if st.active
        ]
    return render_template(
        "admin/printers.html",
        actor=page_actor(),
        printers=printers,
        time_zone=time_zone,
        stations=station_choices,
    )


# What the page's settings form edits (PATCH /api/v1/printers/{id}).
SETTINGS = (
    "name",
    "connection",
    "host",
    "port",
    "device_path",
    "role",
    "station_id",
    "backup_printer_id",
    "paper_width_mm",
    "language",
)


def _plain(value):
    return value.value if hasattr(value, "value") else value


def register(app) -> None:
    """Add the printers page and list it in the OpenAPI document."""
    app.register_blueprint(bp)
    app.extensions["pos_api"].document_page(
        "/admin/printers",
        "GET",
        "Back office: printers' health, test prints, and what virtual printers printed",
    )
