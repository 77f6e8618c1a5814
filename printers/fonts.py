"""Arabic as 1-bit raster images: shaped and ordered right to left by Pillow's raqm.

Most thermal printers have no usable Arabic code page, and those that have one print the
letters unjoined and in the wrong order. So each Arabic block is drawn with Noto Sans Arabic
(from the `fontpkg-noto-sans-arabic` package) into an image as wide as the paper's dots,
right-aligned, and sent as a raster image. Pure: no I/O besides reading the packaged font.

TicketDoc puts a ticket together line by line: Latin text in the code page, Arabic as raster,
in the languages and order the paper layout asks for.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import fontpkg_noto_sans_arabic
from PIL import Image, ImageDraw, ImageFont, features

from printers.bidi import isolate_runs
from printers.escpos_text import EscPosWriter, raster_command

FONT_PATH = fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf"
_LETTERS = "[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+"
ARABIC = re.compile(f"{_LETTERS}(?:\\s+{_LETTERS})*")  # a run of Arabic words

# Pixel sizes at 203 dpi (8 dots per mm): the printer's own font A is 12 x 24 dots.
NORMAL, LARGE, HUGE = 30, 40, 56
MARGIN = 4  # dots kept clear at the right edge
LINE_GAP = 6  # dots between two lines of a block
PAD = 8  # dots of black around white-on-black text
BIG, TALL, NORMAL_SIZE = (2, 2), (1, 2), (1, 1)  # printer font sizes (width, height)


def has_arabic(text: str | None) -> bool:
    return bool(text) and ARABIC.search(text) is not None


@lru_cache(maxsize=8)
def arabic_font(size: int) -> ImageFont.FreeTypeFont:
    """Noto Sans Arabic Bold at `size` pixels, laid out by raqm (HarfBuzz + FriBiDi)."""
    if not features.check("raqm"):
        raise RuntimeError("Pillow was built without raqm: Arabic cannot be shaped")
    font = ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.RAQM)
    font.set_variation_by_name("Bold")
    return font


@dataclass(frozen=True)
class ArLine:
    """One line of an Arabic block: its text, pixel size, indent from the right, inversion."""

    text: str
    size: int = NORMAL
    indent: int = 0
    invert: bool = False


def _length(text: str, font: ImageFont.FreeTypeFont) -> float:
    return font.getlength(text, direction="rtl", language="ar")


def _wrap(text: str, font: ImageFont.FreeTypeFont, room: int) -> list[str]:
    """Break at spaces (logical order: the first words go on the first line, at the right)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _length(f"{lines[-1]} {word}", font) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _draw_line(text: str, line: ArLine, width: int) -> Image.Image:
    """One visual line, right-aligned in `width` dots, cropped to its ink (black = 0)."""
    font, text = arabic_font(line.size), isolate_runs(text)
    ascent, descent = font.getmetrics()
    img = Image.new("1", (width, ascent + descent + 2 * PAD), 1)
    draw = ImageDraw.Draw(img)
    right = width - MARGIN - line.indent - (PAD if line.invert else 0)
    kwargs = {"direction": "rtl", "language": "ar", "anchor": "rs"}
    left, top, right_ink, bottom = draw.textbbox((right, ascent + PAD), text, font=font, **kwargs)
    if line.invert:
        draw.rectangle((left - PAD, top - PAD, right_ink + PAD - 1, bottom + PAD - 1), fill=0)
    draw.text((right, ascent + PAD), text, font=font, fill=1 if line.invert else 0, **kwargs)
    box = (top - PAD, bottom + PAD) if line.invert else (top - 1, bottom + 1)
    return img.crop((0, max(box[0], 0), width, min(box[1], img.height)))


def arabic_block(lines: list[ArLine], width: int) -> Image.Image:
    """The lines (each wrapped to fit) stacked into one 1-bit image exactly `width` dots wide.

    Cached: a kitchen prints the same dish names all day, and shaping them is most of the
    cost of a chit. Callers must not change the image they get."""
    return _arabic_block(tuple(lines), width)


@lru_cache(maxsize=1024)
def _arabic_block(lines: tuple[ArLine, ...], width: int) -> Image.Image:
    parts: list[Image.Image] = []
    for line in lines:
        font = arabic_font(line.size)
        room = width - MARGIN - line.indent - (2 * PAD if line.invert else 0)
        parts += [_draw_line(text, line, width) for text in _wrap(line.text, font, room)]
    height = sum(p.height for p in parts) + LINE_GAP * (len(parts) - 1)
    block = Image.new("1", (width, max(height, 1)), 1)
    y = 0
    for part in parts:
        block.paste(part, (0, y))
        y += part.height + LINE_GAP
    return block


