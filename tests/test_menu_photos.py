"""Dish photos: a phone photo uploaded as base64 is stored upright, at most 800 px, as WebP
without its GPS or any EXIF, with a thumbnail; served with long cache headers; shown in the
menus; audited, outboxed and pushed to the handhelds; removed; and every hostile upload or
file name is refused with nothing written."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import select, text

from pos_app.audit import AuditEntry
from pos_app.menu.models import MenuItem
from pos_app.outbox import OutboxEvent

RED, BLUE = (255, 0, 0), (0, 0, 255)
ORIENTATION, GPS_IFD = 0x0112, 0x8825


@pytest.fixture
def photos(app, tmp_path):
    """The photos folder of this test's app (a temporary one)."""
    folder = tmp_path / "photos"
    app.config["POS_PHOTOS_DIR"] = str(folder)
    return folder


@pytest.fixture
def owner(auth):
    return auth("owner")


@pytest.fixture
def hummus(demo, db) -> int:
    with db(write=False) as s:
        return s.scalar(select(MenuItem.id).where(MenuItem.name == "Hummus"))


def phone_png(size=(3000, 1000), orientation=6) -> bytes:
    """A PNG as a phone would send it turned: the left third red, the rest blue, EXIF
    orientation 6 (turn 90° clockwise to show) and where it was taken (GPS)."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 3, size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (24.0, 42.0, 30.0), 3: "E", 4: (46.0, 40.0, 15.0)}
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def put_photo(client, item_id, headers, image):
    return client.put(f"/api/v1/items/{item_id}/photo", json={"image": image}, headers=headers)


def ledger(db, action: str | None = None) -> tuple[list, list]:
    """(audit entries of `action`, or every one; outbox events about menu items)."""
    with db(write=False) as s:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        audits = s.scalars(stmt).all()
        events = s.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.aggregate_type == "menu_item")
            .order_by(OutboxEvent.id)
        ).all()
        return audits, events


def test_a_phone_photo_is_stored_upright_small_and_without_its_gps(
    app, client, db, photos, owner, hummus, auth, floor_handheld
):
    _, phone = floor_handheld(app)
    phone.get_received("/floor")
    response = put_photo(client, hummus, owner, b64(phone_png()))
    assert response.status_code == 200, response.get_json()
    item = response.get_json()
    assert item["photo_url"].startswith("/media/photos/") and item["photo_url"].endswith(".webp")
    assert item["thumb_url"] == item["photo_url"].removesuffix(".webp") + "-thumb.webp"

    # Turned upright (the red third on top), shrunk to fit 800 x 800, no metadata left.
    name = item["photo_url"].rsplit("/", 1)[1]
    stored = Image.open(photos / name)
    assert stored.format == "WEBP"
    assert stored.size == (267, 800)
    assert stored.convert("RGB").getpixel((133, 100))[0] > 200  # red
    assert stored.convert("RGB").getpixel((133, 700))[2] > 200  # blue
    assert len(stored.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile"} & set(stored.info)
    raw = (photos / name).read_bytes()
    assert b"Exif" not in raw and b"EXIF" not in raw and b"XMP " not in raw
    thumb = Image.open(photos / name.replace(".webp", "-thumb.webp"))
    assert thumb.size == (67, 200) and len(thumb.getexif()) == 0

    # Served as it is stored, cacheable for good (the name is its content's hash).
    served = client.get(item["photo_url"])
    assert served.status_code == 200
    assert served.mimetype == "image/webp"
    assert served.data == raw
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(item["thumb_url"]).status_code == 200

    # The back office's item and the handhelds' menu both show it.
    shown = client.get(f"/api/v1/items/{hummus}", headers=owner).get_json()
    assert shown["photo_url"] == item["photo_url"]
    menu = client.get("/api/v1/menu", headers=auth("waiter")).get_json()
    dishes = {i["id"]: i for c in menu["categories"] for i in c["items"]}
    assert dishes[hummus]["photo_url"] == item["photo_url"]
    assert dishes[hummus]["thumb_url"] == item["thumb_url"]
    other = next(i for i in dishes.values() if i["id"] != hummus)
    assert other["photo_url"] is None and other["thumb_url"] is None

    # Audited (file names before and after), outboxed, and every handheld told.
    audits, events = ledger(db, "menu_item.photo_changed")
    assert [(a.target_id, a.before, a.after) for a in audits] == [
        (str(hummus), {"photo": None}, {"photo": name})
    ]
    assert events[-1].type == "menu_item.updated"
    assert events[-1].payload["photo_url"] == item["photo_url"]
    assert "menu_changed" in [p["name"] for p in phone.get_received("/floor")]


def test_removing_a_photo_clears_it_everywhere_and_leaves_the_file(
    client, db, photos, owner, hummus, auth
):
    item = put_photo(client, hummus, owner, b64(phone_png())).get_json()
    name = item["photo_url"].rsplit("/", 1)[1]

    removed = client.delete(f"/api/v1/items/{hummus}/photo", headers=owner)
    assert removed.status_code == 200, removed.get_json()
    assert removed.get_json()["photo_url"] is None and removed.get_json()["thumb_url"] is None
    menu = client.get("/api/v1/menu", headers=auth("waiter")).get_json()
    assert all(i["photo_url"] is None for c in menu["categories"] for i in c["items"])
    audits, events = ledger(db, "menu_item.photo_changed")
    assert [(a.before, a.after) for a in audits] == [
        ({"photo": None}, {"photo": name}),
        ({"photo": name}, {"photo": None}),
    ]
    assert events[-1].type == "menu_item.updated" and events[-1].payload["photo_url"] is None
    assert (photos / name).exists()  # named by its content: harmless, maybe used again

    # Removing it again changes nothing and audits nothing.
    assert client.delete(f"/api/v1/items/{hummus}/photo", headers=owner).status_code == 200
    assert len(ledger(db, "menu_item.photo_changed")[0]) == 2


def test_the_same_photo_twice_is_one_file_and_one_change(client, db, photos, owner, hummus):
    first = put_photo(client, hummus, owner, b64(phone_png())).get_json()
    again = put_photo(client, hummus, owner, b64(phone_png())).get_json()
    assert again["photo_url"] == first["photo_url"]
    assert len(list(photos.iterdir())) == 2  # the photo and its thumbnail, nothing left over
    assert len(ledger(db, "menu_item.photo_changed")[0]) == 1


def test_a_transparent_png_and_a_data_url_are_taken(client, photos, manager_headers, hummus):
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    data_url = "data:image/png;base64," + b64(out.getvalue())
    response = put_photo(client, hummus, manager_headers, data_url)
    assert response.status_code == 200, response.get_json()
    stored = Image.open(photos / response.get_json()["photo_url"].rsplit("/", 1)[1])
    assert stored.convert("RGB").getpixel((10, 10)) == (255, 255, 255)  # on white, not black


@pytest.fixture
def manager_headers(auth):
    return auth("manager")


# -- hostile uploads: 422 naming `image`, nothing written --------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of palette PNG whose header claims width x height pixels."""
    out = io.BytesIO()
    Image.new("P", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), RED).save(out, "GIF")
    return out.getvalue()


