"""marshmallow schema of printer configuration."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos_app.schemas import (
    MAX_ID,
    UUID,
    BaseSchema,
    QueryInteger,
    count_field,
    flag_field,
    name_field,
    query_flag,
    query_id,
    ref_field,
)
from printers.models import PrinterConnection, PrinterRole


class PrinterSchema(BaseSchema):
    """How to reach a printer and what it prints."""

    name = name_field()
    connection = fields.Enum(PrinterConnection, by_value=True, required=True)
    host = fields.String(allow_none=True, validate=validate.Length(1, 255))
    port = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 65535))
    device_path = fields.String(allow_none=True, validate=validate.Length(1, 255))
    usb_vendor_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 0xFFFF))
    usb_product_id = fields.Integer(
        strict=True, allow_none=True, validate=validate.Range(0, 0xFFFF)
    )
    baudrate = fields.Integer(
        strict=True, allow_none=True, validate=validate.OneOf((9600, 19200, 38400, 57600, 115200))
    )
    paper_width_mm = fields.Integer(strict=True, validate=validate.OneOf((58, 80)))
    chars_per_line = count_field(24, 64)
    codepage = fields.String(allow_none=True, validate=validate.Length(1, 32))
    raster_text = flag_field()
    role = fields.Enum(PrinterRole, by_value=True, required=True)
    station_id = ref_field(allow_none=True)
    backup_printer_id = ref_field(allow_none=True)
    answers_status = flag_field()
    bilingual = flag_field()
    language = fields.String(
        validate=validate.OneOf(("en", "ar")),
        metadata={"description": "the paper's labels, and which language comes first"},
    )
    cash_drawer = flag_field(
        metadata={"description": "receipt printer with the cash drawer wired to it"}
    )
    online = fields.Boolean(dump_only=True, allow_none=True)
    paper_out = fields.Boolean(dump_only=True)
    last_error = fields.String(dump_only=True)
    last_printed_at = fields.DateTime(dump_only=True, allow_none=True)


class PrintJobSchema(Schema):
    """A print job as the admin page lists it."""

    id = fields.Integer()
    printer_id = fields.Integer()
    origin_printer_id = fields.Integer()
    station_id = fields.Integer(allow_none=True)
    kind = fields.String()
    marks = fields.List(fields.String())
    source = fields.String()
    status = fields.String(attribute="status.value")
    attempts = fields.Integer()
    last_error = fields.String()
    created_at = fields.DateTime()
    printed_at = fields.DateTime(allow_none=True)


class PrintJobFilter(Schema):
    """Filters of the print job list."""

    printer_id = query_id()
    status = fields.String(validate=validate.OneOf(("pending", "sending", "printed")))
    source = fields.String(validate=validate.Length(1, 64))


class ReprintSchema(Schema):
    """Why a job is printed again (written to the audit log)."""

    reason = fields.String(load_default="reprint asked", validate=validate.Length(1, 300))


class OrderReprintSchema(Schema):
    """Which order's chit to print again at which station, and why (audited)."""

    order_id = fields.String(required=True, validate=UUID)
    station_id = ref_field(required=True)
    course = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 9))
    reason = fields.String(
        load_default="reprint asked from the kitchen screen", validate=validate.Length(1, 300)
    )


class PrinterFilter(Schema):
    """Filters of the printer list."""

    active = query_flag()
    station_id = query_id()


class VirtualOutputQuery(Schema):
    """Which jobs of a virtual printer: those numbered after `after` (0: the newest 50)."""

    after = QueryInteger(load_default=0, validate=validate.Range(0, MAX_ID))


class PaperPartSchema(Schema):
    """One part of a printed ticket, in print order."""

    kind = fields.String(
        validate=validate.OneOf(("text", "image", "qr", "drawer", "cut", "unreadable"))
    )
    text = fields.String(metadata={"description": "text, unreadable: what it says; qr: the data"})
    width = fields.Integer(metadata={"description": "image: dots wide (the paper is 576 or 384)"})
    height = fields.Integer()
    png = fields.String(
        allow_none=True,
        metadata={"description": "image, qr: a data:image/png URL (null: too large to preview)"},
    )


class VirtualTicketSchema(Schema):
    """One job a virtual printer received: readable text and the paper as printed."""

    number = fields.Integer(metadata={"description": "1 for the printer's first job, counting on"})
    at = fields.Float(metadata={"description": "when it arrived, seconds since 1970 (UTC)"})
    complete = fields.Boolean(metadata={"description": "false: cut off mid-ticket"})
    bytes = fields.Integer()
    text = fields.String(metadata={"description": 'images as "[image WxH]", QR codes as "[QR …]"'})
    paper = fields.List(fields.Nested(PaperPartSchema))
