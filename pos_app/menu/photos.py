"""Dish photos over HTTP: PUT and DELETE /api/v1/items/<id>/photo, and GET /media/photos/<name>.

The upload is JSON like every other write (`{"image": "<base64>"}`), so it keeps the API's
body limit (POS_MAX_BODY_BYTES, 1 MB: the back-office page shrinks a photo to 1600 px before
sending) and its checks. The image is made safe and small (photo_files.py) in the command's
`prepare` step, off the gevent hub and before the writer's transaction, so SQLite's write lock
is not held while Pillow works; the files are written before the commit that names them, so a
handheld never asks for a photo that is not there yet. Setting `menu_item.photo` bumps the menu
version like any menu edit, and every handheld hears `menu_changed`.

The photos are served to anyone who can reach the branch server: a dish's photo is on the
menu for every guest to see, and names are 64 bits of a hash (docs/security.md).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_file
from marshmallow import Schema, validate

from pos_app import offhub
from pos_app.api import Api, Call
from pos_app.audit import record_audit
from pos_app.auth.roles import BACK_OFFICE
from pos_app.commands import Loaded
from pos_app.crud import get_or_404
from pos_app.errors import ValidationFailed
from pos_app.menu import photo_files
from pos_app.menu.models import MenuItem
from pos_app.menu.schemas import MenuItemSchema
from pos_app.outbox import record_event
from pos_app.schemas import Base64Bytes

MAX_IMAGE_BYTES = 4 * 1024 * 1024  # decoded; the body limit (1 MB by default) comes first
YEAR = 365 * 24 * 3600

bp = Blueprint("photos", __name__)


class PhotoUploadSchema(Schema):
    """A dish's new photo."""

    image = Base64Bytes(
        data_types="image",
        required=True,
        validate=validate.Length(
            max=MAX_IMAGE_BYTES, error=f"at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB"
        ),
        metadata={
            "description": "base64 of a JPEG, PNG or WebP file (at most 4 MB once decoded, "
            "and the request within POS_MAX_BODY_BYTES); stored upright, at most 800 px, "
            "as WebP without its metadata, with a 200 px thumbnail"
        },
    )


def photos_folder() -> Path:
    """The folder of the stored photos (POS_PHOTOS_DIR)."""
    return Path(current_app.config["POS_PHOTOS_DIR"])


def make_and_store(session, _actor, loaded: Loaded) -> str:
    """prepare of the upload: the photo made (off the hub) and written; its file name."""
    get_or_404(session, MenuItem, loaded.address["obj_id"], "menu_item")  # before the work
    try:
        photo = offhub.run("photos", photo_files.make_photo, loaded.body["image"])
    except photo_files.NotAnImage as err:
        raise ValidationFailed(
            f"image: {err}", {"image": [f"not a usable photo: {err}"]}, "not_an_image"
        ) from err
    return photo_files.store(photos_folder(), photo)


def set_photo(call: Call, obj_id: int):
    """Set a dish's photo (JPEG, PNG or WebP, base64): stored upright, small, without metadata."""
    return _change_photo(call, obj_id, call.prepared)


def remove_photo(call: Call, obj_id: int):
    """Take a dish's photo off (the file stays: it is named by its content)."""
    return _change_photo(call, obj_id, None)


def _change_photo(call: Call, obj_id: int, name: str | None) -> dict:
    session = call.session
    item = get_or_404(session, MenuItem, obj_id, "menu_item")
    before = item.photo
    if before == name:  # the same photo again (its name is its content), or none to remove
        return MenuItemSchema().dump(item)
    item.photo = name
    session.flush()  # the menu version's flush phase: handhelds hear menu_changed
    record_audit(
        session,
        call.actor,
        "menu_item.photo_changed",
        "menu_item",
        item.id,
        {"photo": before},
        {"photo": name},
    )
    after = MenuItemSchema().dump(item)
    record_event(session, "menu_item.updated", "menu_item", item.id, after)
    return after


@bp.route("/media/photos/<name>")
def photo_file(name: str):
    """A stored photo or thumbnail; any other name is 404 (no paths, no other files)."""
    path = photo_files.stored_file(photos_folder(), name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", conditional=True, etag=True, max_age=YEAR)
    # Named by their content: a name never shows another picture, so it may be kept forever.
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(api: Api) -> None:
    """Add the photo endpoints and the route serving the files."""
    writes = {
        "roles": BACK_OFFICE,
        "tag": "menu",
        "response": MenuItemSchema,
        "strong_auth": True,  # like every other menu edit
    }
    api.add(
        "/items/<int:obj_id>/photo",
        "PUT",
        set_photo,
        body=PhotoUploadSchema,
        prepare=make_and_store,
        **writes,
    )
    api.add("/items/<int:obj_id>/photo", "DELETE", remove_photo, **writes)
    api.app.register_blueprint(bp)
    api.document_page(
        "/media/photos/<name>",
        "GET",
        "A dish's photo or thumbnail (WebP, named by its content, cached for a year)",
        media_type="image/webp",
    )