HOSTILE = [
    pytest.param("not base64 at all!", id="not base64"),
    pytest.param(b64(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), id="base64 of text"),
    pytest.param(b64(phone_png()[:4000]), id="a truncated PNG"),
    pytest.param(b64(png_claiming(50000, 50000)), id="a bomb: 50000 x 50000 palette PNG"),
    pytest.param(b64(png_claiming(7000, 7000)), id="49 megapixels"),
    pytest.param(b64(png_claiming(0, 10)), id="no pixels"),
    pytest.param(b64(gif()), id="a GIF"),
    pytest.param("", id="empty"),
    pytest.param(5, id="a number"),
    pytest.param([b64(phone_png())], id="a list"),
    pytest.param(None, id="null"),
    pytest.param({"data": "x"}, id="an object"),
    pytest.param("iVBORw0KGgo\u0000AAAA", id="NUL"),
]


@pytest.mark.parametrize("image", HOSTILE)
def test_a_hostile_upload_is_422_naming_image_and_writes_nothing(
    client, owner, hummus, nothing_written, image
):
    response = put_photo(client, hummus, owner, image)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"image"}, error
    nothing_written()


def ledger_counts(db) -> tuple[int, int]:
    with db(write=False) as s:
        return tuple(
            s.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("audit_entry", "outbox_event")
        )


