"""ESC/POS bytes, both ways: a small writer for our tickets and a decoder for any ticket.

The writer emits a fixed, small command set (pure: data in, bytes out):

    ESC @            initialise             ESC t n      code page (Epson numbering)
    ESC E n          bold                   GS ! n       character size
    GS B n           white on black         ESC a n      alignment
    GS v 0 ...       raster bit image       ESC d n      print and feed n lines
    GS V 0 / GS V 1  full / partial cut     GS ( k ...   QR code (model 2: store, print)

The decoder understands those and the other common ESC, GS, FS and DLE commands (python-escpos's
output too), so the admin page's virtual printer can show what any ticket says, a printed QR
code as "[QR <payload>]" and a cash drawer kick (ESC p) as "[DRAWER]".
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from functools import lru_cache

from escpos.capabilities import CAPABILITIES, get_profile
from PIL import Image

_INVERT = bytes(255 - i for i in range(256))  # flips every bit of a byte

ESC, GS, FS, DLE = b"\x1b", b"\x1d", b"\x1c", b"\x10"
CUT_MARK = "--- cut ---"


@lru_cache(maxsize=1)
def _code_page_table() -> dict[str, int]:
    """Python codec name -> ESC t number, from python-escpos's default (Epson) profile."""
    table: dict[str, int] = {}
    for number, name in sorted(get_profile("default").codePages.items(), key=lambda x: int(x[0])):
        python_name = CAPABILITIES["encodings"].get(name, {}).get("python_encode")
        if python_name:
            table.setdefault(codecs.lookup(python_name).name, int(number))
    return table


def codec_name(codepage: str | None) -> str:
    """Python's canonical name for a code page ("CP437", "cp437", "437" -> "cp437")."""
    name = (codepage or "cp437").strip().lower()
    if name.isdigit():
        name = f"cp{name}"
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise ValueError(f"unknown code page {codepage!r}") from exc


def code_page_number(codepage: str | None) -> int:
    """The ESC t number of a code page in Epson's numbering (cp437 -> 0, cp858 -> 19)."""
    name = codec_name(codepage)
    try:
        return _code_page_table()[name]
    except KeyError as exc:
        raise ValueError(f"code page {codepage!r} has no ESC t number; give one") from exc


def _codec_of_number(number: int) -> str | None:
    return next((name for name, n in _code_page_table().items() if n == number), None)


# C0 controls, DEL and the C1 controls: what a printer could take for a command.
_NO_CONTROLS = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0)])


class EscPosWriter:
    """Accumulates one ticket's bytes; styles are sent only when they change."""

    def __init__(self, codepage: str | None = "cp437", codepage_number: int | None = None):
        self.codec = codec_name(codepage)
        number = code_page_number(self.codec) if codepage_number is None else codepage_number
        self._buf = bytearray(ESC + b"@" + ESC + b"t" + bytes([number]))
        self._style = {"bold": False, "size": (1, 1), "invert": False, "align": "left"}

    def style(self, *, bold=False, size=(1, 1), invert=False, align="left") -> None:
        """Set the text style; only what differs from the current one is sent."""
        want = {"bold": bold, "size": size, "invert": invert, "align": align}
        if want["bold"] != self._style["bold"]:
            self._buf += ESC + b"E" + bytes([int(bold)])
        if want["size"] != self._style["size"]:
            width, height = size
            self._buf += GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])
        if want["invert"] != self._style["invert"]:
            self._buf += GS + b"B" + bytes([int(invert)])
        if want["align"] != self._style["align"]:
            self._buf += ESC + b"a" + bytes([{"left": 0, "center": 1, "right": 2}[align]])
        self._style = want

    def line(self, text: str = "", **style) -> None:
        """One line of text in the code page (characters it lacks become '?'). Control
        characters are dropped: typed text (a dish, a note, a receipt footer) never reaches
        the printer as a command (ESC @ would reset it, GS V cut the paper)."""
        self.style(**style)
        self._buf += text.translate(_NO_CONTROLS).encode(self.codec, errors="replace") + b"\n"

    def image(self, img: Image.Image) -> None:
        """A raster image (GS v 0), black pixels printed; width padded to whole bytes."""
        self.raster(raster_command(img))

    def raster(self, command: bytes) -> None:
        """A raster image already made into its GS v 0 command (`raster_command`): what a
        cached Arabic block costs (printers/fonts.py)."""
        self.style()
        self._buf += command

    def qr(self, payload: str, module: int = 6) -> None:
        """A native model-2 QR code (GS ( k), error correction M, `module` dots a side, centred."""
        self.style(align="center")
        for body in (
            b"1A2\x00",  # model 2
            b"1C" + bytes([module]),
            b"1E1",  # error correction level M (48 + 1)
            b"1P0" + payload.encode("utf-8"),  # store the data
            b"1Q0",  # print it
        ):
            self._buf += GS + b"(k" + len(body).to_bytes(2, "little") + body

    def feed(self, lines: int) -> None:
        self._buf += ESC + b"d" + bytes([lines])

    def cut(self, partial: bool = False) -> None:
        """Feed the last line past the cutter, then cut (GS V 0 full, GS V 1 partial)."""
        self.style()
        self.feed(6)
        self._buf += GS + b"V" + (b"\x01" if partial else b"\x00")

    def getvalue(self) -> bytes:
        return bytes(self._buf)


