"""The menu as CSV, both languages: exported for a spreadsheet, imported from another POS.

Export: one row per dish (active ones; `active` says so), UTF-8 with a byte-order mark so that
spreadsheet programs show the Arabic, prices as decimals of the branch's currency.

Import (POST /api/v1/menu/import, `{"csv": "...", "apply": false}`): the file is read whole
first. A file that cannot be read (not UTF-8, a column nobody knows, no `name` or `price`
column, more than MAX_ROWS rows) is refused as a whole: 422 naming what is wrong, nothing
written. Otherwise each row is checked on its own; `apply: false` (the preview) answers what
would be created, updated and refused and writes nothing; `apply: true` writes the good rows
in one transaction (each audited, each an outbox event) and reports the refused ones with
their line number and reason. A dish is matched by its English name, whatever its case: an
existing one is updated, a new one needs its category (made when new). An empty cell, or a
column the file does not have, leaves that value as it is.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos_app.api import Api, Call
from pos_app.audit import record_audit
from pos_app.auth.roles import BACK_OFFICE
from pos_app.branch.services import current_branch
from pos_app.errors import ValidationFailed
from pos_app.locks import lock_key
from pos_app.menu.models import Category, MenuItem, Station
from pos_app.menu.schemas import MenuItemSchema
from pos_app.outbox import record_event
from pos_app.schemas import MAX_MINOR, flag_field

COLUMNS = (
    "category",
    "category_ar",
    "name",
    "name_ar",
    "price",
    "station",
    "course",
    "prep_minutes",
    "available",
    "description",
    "description_ar",
    "active",
)
REQUIRED = ("name", "price")
MAX_ROWS = 2000
_TRUE, _FALSE = {"1", "true", "yes", "y", "نعم"}, {"0", "false", "no", "n", "لا"}


class ImportSchema(Schema):
    """A menu CSV to check (apply false: a preview) or to import (apply true)."""

    csv = fields.String(
        required=True,
        validate=validate.Length(1, 1_000_000),
        metadata={"description": "the file's text (UTF-8), header row first"},
    )
    apply = flag_field(load_default=False)


class ImportRowSchema(Schema):
    line = fields.Integer(metadata={"description": "the line of the file (the header is 1)"})
    name = fields.String()
    action = fields.String(metadata={"description": "create, update, unchanged or refused"})
    errors = fields.Dict(metadata={"description": "column -> why (refused rows)"})


class ImportReportSchema(Schema):
    """What an import did (or, as a preview, would do)."""

    applied = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    refused = fields.Integer()
    rows = fields.List(fields.Nested(ImportRowSchema))


# -- export -------------------------------------------------------------------------------------


def export_menu(call: Call):
    """The menu as CSV (both languages), for a spreadsheet or another branch."""
    from flask import Response

    session = call.session
    branch = current_branch(session)
    exponent = branch.currency_exponent if branch else 2
    stations = {s.id: s.code for s in session.scalars(select(Station))}
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs read the file as UTF-8 (Arabic names)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    items = session.scalars(
        select(MenuItem)
        .join(Category)
        .order_by(Category.sort, Category.id, MenuItem.sort, MenuItem.id)
    )
    for item in items:
        writer.writerow(
            _safe(cell)
            for cell in [
                item.category.name,
                item.category.name_ar,
                item.name,
                item.name_ar,
                _decimal(item.price_minor, exponent),
                stations.get(item.station_id, ""),
                "" if item.course is None else item.course,
                item.prep_minutes,
                "yes" if item.available else "no",
                item.description,
                item.description_ar,
                "yes" if item.active else "no",
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="menu.csv"'},
    )


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell):
    """A text cell a spreadsheet would run as a formula ("=HYPERLINK(...)") gets a leading
    apostrophe, which spreadsheets show as text; the import takes it off again."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA) else cell


def _unsafe(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA) else text


def _decimal(minor: int, exponent: int) -> str:
    whole, part = divmod(minor, 10**exponent)
    return f"{whole}.{part:0{exponent}d}" if exponent else str(whole)


# -- import -------------------------------------------------------------------------------------


