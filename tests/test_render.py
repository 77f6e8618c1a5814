"""Station printer tickets (printers/render.py): golden bytes, readable text, Arabic as raster.

Golden files live in tests/golden/. After an intended change of the output, rewrite them with
`POS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_render.py`, look at the PNGs
that land in tests/artifacts/, and commit the new .bin files with the change.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageChops, ImageDraw, ImageFont

from printers import fonts
from printers.escpos_text import EscPosWriter, code_page_number, raster_command
from printers.render import (
    PaperLayout,
    decode_escpos,
    labels_for,
    raster_images,
    render_kitchen_chit,
    render_label,
    render_test_page,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
UPDATE = os.environ.get("POS_UPDATE_GOLDEN") == "1"
ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def mod(name, name_ar, price=0):
    return {"name": name, "name_ar": name_ar, "price_delta_minor": price}


def line(name, name_ar, quantity=1, kind="add", **extra):
    return {
        "kind": kind,
        "quantity": quantity,
        "voided_quantity": 0,
        "void_reason": "",
        "name": name,
        "name_ar": name_ar,
        "modifiers": [],
        "old_modifiers": [],
        "old_quantity": 0,
        "note": "",
        "allergy": "",
        "seat": None,
        **extra,
    }


def make_chit(**changes) -> dict:
    """Order 42 at table 4 from the demo menu, as the grill station's printer gets it."""
    chit = {
        "station": {"name": "Grill", "name_ar": "المشويات"},
        "header": {
            "number": 42,
            "type": "dine_in",
            "table": "4",
            "waiter": "Sara",
            "customer": "",
            "guests": 3,
            "notes": "",
            "rush": True,
        },
        "course": 2,
        "held": False,
        "is_change": False,
        "printed_at": "2025-03-14T16:42:05Z",
        "time_zone": "Asia/Riyadh",
        "lines": [
            line(
                "Mixed grill",
                "مشاوي مشكلة",
                2,
                modifiers=[mod("Well done", "كامل الاستواء"), mod("Saffron rice", "أرز بالزعفران")],
            ),
            line("Hummus", "حمص", allergy="sesame", note="extra olive oil", seat=3),
            line(
                "Classic beef burger",
                "برجر لحم كلاسيك",
                1,
                kind="void",
                void_reason="guest changed mind",
            ),
        ],
        "marks": [],
    }
    chit.update(changes)
    return chit


def change_chit() -> dict:
    steak = line(
        "Ribeye steak 300 g",
        "ستيك ريب آي ٣٠٠ غ",
        2,
        kind="change",
        old_quantity=1,
        modifiers=[mod("Well done", "كامل الاستواء"), mod("French fries", "بطاطس مقلية")],
        old_modifiers=[mod("Medium", "متوسط الاستواء"), mod("French fries", "بطاطس مقلية")],
    )
    header = {**make_chit()["header"], "rush": False}
    return make_chit(is_change=True, header=header, lines=[steak])


def layout(width, **options) -> PaperLayout:
    return PaperLayout.for_paper(width, **options)


def save_images(name: str, data: bytes) -> list[Image.Image]:
    """The ticket's raster images, also saved as PNGs to look at."""
    images = raster_images(data)
    ARTIFACTS.mkdir(exist_ok=True)
    for i, img in enumerate(images):
        img.save(ARTIFACTS / f"render-{name}-{i:02d}.png")
    return images