def raster_command(img: Image.Image) -> bytes:
    """The GS v 0 command that prints an image, black pixels burnt; width padded to whole
    bytes."""
    bitmap = img.convert("1")
    width = -(-bitmap.width // 8) * 8
    if width != bitmap.width:
        padded = Image.new("1", (width, bitmap.height), 1)
        padded.paste(bitmap, (0, 0))
        bitmap = padded
    # Pillow packs white as 1; the printer burns a dot for 1: flip every bit.
    data = bitmap.tobytes().translate(_INVERT)
    size = (width // 8).to_bytes(2, "little") + bitmap.height.to_bytes(2, "little")
    return GS + b"v0\x00" + size + data


# --- decoding -------------------------------------------------------------------------------

# Fixed argument counts of the commands without a length field.
_ESC_ARGS = {
    b"@": 0, b"2": 0, b"<": 0, b"L": 0, b"S": 0, b"i": 0, b"m": 0, b"t": 1, b"E": 1, b"-": 1,
    b"a": 1, b"!": 1, b"d": 1, b"e": 1, b"J": 1, b"K": 1, b"3": 1, b"M": 1, b"G": 1, b"{": 1,
    b"V": 1, b"R": 1, b" ": 1, b"=": 1, b"%": 1, b"?": 1, b"r": 1, b"U": 1, b"T": 1, b"c": 2,
    b"$": 2, b"\\": 2, b"p": 3, b"W": 8,
}  # fmt: skip
_GS_ARGS = {
    b"!": 1, b"B": 1, b"H": 1, b"f": 1, b"h": 1, b"w": 1, b"x": 1, b"a": 1, b"r": 1, b"I": 1,
    b"b": 1, b"E": 1, b"T": 1, b"L": 2, b"W": 2, b"P": 2, b"$": 2, b"\\": 2, b"g": 3,
}  # fmt: skip
_FS_ARGS = {b".": 0, b"&": 0, b"C": 1, b"!": 1, b"-": 1, b"W": 1, b"p": 2, b"S": 2}
_CUT_MODES = {0, 1, 48, 49}  # GS V m
_CUT_FEED_MODES = {65, 66, 97, 98, 103, 104}  # GS V m n


def _raster(data: bytes, width_bytes: int, height: int) -> Image.Image:
    """Printer bits (1 = dot) to a Pillow image with black ink on white."""
    flipped = bytes(b ^ 0xFF for b in data)
    return Image.frombytes("1", (width_bytes * 8, height), flipped)


def _symbol(body: bytes, stored: dict[bytes, bytes]) -> tuple[str, object] | None:
    """A GS ( k function: store a 2D symbol's data, or print the one stored ("qr", payload).

    body is what follows pL pH: cn fn and the parameters; cn 1 (0x31) is the QR code."""
    cn, fn = body[:1], body[1:2]
    if fn == b"P":  # store the data: cn fn m d1...dk
        stored[cn] = body[3:]
    elif fn == b"Q" and cn == b"1":  # print the stored QR code
        return "qr", stored.get(cn, b"").decode("utf-8", errors="replace")
    return None


def _events(data: bytes) -> Iterator[tuple[str, object]]:
    """("text", str) | ("image", Image) | ("qr", str) | ("drawer", None) | ("cut", None),
    in the order the printer acts."""
    codec, i, n, run = "cp437", 0, len(data), bytearray()
    symbols: dict[bytes, bytes] = {}  # GS ( k data stored per symbol type (cn), not printed yet

    def flush():
        if run:
            text = bytes(run).decode(codec, errors="replace")
            run.clear()
            return [("text", text)]
        return []

    while i < n:
        byte = data[i]
        if byte >= 0x20 or byte in (0x0A, 0x09):
            run.append(byte)
            i += 1
            continue
        yield from flush()
        cmd, arg = data[i + 1 : i + 2], data[i + 2 : i + 3]
        if byte == 0x1B and cmd == b"t" and arg:
            codec = _codec_of_number(arg[0]) or codec
            i += 3
        elif byte == 0x1B and cmd == b"@":
            codec, i = "cp437", i + 2
            symbols.clear()
        elif byte == 0x1B and cmd == b"p":
            i += 5
            yield "drawer", None
        elif byte == 0x1B and cmd == b"*" and len(data) >= i + 5:
            m, dots = data[i + 2], int.from_bytes(data[i + 3 : i + 5], "little")
            i += 5 + dots * (1 if m in (0, 1) else 3)
            yield "image", None
        elif byte == 0x1B:
            i += 2 + _ESC_ARGS.get(cmd, 0)
        elif byte == 0x1D and cmd == b"v" and len(data) >= i + 8:
            wb = int.from_bytes(data[i + 4 : i + 6], "little")
            h = int.from_bytes(data[i + 6 : i + 8], "little")
            yield "image", _raster(data[i + 8 : i + 8 + wb * h], wb, h)
            i += 8 + wb * h
        elif byte == 0x1D and cmd == b"V" and arg:
            i += 3 + (arg[0] in _CUT_FEED_MODES)
            if arg[0] in _CUT_MODES | _CUT_FEED_MODES:
                yield "cut", None
        elif byte == 0x1D and cmd == b"(" and len(data) >= i + 5:
            length = int.from_bytes(data[i + 3 : i + 5], "little")
            body = data[i + 5 : i + 5 + length]
            if arg == b"L" and body[:2] in (b"0p", b"0q") and len(body) >= 10:
                w, h = int.from_bytes(body[6:8], "little"), int.from_bytes(body[8:10], "little")
                yield "image", _raster(body[10 : 10 + (w + 7) // 8 * h], (w + 7) // 8, h)
            elif arg == b"k" and (event := _symbol(body, symbols)):
                yield event
            i += 5 + length
        elif byte == 0x1D and cmd == b"k" and arg:
            if arg[0] <= 6:  # NUL-terminated barcode data
                end = data.find(b"\x00", i + 3)
                i = n if end < 0 else end + 1
            else:
                i += 4 + (data[i + 3] if i + 3 < n else 0)
            yield "text", "[barcode]\n"
        elif byte == 0x1D:
            i += 2 + _GS_ARGS.get(cmd, 0)
        elif byte == 0x1C:
            i += 2 + _FS_ARGS.get(cmd, 0)
        elif byte == 0x10 and cmd in (b"\x04", b"\x05"):
            i += 3
        elif byte == 0x10 and cmd == b"\x14":
            i += 5
        elif byte == 0x0C:
            run.append(0x0A)
            i += 1
        else:
            i += 1  # CR and other control bytes print nothing by themselves
    yield from flush()


def decode_escpos(data: bytes) -> str:
    """Readable text of a ticket: commands stripped; "[image WxH]", "[QR <payload>]",
    "[DRAWER]" and "--- cut ---" lines."""
    out: list[str] = []

    def own_line(marker: str) -> None:
        if out and not out[-1].endswith("\n"):
            out.append("\n")
        out.append(marker + "\n")

    for kind, value in _events(data):
        if kind == "text":
            out.append(value)
        elif kind == "image":
            own_line(f"[image {value.width}x{value.height}]" if value else "[image]")
        elif kind == "qr":
            own_line(f"[QR {value}]")
        elif kind == "drawer":
            own_line("[DRAWER]")
        else:
            own_line(CUT_MARK)
    return "".join(out)


def raster_images(data: bytes) -> list[Image.Image]:
    """The raster images of a ticket, black ink on white, in print order."""
    return [value for kind, value in _events(data) if kind == "image" and value is not None]


def qr_payloads(data: bytes) -> list[str]:
    """The data of each QR code the ticket prints (GS ( k), in print order."""
    return [value for kind, value in _events(data) if kind == "qr"]