@pytest.fixture
def nothing_written(db, photos, hummus):
    """Call after a refused request: no photo set, no audit entry or event, no file."""
    before = ledger_counts(db)

    def check():
        with db(write=False) as s:
            assert s.get(MenuItem, hummus).photo is None
        assert ledger_counts(db) == before
        assert not photos.exists() or list(photos.iterdir()) == []

    return check


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no image"),
        pytest.param({"image": b64(phone_png()), "name": "x"}, id="an unknown field"),
    ],
)
def test_a_body_without_just_an_image_is_422(client, owner, hummus, nothing_written, body):
    response = client.put(f"/api/v1/items/{hummus}/photo", json=body, headers=owner)
    assert response.status_code == 422, response.get_json()
    nothing_written()


def test_a_body_past_the_limit_is_413_in_the_envelope(app, client, owner, hummus, nothing_written):
    limit = app.config["MAX_CONTENT_LENGTH"]
    image = b64(b"\xff" * limit)  # more than the limit once encoded
    response = put_photo(client, hummus, owner, image)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_entity_too_large" and str(limit) in error["message"]
    nothing_written()


def test_an_unknown_dish_is_404_and_no_file_is_made(client, photos, owner, demo):
    response = put_photo(client, 999999, owner, b64(phone_png()))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.delete("/api/v1/items/999999/photo", headers=owner).status_code == 404
    assert not photos.exists() or list(photos.iterdir()) == []


@pytest.mark.parametrize(
    "role, method, code",
    [
        ("waiter", "pin", "forbidden_role"),
        ("cashier", "pin", "forbidden_role"),
        ("kitchen", "pin", "forbidden_role"),
        ("manager", "pin", "strong_auth_required"),
        ("owner", "pin", "strong_auth_required"),
    ],
)
def test_only_the_back_office_signed_in_with_a_password_changes_a_photo(
    client, auth, hummus, nothing_written, role, method, code
):
    headers = auth(role, method=method)
    for response in (
        put_photo(client, hummus, headers, b64(phone_png())),
        client.delete(f"/api/v1/items/{hummus}/photo", headers=headers),
    ):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == code
    nothing_written()


# -- serving: only stored photo names, from the photos folder ----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/media/photos/..%2f..%2fsecret_key",
        "/media/photos/../../secret_key",
        "/media/photos/%2e%2e%2fsecret_key",
        "/media/photos/secret.txt",
        "/media/photos/0123456789abcdef.webp",  # the right shape, no such file
        "/media/photos/0123456789ABCDEF.webp",
        "/media/photos/0123456789abcdef.webp.partial",
        "/media/photos/0123456789abcdef-thumb.webp%00.txt",
        "/media/photos/",
        "/media/photos",
    ],
)
def test_only_stored_photo_names_are_served(client, app, photos, path):
    photos.mkdir()
    (photos / "secret.txt").write_text("not a photo")
    (photos / "0123456789ABCDEF.webp").write_text("wrong case")
    (photos / "0123456789abcdef.webp.partial").write_text("half a file")
    (photos.parent / "secret_key").write_text("the key")
    response = client.get(path)
    assert response.status_code == 404
    assert b"the key" not in response.data and b"not a photo" not in response.data