def import_menu(call: Call):
    """Check a menu CSV (a preview) or import its good rows; refused rows say why."""
    session = call.session
    rows = read_rows(call.body["csv"])
    if call.body["apply"]:
        # Two imports at once (a double tap, two managers) queue: the second reads what the
        # first made, so its new categories and dishes are not made twice.
        lock_key(session, "menu-import")
    branch = current_branch(session)
    exponent = branch.currency_exponent if branch else 2
    stations = {
        s.code.lower(): s.id for s in session.scalars(select(Station).where(Station.active))
    }
    categories = {c.name.lower(): c for c in session.scalars(select(Category))}
    report = {"applied": call.body["apply"], "created": 0, "updated": 0, "unchanged": 0}
    report["refused"], report["rows"] = 0, []
    seen: set[str] = set()
    for line, raw in rows:
        name = _unsafe((raw.get("name") or "").strip())
        errors, values = _check(raw, exponent, stations)
        if name.lower() in seen:
            errors["name"] = "this dish is on an earlier line of the file"
        item = _existing(session, name) if name else None
        category = _category_of(raw, categories)
        if item is None and not errors and category is None:
            errors["category"] = "a new dish needs its category"
        if errors:
            report["refused"] += 1
            report["rows"].append(
                {"line": line, "name": name, "action": "refused", "errors": errors}
            )
            continue
        seen.add(name.lower())
        action = _apply_row(call, item, category, values, categories, call.body["apply"])
        report[{"create": "created", "update": "updated"}.get(action, "unchanged")] += 1
        report["rows"].append({"line": line, "name": name, "action": action, "errors": {}})
    return ImportReportSchema().dump(report)