def paper_png(name: str, data: bytes) -> Image.Image:
    """The whole ticket as one picture (text in a monospaced font, rasters as printed), saved
    to tests/artifacts/paper-<name>.png to look at."""
    mono = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 20)
    images = iter(raster_images(data))
    parts = []
    for text in decode_escpos(data).splitlines():
        if text.startswith("[image ") and text.endswith("]"):
            parts.append(next(images))
            continue
        row = Image.new("1", (576, 28), 1)
        ImageDraw.Draw(row).text((0, 2), text, font=mono, fill=0)
        parts.append(row)
    page = Image.new("1", (max(p.width for p in parts), sum(p.height + 4 for p in parts)), 1)
    y = 0
    for part in parts:
        page.paste(part, (0, y))
        y += part.height + 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.save(ARTIFACTS / f"paper-{name}.png")
    return page


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / f"{name}.bin"
    save_images(name, data)
    if Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf").exists():
        paper_png(name, data)
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
        (GOLDEN / f"{name}.txt").write_text(decode_escpos(data), encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with POS_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    if data != expected:
        diff = f"{decode_escpos(expected)}\n--- now ---\n{decode_escpos(data)}"
        pytest.fail(f"{path.name} differs (POS_UPDATE_GOLDEN=1 rewrites it):\n{diff}")


def image_after(data: bytes, marker: str) -> Image.Image:
    """The first raster image printed after the text line that contains `marker`."""
    text_lines = decode_escpos(data).splitlines()
    start = next(i for i, t in enumerate(text_lines) if marker in t)
    placeholders = [i for i, t in enumerate(text_lines) if t.startswith("[image ")]
    index = next(n for n, i in enumerate(placeholders) if i > start)
    return raster_images(data)[index]


def styled_lines(data: bytes) -> list[tuple[str, dict]]:
    """Each text line with the style it printed in (the writer's own commands only)."""
    state = {"bold": 0, "size": 0, "invert": 0, "align": 0}
    keys = {b"\x1bE": "bold", b"\x1d!": "size", b"\x1dB": "invert", b"\x1ba": "align"}
    out, i, run = [], 0, bytearray()
    while i < len(data):
        two = data[i : i + 2]
        if two in keys:
            state[keys[two]] = data[i + 2]
            i += 3
        elif two == b"\x1dv":
            wb, h = int.from_bytes(data[i + 4 : i + 6], "little"), data[i + 6] + 256 * data[i + 7]
            i += 8 + wb * h
        elif two in (b"\x1b@", b"\x1bt", b"\x1bd", b"\x1dV"):
            i += 2 + (two != b"\x1b@")
        elif data[i] == 0x0A:
            out.append((run.decode("cp437"), dict(state)))
            run.clear()
            i += 1
        else:
            run.append(data[i])
            i += 1
    return out


def ink_columns(img: Image.Image) -> list[int]:
    """Columns with at least one black pixel, left to right."""
    width, height = img.size
    px = img.convert("1").load()
    return [x for x in range(width) if any(px[x, y] == 0 for y in range(height))]


# --- golden bytes ---------------------------------------------------------------------------

GOLDEN_CASES = {
    "chit-80-bilingual": (make_chit, layout(80)),
    "chit-80-en": (make_chit, layout(80, bilingual=False)),
    "chit-58-bilingual": (make_chit, layout(58)),
    "chit-58-en": (make_chit, layout(58, bilingual=False)),
    "chit-80-ar-first": (make_chit, layout(80, language="ar")),
    "change-80-bilingual": (change_chit, layout(80)),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_chit_matches_golden(name):
    make, paper = GOLDEN_CASES[name]
    check_golden(name, render_kitchen_chit(make(), paper))


def test_label_and_test_page_match_golden():
    chit = make_chit(header={**make_chit()["header"], "type": "takeaway", "customer": "Ahmed"})
    check_golden("label-58", render_label(labels_for(chit)[0], layout(58)))
    check_golden("test-page-80", render_test_page("Grill printer", layout(80), chit["printed_at"]))


def test_rendering_is_deterministic():
    chit = make_chit(marks=["REPRINT"])
    first = render_kitchen_chit(chit, layout(80))
    fonts.arabic_font.cache_clear()  # a fresh font object draws the same dots
    assert render_kitchen_chit(copy.deepcopy(chit), layout(80)) == first


# --- what the cook reads --------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 58])
@pytest.mark.parametrize("bilingual", [True, False])
def test_chit_reads_right(width, bilingual):
    text = decode_escpos(render_kitchen_chit(make_chit(), layout(width, bilingual=bilingual)))
    lines = text.splitlines()
    for expected in ("Grill", "2 x Mixed grill", "  Well done", "  Saffron rice", "1 x Hummus"):
        assert expected in lines
    assert " RUSH " in lines[0], "rush comes first, inverted (padded)"
    assert lines[lines.index("Grill") + (2 if bilingual else 1)].startswith("=")
    assert any(t.startswith("#42") and t.endswith("19:42") for t in lines)  # Riyadh is UTC+3
    assert "Time: 2025-03-14 19:42" in lines
    assert "Table 4" in lines and "Waiter: Sara" in lines and "Guests: 3" in lines
    assert "Course 2" in lines and " Seat 3 " in lines
    assert " VOID 1 x Classic beef burger " in lines
    assert "  Reason: guest changed mind" in lines
    assert " ALLERGY: sesame " in lines and "  Note: extra olive oil" in lines
    assert lines[-1] == "--- cut ---"
    assert "?" not in text and not ARABIC.search(text), "no Arabic through the code page"
    assert "REPRINT" not in text and "BACKUP" not in text


def test_styles_on_paper():
    data = render_kitchen_chit(make_chit(), layout(80, bilingual=False))
    assert data.startswith(b"\x1b@\x1bt\x00"), "initialise, then code page 437 explicitly"
    styles = dict(styled_lines(data))
    big, tall = 0x11, 0x01
    assert styles[" RUSH "] == {"bold": 1, "size": big, "invert": 1, "align": 1}
    assert styles["Grill"] == {"bold": 1, "size": big, "invert": 0, "align": 1}
    assert styles["#42                19:42"]["size"] == big
    assert styles["2 x Mixed grill"] == {"bold": 1, "size": tall, "invert": 0, "align": 0}
    assert styles["  Well done"] == {"bold": 0, "size": 0, "invert": 0, "align": 0}
    assert styles[" ALLERGY: sesame "] == {"bold": 1, "size": 0, "invert": 1, "align": 0}
    assert styles[" VOID 1 x Classic beef burger "]["invert"] == 1
    assert data.endswith(b"\x1bd\x06\x1dV\x00"), "feed past the cutter, full cut"
    partial = render_kitchen_chit(make_chit(), layout(80, partial_cut=True))
    assert partial.endswith(b"\x1dV\x01")


@pytest.mark.parametrize(
    "marks", [["REPRINT"], ["BACKUP FROM Grill printer"], ["REPRINT", "BACKUP FROM Grill printer"]]
)
def test_marks_at_top_and_bottom(marks):
    data = render_kitchen_chit(make_chit(marks=marks), layout(58))
    lines = decode_escpos(data).splitlines()
    padded = [f" {mark} " for mark in marks]
    assert [t for t in lines if t in padded] == padded * 2
    assert lines[0] == padded[0]
    assert lines[-2] == f"[image 384x{raster_images(data)[-1].height}]", "and in Arabic"
    styles = dict(styled_lines(data))
    assert all(styles[mark]["invert"] == 1 and styles[mark]["bold"] == 1 for mark in padded)
    assert styles[" REPRINT "]["size"] == 0x11 if "REPRINT" in marks else True


def test_change_ticket():
    text = decode_escpos(render_kitchen_chit(change_chit(), layout(80)))
    lines = text.splitlines()
    assert lines[0] == " CHANGE " and "RUSH" not in text
    assert "CHANGE 1 -> 2 x Ribeye steak 300 g" in lines
    assert "  was: Medium, French fries" in lines
    assert "  now: Well done, French fries" in lines


def test_cancelled_held_and_takeaway():
    header = {**make_chit()["header"], "type": "delivery", "customer": "Ahmed", "cancelled": True}
    chit = make_chit(header=header, held=True)
    lines = decode_escpos(render_kitchen_chit(chit, layout(80, bilingual=False))).splitlines()
    assert lines[:3] == [" CANCELLED ", " RUSH ", "HOLD"]
    assert "DELIVERY" in lines and "Ahmed" in lines and "Table 4" not in lines


def test_voided_part_of_a_line_on_a_reprint():
    grill = make_chit()["lines"][0]
    chit = make_chit(lines=[{**grill, "voided_quantity": 1, "void_reason": "too slow"}])
    lines = decode_escpos(render_kitchen_chit(chit, layout(80))).splitlines()
    assert " VOID 1 x Mixed grill " in lines and "1 x Mixed grill" in lines
    assert "  Reason: too slow" in lines


# --- Arabic as raster -----------------------------------------------------------------------


@pytest.mark.parametrize("width,dots", [(80, 576), (58, 384)])
def test_arabic_is_a_right_aligned_raster(width, dots):
    data = render_kitchen_chit(make_chit(), layout(width))
    images = save_images(f"rtl-{width}", data)
    assert images and all(img.width == dots for img in images)
    assert all(8 <= img.height <= 300 for img in images)
    # The item's Arabic block: "2 × مشاوي مشكلة" with its modifiers, under the English.
    item = image_after(data, "  Saffron rice")
    cols = ink_columns(item)
    assert cols[-1] >= dots - 12, "starts at the right edge (right to left)"
    assert cols[0] >= 24, "and ends short of the left edge"
    assert 60 <= item.height <= 200, "three lines of Arabic"
    hummus = ink_columns(image_after(data, "1 x Hummus"))  # "1 × حمص"
    assert hummus[-1] >= dots - 12 and hummus[0] > dots // 2, "a short name: right half only"
    station = image_after(data, "Grill")
    assert ink_columns(station)[-1] >= dots - 12 and ink_columns(station)[0] > dots // 4


def same_columns(part: list[int], whole: list[int], start: int, end: int) -> bool:
    """`whole` has `part`'s ink columns between `start` and `end` (give or take a dot)."""
    shifts = ([c - dx for c in whole if start <= c - dx <= end] for dx in (-1, 0, 1))
    return any(columns == part for columns in shifts)


def ink_of(text: str, size: int = fonts.NORMAL) -> list[int]:
    return ink_columns(fonts.arabic_block([fonts.ArLine(text, size)], 576))


def test_arabic_is_ordered_right_to_left():
    hummus = ink_of("حمص")
    # The first word (in logical order) is drawn at the right end, the next one to its left.
    assert same_columns(hummus, ink_of("حمص فتوش"), hummus[0], 576)
    assert not same_columns(hummus, ink_of("فتوش حمص"), hummus[0], 576)
    # "2 × حمص": the quantity comes first, at the right.
    two = ink_of("2")
    assert same_columns(two, ink_of("2 × حمص"), two[0], 576)


def piece(text: str, size: int = fonts.NORMAL) -> Image.Image:
    """`text` drawn alone and cropped to its ink: Arabic right to left, anything else left to
    right, in the order a reader expects it ("(2/4)" with its brackets facing in)."""
    kwargs = {"direction": "rtl", "language": "ar"} if ARABIC.search(text) else {}
    img = Image.new("1", (1200, 160), 1)
    ImageDraw.Draw(img).text((20, 110), text, font=fonts.arabic_font(size), fill=0, **kwargs)
    return img.crop(ImageChops.invert(img.convert("L")).getbbox())


def where(line: Image.Image, part: Image.Image) -> int | None:
    """The x at which `part` is printed in `line`, else None. Arabic drawn at another
    fraction of a dot differs in up to an eighth of its ink; anything else in half or more."""
    ink = part.histogram()[0]
    best = None
    for y in range(max(line.height - part.height, 0) + 1):
        for x in range(line.width - part.width + 1):
            region = line.crop((x, y, x + part.width, y + part.height))
            wrong = ImageChops.logical_xor(region, part).histogram()[255]
            if wrong <= ink // 5 and (best is None or wrong < best[0]):
                best = (wrong, x)
    return None if best is None else best[1]


def order_on_paper(text: str, parts: list[str]) -> list[int | None]:
    """Where each of `parts` is printed in the Arabic line `text`, from the left."""
    line = fonts.arabic_block([fonts.ArLine(text)], 576)
    return [where(line, piece(p)) for p in parts]


@pytest.mark.parametrize(
    "text,left_to_right",
    [
        # A seat and its part of a split bill: from the right "مقعد", "3", then "(2/4)".
        ("مقعد 3 (2/4)", ["(2/4)", "3", "مقعد"]),
        # An offer's percent and its amount: "10%" and "-9.00", each whole.
        ("عرض الساعة السعيدة 10%: -9.00", ["-9.00", "10%", "السعيدة"]),
        # Date, then time, each in its own order, read from the right.
        ("التاريخ والوقت: 2025-03-14 19:42", ["19:42", "2025-03-14", "والوقت:"]),
        ("1/2 من 3 × حمص", ["حمص", "3", "1/2"]),
        ("استرداد من الفاتورة INV-000123", ["INV-000123", "استرداد"]),
        ("2 × Mixed grill (large)", ["Mixed grill (large)", "2"]),
        ("بطاقة visa **** 1234: 40.00", ["visa **** 1234: 40.00", "بطاقة"]),
    ],
)
def test_numbers_brackets_and_latin_keep_their_places_inside_arabic(text, left_to_right):
    found = order_on_paper(text, left_to_right)
    where_each = dict(zip(left_to_right, found, strict=True))
    assert None not in found, f"{text!r}: not printed as read: {where_each}"
    assert found == sorted(found), f"{text!r}: out of order: {where_each}"


def test_numbers_out_of_their_order_are_told_apart():
    """The check above can see the difference: a reversed date is not the date."""
    line = fonts.arabic_block([fonts.ArLine("التاريخ: 2025-03-14")], 576)
    assert where(line, piece("2025-03-14")) is not None
    assert where(line, piece("14-03-2025")) is None
    assert where(line, piece("(2/4)")) is None


def test_arabic_is_joined():
    # Joined letters leave no blank column inside a word; isolated ones would.
    word = ink_of("مشكلة")
    assert word == list(range(word[0], word[-1] + 1))
    apart = ink_of("م ش ك ل ة")
    assert apart != list(range(apart[0], apart[-1] + 1))


def test_arabic_first_when_the_language_is_arabic():
    data = render_kitchen_chit(make_chit(), layout(80, language="ar"))
    lines = decode_escpos(data).splitlines()
    grill = lines.index("2 x Mixed grill")
    assert lines[grill - 1].startswith("[image 576x"), "Arabic block, then the English"
    assert lines[lines.index("Waiter: Sara") - 1].startswith("[image 576x"), "labels too"
    solo = decode_escpos(
        render_kitchen_chit(make_chit(), layout(80, language="ar", bilingual=False))
    )
    assert "2 x Mixed grill" not in solo and "#42" in solo


def arabic_after(data: bytes, marker: str) -> Image.Image:
    """The raster printed right after the text line `marker` (which must be followed by one)."""
    lines = decode_escpos(data).splitlines()
    assert lines[lines.index(marker) + 1].startswith("[image "), f"no Arabic after {marker!r}"
    return image_after(data, marker)


def same_image(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("width,dots", [(80, 576), (58, 384)])
def test_every_label_prints_in_both_languages(width, dots):
    """Table, guests, waiter, time, notes, seats: each label in English and in Arabic (the
    issue: they printed in English only), with the glossary's words."""
    data = render_kitchen_chit(make_chit(), layout(width))
    expected = {
        "Table 4": fonts.ArLine("طاولة 4", fonts.LARGE),
        "Guests: 3": fonts.ArLine("عدد الضيوف: 3"),
        "Waiter: Sara": fonts.ArLine("نادل: Sara"),
        "Time: 2025-03-14 19:42": fonts.ArLine("التاريخ والوقت: 2025-03-14 19:42"),
        "Course 2": fonts.ArLine("مرحلة التقديم 2", fonts.LARGE),
        " Seat 3 ": fonts.ArLine("مقعد 3", invert=True),
        "  Reason: guest changed mind": fonts.ArLine("السبب: guest changed mind"),
        "  Note: extra olive oil": fonts.ArLine("ملاحظة: extra olive oil"),
    }
    for english, arabic in expected.items():
        printed = arabic_after(data, english)
        assert same_image(printed, fonts.arabic_block([arabic], dots)), english
    english_only = decode_escpos(render_kitchen_chit(make_chit(), layout(width, bilingual=False)))
    assert "Waiter: Sara" in english_only.splitlines()


def test_kitchen_alerts_use_the_glossary():
    fire = make_chit(fire=True, course=2, header={**make_chit()["header"], "rush": False})
    data = render_kitchen_chit(fire, layout(80))
    banner = arabic_after(data, " FIRE COURSE 2 ")
    room = 576 - fonts.MARGIN - 2 * fonts.PAD
    size = (
        fonts.LARGE
        if fonts._length("إرسال المرحلة 2", fonts.arabic_font(fonts.LARGE)) <= room
        else fonts.NORMAL
    )
    assert same_image(
        banner, fonts.arabic_block([fonts.ArLine("إرسال المرحلة 2", size, invert=True)], 576)
    )


def test_without_raster_text_no_arabic_at_all():
    chit = make_chit(header={**make_chit()["header"], "notes": "بدون بصل please"})
    data = render_kitchen_chit(chit, layout(80, raster_text=False, language="ar"))
    text = decode_escpos(data)
    assert raster_images(data) == [] and b"\x1dv0" not in data
    assert "2 x Mixed grill" in text and "Note: [ar] please" in text
    assert "?" not in text


def test_arabic_free_text_goes_as_raster():
    grill = {**make_chit()["lines"][0], "note": "بدون بصل"}
    data = render_kitchen_chit(make_chit(lines=[grill]), layout(58, bilingual=False))
    lines = decode_escpos(data).splitlines()
    assert lines[lines.index("  Saffron rice") + 1].startswith("[image 384x")
    assert "?" not in "".join(lines)


# --- code pages and the decoder -------------------------------------------------------------


def test_explicit_code_page():
    burger = line("Classic beef burger", "برجر", modifiers=[mod("Jalapeño", "هالابينو", 200)])
    data = render_kitchen_chit(make_chit(lines=[burger]), layout(80, codepage="cp858"))
    assert data.startswith(b"\x1b@\x1bt" + bytes([code_page_number("cp858")]))
    assert "  Jalapeño".encode("cp858") in data
    assert "  Jalapeño" in decode_escpos(data).splitlines()
    with pytest.raises(ValueError):
        render_kitchen_chit(make_chit(), layout(80, codepage="no-such-page"))


def test_decoder_reads_python_escpos_output():
    printer = Dummy(profile="TM-T20II")
    printer.charcode("CP858")
    printer.set(align="center", bold=True, double_height=True, double_width=True, invert=True)
    printer.textln("Grill")
    printer.set_with_default()
    printer.textln("Jalapeño 12.00")
    picture = Image.new("1", (64, 10), 1)
    picture.paste(0, (0, 0, 8, 10))
    printer.image(picture)
    printer.qr("42", size=3)
    printer.cut()
    text = decode_escpos(printer.output)
    assert text.startswith("Grill\nJalapeño 12.00\n[image 64x10]\n")
    assert text.rstrip().endswith("--- cut ---")
    first = raster_images(printer.output)[0]
    assert first.size == (64, 10) and ink_columns(first) == list(range(8))


# --- labels and the test page ---------------------------------------------------------------


def test_labels_one_per_item():
    chit = make_chit(header={**make_chit()["header"], "type": "takeaway", "customer": "Ahmed"})
    labels = labels_for(chit)
    assert [(lb["index"], lb["count"], lb["line"]["name"]) for lb in labels] == [
        (1, 3, "Mixed grill"),
        (2, 3, "Mixed grill"),
        (3, 3, "Hummus"),
    ]
    data = render_label(labels[2], layout(58))
    lines = decode_escpos(data).splitlines()
    assert lines[0].startswith("#42") and lines[0].endswith("3/3")
    assert "TAKEAWAY" in lines and "Ahmed" in lines and "1 x Hummus" in lines
    assert " ALLERGY: sesame " in lines and lines[-1] == "--- cut ---"
    images = save_images("label", data)
    assert images and all(img.width == 384 for img in images)
    mixed = decode_escpos(render_label(labels[0], layout(58))).splitlines()
    assert "1 x Mixed grill" in mixed and "  Well done" in mixed and "  Saffron rice" in mixed


@pytest.mark.parametrize("width,cols,dots", [(80, 48, 576), (58, 32, 384)])
def test_test_page(width, cols, dots):
    data = render_test_page("Grill printer", layout(width), "2025-03-14T16:42:05+00:00")
    lines = decode_escpos(data).splitlines()
    assert " TEST PRINT " in lines and "Grill printer" in lines
    assert f"{width} mm, {dots} dots, {cols} chars" in lines and "Code page: cp437" in lines
    ruler = next(t for t in lines if t.startswith("123456789"))
    assert len(ruler) == cols and ruler.endswith(str(cols % 10))
    assert "2025-03-14 19:42 Asia/Riyadh" in lines
    arabic = save_images(f"test-page-{width}", data)
    assert len(arabic) == 2 and {img.width for img in arabic} == {dots}


def test_layout_from_printer_settings():
    class Printer:
        paper_width_mm, chars_per_line, codepage, raster_text = 58, 32, None, True

    paper = PaperLayout.for_printer(Printer(), bilingual=False)
    assert (paper.dots, paper.chars_per_line, paper.codepage, paper.bilingual) == (
        384,
        32,
        "cp437",
        False,
    )


def test_arabic_only_names_and_allergies_still_print():
    dates = line("", "طبق تمور", 2, allergy="مكسرات")
    data = render_kitchen_chit(make_chit(lines=[dates]), layout(80, bilingual=False))
    text = decode_escpos(data)
    assert "[ar]" not in text and "?" not in text and "ALLERGY" not in text
    assert len(raster_images(data)) == 2, "the name and the allergy, both as raster"
    plain = decode_escpos(
        render_kitchen_chit(make_chit(lines=[dates]), layout(80, raster_text=False))
    )
    assert "2 x [ar]" in plain and " ALLERGY: [ar] " in plain


def test_a_cached_arabic_block_prints_the_bytes_of_a_fresh_render():
    lines = [fonts.ArLine("حمص بالطحينة 2", fonts.LARGE), fonts.ArLine("بدون ثوم", indent=36)]
    cached = fonts.arabic_raster(lines, 576)
    assert fonts.arabic_raster(list(lines), 576) is cached  # a repeated name: a lookup
    fresh = fonts._arabic_block.__wrapped__(tuple(lines), 576)  # drawn again, no cache
    assert cached == raster_command(fresh)
    drawn, looked_up = EscPosWriter(), EscPosWriter()
    drawn.image(fresh)
    looked_up.raster(cached)
    assert drawn.getvalue() == looked_up.getvalue()
    [image] = raster_images(looked_up.getvalue())
    assert same_image(image, fresh)

    chit = make_chit()
    first = render_kitchen_chit(chit, layout(80))
    fonts._arabic_raster.cache_clear()
    fonts._arabic_block.cache_clear()
    assert render_kitchen_chit(copy.deepcopy(chit), layout(80)) == first