def arabic_raster(lines: list[ArLine], width: int) -> bytes:
    """`arabic_block` as the printer's GS v 0 command. Cached too: a repeated dish name costs
    a dict lookup, not Pillow's convert, tobytes and bit flip of the image again."""
    return _arabic_raster(tuple(lines), width)


@lru_cache(maxsize=1024)
def _arabic_raster(lines: tuple[ArLine, ...], width: int) -> bytes:
    return raster_command(_arabic_block(lines, width))


def latin(text: str) -> str:
    """Text for the code page: Arabic runs (unprintable there) become "[ar]"."""
    return ARABIC.sub("[ar]", text)


class TicketDoc:
    """One ticket being written: Latin text lines and Arabic raster blocks, per the layout."""

    def __init__(self, layout):
        self.layout = layout
        self.out = EscPosWriter(layout.codepage, layout.codepage_number)

    def text(self, text: str, *, size=NORMAL_SIZE, bold=False, invert=False, align="left"):
        """Text wrapped to the line (a continuation keeps the first line's indent).

        Text with Arabic in it goes as a raster line, or with "[ar]" for its Arabic when the
        printer takes no raster text.
        """
        text = str(text)
        if has_arabic(text) and self.layout.raster_text:
            self.arabic([ArLine(text.strip(), LARGE if size[1] > 1 else NORMAL, invert=invert)])
            return
        text = latin(text)
        indent = " " * (len(text) - len(text.lstrip(" ")))
        room = self.layout.chars_per_line // size[0] - (2 if invert else 0)
        style = {"size": size, "bold": bold, "invert": invert, "align": align}
        for chunk in textwrap.wrap(text, room, subsequent_indent=indent) or [""]:
            self.out.line(f" {chunk} " if invert else chunk, **style)

    def arabic(self, lines: list[ArLine]) -> None:
        if self.layout.raster_text and lines:
            self.out.raster(arabic_raster(lines, self.layout.dots))

    def pair(self, en: list[tuple[str, dict]], ar: list[ArLine], *, both: bool = True) -> None:
        """English lines and their Arabic block, in the layout's languages and order.

        `both` False prints only the layout's language (labels); True follows `bilingual`.
        """
        lay = self.layout
        can_ar = lay.raster_text and any(line.text.strip() for line in ar)
        has_en = any(text.strip() for text, _ in en)
        if lay.language == "ar":
            show_ar = can_ar
            show_en = has_en and ((both and lay.bilingual) or not can_ar)
        else:
            show_en = has_en or not can_ar
            show_ar = can_ar and ((both and lay.bilingual) or not has_en)
        first_ar = lay.language == "ar"
        if show_ar and first_ar:
            self.arabic(ar)
        for text, style in en if show_en else []:
            self.text(text, **style)
        if show_ar and not first_ar:
            self.arabic(ar)

    def field(self, label: str, label_ar: str, value, **style) -> None:
        """'Label: value' in the layout's languages; a value written in Arabic goes as raster."""
        if value in (None, ""):
            return
        en = f"{label}: {value}" if label else str(value)
        ar = f"{label_ar}: {value}" if label_ar else str(value)
        size = LARGE if style.get("size", NORMAL_SIZE)[1] > 1 else NORMAL
        ar_line = ArLine(ar, size, invert=style.get("invert", False))
        if has_arabic(str(value)) and self.layout.raster_text:
            self.arabic([ar_line])
        else:  # a Latin value without a label has nothing to say in Arabic
            self.pair([(en, style)], [ar_line] if label_ar else [])

    def alert(self, en: str, ar: str, *, invert: bool = True) -> None:
        """Large type, centred, white on black: marks, rush, change, cancelled."""
        size = BIG if len(en) + 2 <= self.layout.chars_per_line // 2 else TALL
        style = {"size": size, "bold": True, "invert": invert, "align": "center"}
        room = self.layout.dots - MARGIN - 2 * PAD
        ar_size = LARGE if _length(ar, arabic_font(LARGE)) <= room else NORMAL
        self.pair([(en, style)], [ArLine(ar, ar_size, invert=invert)])

    def rule(self, char: str = "-") -> None:
        self.out.line(char * self.layout.chars_per_line)