def read_rows(
    text: str,
    columns: tuple = COLUMNS,
    required: tuple = REQUIRED,
    max_rows: int = MAX_ROWS,
    what: str = "a menu file's",
    rows_are: str = "dishes",
) -> list[tuple[int, dict]]:
    """The rows of a CSV file (by default a menu file) with their line numbers, the header
    checked against `columns` and `required`; 422 for a file that cannot be read."""
    text = text.removeprefix("\ufeff")
    if "\ufffd" in text:
        raise ValidationFailed(
            "the file is not UTF-8 text: save it as 'CSV UTF-8' and try again",
            {"csv": ["not UTF-8"]},
            "bad_encoding",
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as err:
        raise ValidationFailed(f"the file is not CSV: {err}", {"csv": [str(err)]}) from err
    unknown = [h for h in header if h not in columns]
    missing = [c for c in required if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = [f"unknown column '{h}'" for h in unknown]
        problems += [f"missing column '{c}'" for c in missing]
        if len(set(header)) != len(header):
            problems.append("a column appears twice")
        raise ValidationFailed(
            f"the header row is not {what}: " + "; ".join(problems),
            {"csv": problems},
            "bad_columns",
        )
    reader.fieldnames = header
    rows = []
    # (the apostrophe the export put before a formula-like cell is taken off in _check)
    try:
        for record in reader:
            if reader.line_num - 1 > max_rows:
                raise ValidationFailed(
                    f"at most {max_rows} {rows_are} in one file", {"csv": ["too many rows"]}
                )
            if None in record:  # more cells than columns
                record = {**record, "_extra": record.pop(None)}
            if any((v or "").strip() for k, v in record.items() if k != "_extra"):
                rows.append((reader.line_num, record))
    except csv.Error as err:
        raise ValidationFailed(
            f"line {reader.line_num} cannot be read: {err}", {"csv": [str(err)]}
        ) from err
    return rows


def _check(raw: dict, exponent: int, stations: dict) -> tuple[dict, dict]:
    """(errors by column, the values to save) of one row."""
    errors, values = {}, {}
    if "_extra" in raw:
        errors["row"] = "more cells than columns"
    for column, limit in (("name", 120), ("name_ar", 120), ("category", 120), ("category_ar", 120)):
        text = _unsafe((raw.get(column) or "").strip())
        if len(text) > limit:
            errors[column] = f"at most {limit} characters"
        elif "\x00" in text:
            errors[column] = "contains a NUL character"
        elif column in ("name", "name_ar") and text:  # an empty cell leaves the name as it is
            values[column] = text
    if not values.get("name") and "name" not in errors:
        errors["name"] = "required"
    price = parse_amount((raw.get("price") or "").strip(), exponent)
    if price is None:
        errors["price"] = "a price like 12.50, from 0 to 1000000"
    else:
        values["price_minor"] = price
    station = (raw.get("station") or "").strip().lower()
    if station:
        if station not in stations:
            errors["station"] = f"no station with code '{station}'"
        else:
            values["station_id"] = stations[station]
    for column, low, high in (("course", 0, 9), ("prep_minutes", 0, 240)):
        text = (raw.get(column) or "").strip()
        if text:
            if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
                errors[column] = f"a whole number from {low} to {high}"
            else:
                values[column] = int(text)
    for column in ("available", "active"):
        text = (raw.get(column) or "").strip().lower()
        if text:
            if text not in _TRUE | _FALSE:
                errors[column] = "yes or no"
            else:
                values[column] = text in _TRUE
    for column in ("description", "description_ar"):
        text = _unsafe((raw.get(column) or "").strip())
        if len(text) > 500:
            errors[column] = "at most 500 characters"
        elif text:
            values[column] = text
    return errors, values


def parse_amount(text: str, exponent: int) -> int | None:
    """'12.50' as 1250 minor units (at most `exponent` decimals, 0 to MAX_MINOR), else None."""
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -exponent:
        return None
    minor = int(amount * 10**exponent)
    return minor if minor <= MAX_MINOR else None


def _existing(session: Session, name: str) -> MenuItem | None:
    return session.scalar(select(MenuItem).where(func.lower(MenuItem.name) == name.lower()))


def _category_of(raw: dict, categories: dict) -> Category | tuple[str, str] | None:
    """The row's category: an existing one, (name, Arabic name) of a new one, or None."""
    name = _unsafe((raw.get("category") or "").strip())
    if not name:
        return None
    return categories.get(name.lower()) or (name, _unsafe((raw.get("category_ar") or "").strip()))


def _apply_row(call: Call, item, category, values: dict, categories: dict, apply: bool) -> str:
    """Create or update one row's dish (only counted, not written, when `apply` is false)."""
    session = call.session
    if isinstance(category, tuple):  # a new category: made once, for every row naming it
        name, name_ar = category
        if apply:
            category = Category(name=name, name_ar=name_ar)
            session.add(category)
            session.flush()
            after = {"id": category.id, "name": name, "name_ar": name_ar}
            record_audit(
                session, call.actor, "category.created", "category", category.id, None, after
            )
            record_event(session, "category.created", "category", category.id, after)
        categories[name.lower()] = category
    if item is None:
        if apply:
            item = MenuItem(category=category, **values)
            session.add(item)
            session.flush()
            after = MenuItemSchema().dump(item)
            record_audit(
                session, call.actor, "menu_item.created", "menu_item", item.id, None, after
            )
            record_event(session, "menu_item.created", "menu_item", item.id, after)
        return "create"
    if isinstance(category, Category) and category.id != item.category_id:
        values["category_id"] = category.id
    changed = {k: v for k, v in values.items() if getattr(item, k) != v}
    if isinstance(category, tuple):
        changed["category"] = category  # moved to a category the preview has not made
    if not changed:
        return "unchanged"
    if apply:
        before = MenuItemSchema().dump(item)
        for key, value in changed.items():
            setattr(item, key, value)
        session.flush()
        after = MenuItemSchema().dump(item)
        diff = {k: v for k, v in after.items() if before.get(k) != v and k != "updated_at"}
        old = {k: before.get(k) for k in diff}
        record_audit(
            session,
            call.actor,
            "menu_item.updated",
            "menu_item",
            item.id,
            old,
            diff,
            reason="menu CSV import",
        )
        record_event(session, "menu_item.updated", "menu_item", item.id, after)
    return "update"


def register(api: Api) -> None:
    api.add(
        "/menu/export.csv",
        "GET",
        export_menu,
        roles=BACK_OFFICE,
        tag="menu",
        summary="The menu as CSV (both languages)",
        media_type="text/csv",
    )
    api.add(
        "/menu/import",
        "POST",
        import_menu,
        roles=BACK_OFFICE,
        tag="menu",
        body=ImportSchema,
        response=ImportReportSchema,
        strong_auth=True,
        keeps_answers=False,
    )
