"""A ticket's bytes as its paper shows them, for the back office's view of the virtual printers.

The parts, in print order: text runs; raster images (the Arabic lines, drawn by the printer as
dots) and QR codes as PNG data URLs, so a browser shows them as the paper would; the drawer
kick; the cut. Before, the page showed every Arabic line as "[image 576x41]".

Pure but for PNG encoding, which is CPU work: callers run it through printers.render_pool
(never on the gevent hub). Any bytes are taken (a virtual printer accepts whatever a local
program sends): an image too large to preview becomes a part without a picture, and bytes
the decoder cannot read end in an "unreadable" part (what came before it is kept), never an
exception.
"""

from __future__ import annotations

import base64
import io

from PIL import Image

# The decoder's event stream (text, image, qr, drawer, cut in print order), shared with
# decode_escpos; its own module keeps it private, as nobody else needs the events.
from printers.escpos_text import _events as escpos_events
from printers.escpos_text import decode_escpos

MAX_PIXELS = 1024 * 8192  # wider than any paper (832 dots) and a metre of it
QR_MODULE = 6  # dots per module, as printers.escpos_text.EscPosWriter.qr prints them


def png_data_url(image: Image.Image) -> str:
    """The image as a data: URL of a PNG."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _qr_image(payload: str) -> Image.Image | None:
    import qrcode

    try:
        code = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_MODULE, border=2
        )
        code.add_data(payload.encode("utf-8"))
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError):
        return None
    return code.make_image().get_image()


def _image_part(image: Image.Image | None) -> dict:
    if image is None:  # an old-style (ESC *) bit image: printed, but not decoded
        return {"kind": "image", "width": 0, "height": 0, "png": None}
    part = {"kind": "image", "width": image.width, "height": image.height, "png": None}
    if image.width * image.height <= MAX_PIXELS:
        part["png"] = png_data_url(image)
    return part


def paper_parts(data: bytes) -> list[dict]:
    """The ticket as parts: {"kind": "text", "text"} | {"kind": "image", "width", "height",
    "png"} | {"kind": "qr", "text", "png"} | {"kind": "drawer"} | {"kind": "cut"}."""
    parts: list[dict] = []
    try:
        for kind, value in escpos_events(data):
            if kind == "text":
                if parts and parts[-1]["kind"] == "text":
                    parts[-1]["text"] += value
                else:
                    parts.append({"kind": "text", "text": value})
            elif kind == "image":
                parts.append(_image_part(value))
            elif kind == "qr":
                qr = _qr_image(value)
                parts.append({"kind": "qr", "text": value, "png": qr and png_data_url(qr)})
            else:
                parts.append({"kind": kind})
    except (ValueError, IndexError, OverflowError) as err:  # bytes no printer would print
        parts.append({"kind": "unreadable", "text": f"[cannot decode the rest: {err}]\n"})
    return parts


def preview(data: bytes) -> dict:
    """Readable text (as before, "[image WxH]" markers included) and the paper's parts."""
    parts = paper_parts(data)
    try:
        text = decode_escpos(data)
    except (ValueError, IndexError, OverflowError):
        text = "".join(p.get("text", "") for p in parts)
    return {"text": text, "paper": parts}
