"""What a virtual printer printed, as paper: the Arabic lines and QR codes as images.

`GET /api/v1/printers/{id}/virtual-output` used to give text alone, every Arabic line a
"[image 576x41]" marker. Now each ticket also comes as `paper`: its parts in print order, the
raster images as PNGs with exactly the dots the printer got. `after` sends only newer tickets.
"""

from __future__ import annotations

import base64
import io
import socket
from concurrent.futures import ThreadPoolExecutor

from live import eventually
from PIL import Image
from test_printing import shop  # noqa: F401 - the fixture: demo printers on virtual printers

from printers.render import raster_images


def virtual_output(shop, code: str, query: str = "", status: int = 200) -> dict:  # noqa: F811
    printer_id = shop.printers[code]
    shop.app.extensions["virtual_printers"] = {printer_id: shop.vps[code]}
    return shop.call(
        "get",
        f"/api/v1/printers/{printer_id}/virtual-output{query}",
        headers=shop.manager,
        status=status,
    )


def png_pixels(data_url: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert data_url.startswith(prefix)
    image = Image.open(io.BytesIO(base64.b64decode(data_url[len(prefix) :])))
    assert image.format == "PNG"
    return image.convert("1")


def test_arabic_lines_come_as_the_very_dots_the_printer_got(shop):  # noqa: F811
    shop.order(shop.line("Hummus", note="بدون ثوم"), table="1")
    shop.print_all()
    [ticket] = virtual_output(shop, "cold")["items"]
    printed = shop.vps["cold"].jobs[-1].data
    images = [p for p in ticket["paper"] if p["kind"] == "image"]
    expected = raster_images(printed)
    assert len(images) == len(expected) > 2
    for part, dots in zip(images, expected, strict=True):
        assert (part["width"], part["height"]) == dots.size
        assert png_pixels(part["png"]).tobytes() == dots.convert("1").tobytes()
    text = "".join(p["text"] for p in ticket["paper"] if p["kind"] == "text")
    assert "1 x Hummus" in text and "[image" not in text  # the markers stay in `text` only
    assert "[image 576x" in ticket["text"]
    assert ticket["paper"][-1] == {"kind": "cut"}
    assert ticket["number"] == 1 and ticket["complete"] is True


def test_a_receipt_shows_its_qr_code_and_drawer_kick(shop):  # noqa: F811
    from printers.escpos_text import EscPosWriter

    out = EscPosWriter()
    out.line("Simplified tax invoice")
    out.qr("AQVCaXN0cm8CDzMwMDAwMDAwMDAwMDAwMw==")
    out._buf += b"\x1bp\x00\x19\xfa"  # ESC p: the cash drawer kick
    out.cut()
    with socket.create_connection(("127.0.0.1", shop.vps["receipt"].port)) as conn:
        conn.sendall(out.getvalue())
    eventually(lambda: shop.vps["receipt"].jobs)
    [ticket] = virtual_output(shop, "receipt")["items"]
    kinds = [p["kind"] for p in ticket["paper"]]
    assert kinds == ["text", "qr", "drawer", "text", "cut"] or kinds == [
        "text",
        "qr",
        "drawer",
        "cut",
    ]
    qr = ticket["paper"][1]
    assert qr["text"] == "AQVCaXN0cm8CDzMwMDAwMDAwMDAwMDAwMw=="
    code = png_pixels(qr["png"])
    assert code.width == code.height > 100


def test_after_sends_only_the_tickets_a_page_does_not_have(shop):  # noqa: F811
    for table in ("1", "2", "3"):
        shop.order(shop.line("Hummus"), table=table)
        shop.print_all()
    every = virtual_output(shop, "cold")["items"]
    assert [t["number"] for t in every] == [3, 2, 1]  # newest first
    assert [t["number"] for t in virtual_output(shop, "cold", "?after=1")["items"]] == [3, 2]
    assert virtual_output(shop, "cold", "?after=3")["items"] == []
    # A page that counted more than this printer ever got (the server restarted): all again.
    assert [t["number"] for t in virtual_output(shop, "cold", "?after=40")["items"]] == [3, 2, 1]


def test_hostile_after_values_are_422_with_the_field_named(shop):  # noqa: F811
    for bad in ("-1", "abc", "1.5", "99999999999999", "2147483648", "%00", "1%000", "٣", " 7"):
        answer = virtual_output(shop, "cold", f"?after={bad}", status=422)
        assert "after" in answer["error"]["fields"], (bad, answer)
    assert virtual_output(shop, "cold", "?after=" + "9" * 5000, status=422)["error"]["fields"]


def test_a_ticket_cut_off_mid_image_still_shows_and_never_breaks_the_list(shop):  # noqa: F811
    # A raster image announced 576 x 500 dots, the connection closed after 100 bytes of it.
    header = b"\x1b@Grill\n\x1dv0\x00" + (72).to_bytes(2, "little") + (500).to_bytes(2, "little")
    with socket.create_connection(("127.0.0.1", shop.vps["cold"].port)) as conn:
        conn.sendall(header + b"\x00" * 100)
    eventually(lambda: shop.vps["cold"].jobs)
    shop.order(shop.line("Hummus"), table="1")
    shop.print_all()
    newest, broken = virtual_output(shop, "cold")["items"]
    assert any(p["kind"] == "image" for p in newest["paper"])
    assert [p["kind"] for p in broken["paper"]] == ["text", "unreadable"]
    assert "Grill" in broken["text"] and "cannot decode" in broken["text"]


def test_two_pages_asking_at_once_get_the_same_paper(shop):  # noqa: F811
    shop.order(shop.line("Hummus"), table="1")
    shop.print_all()
    virtual_output(shop, "cold", "?after=0")  # the printer is the page's virtual printer
    url = f"/api/v1/printers/{shop.printers['cold']}/virtual-output"

    def ask(_):
        client = shop.app.test_client()
        return client.get(url, headers=shop.manager).get_json()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(ask, range(2))
    assert first == second and len(first["items"]) == 1
