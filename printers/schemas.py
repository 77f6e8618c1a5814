"""marshmallow schema of printer configuration."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from pos_app.schemas import BaseSchema, count_field, name_field, ref_field
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
    raster_text = fields.Boolean()
    role = fields.Enum(PrinterRole, by_value=True, required=True)
    station_id = ref_field(allow_none=True)
    backup_printer_id = ref_field(allow_none=True)


class PrinterFilter(Schema):
    """Filters of the printer list."""

    active = fields.Boolean()
    station_id = fields.Integer()
