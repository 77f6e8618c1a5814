"""Field types shared by the marshmallow schemas of every package (pure: no I/O).

Strict by design, because a lenient parse is a hostile input's way in: a JSON flag is true or
false (marshmallow's Boolean also takes "yes", "on", 1), a pattern matches the whole text (`$`
also matches before a trailing newline), an id fits the database's integer column, and every
string has the length of its column.
"""

from __future__ import annotations

import base64
import binascii
import re

from marshmallow import Schema, ValidationError, fields, validate

MAX_MINOR = 100_000_000  # 1,000,000.00 in a 2-decimal currency: no menu price is above it
MAX_ID = 2**31 - 1  # every id and counter column is a 32-bit integer on PostgreSQL
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class FullMatch(validate.Regexp):
    """A pattern the whole value must match (`re.fullmatch`), not just its beginning.

    The pattern keeps its `^...$` form for the OpenAPI document (JSON Schema patterns are
    ECMA-262, where `$` is the very end), and Python checks it with `fullmatch`, where a `$`
    no longer lets "1234\\n" through.
    """

    def __call__(self, value: str) -> str:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise validate.ValidationError(self._format_error(value))
        return value


def pattern(regex: str, error: str | None = None) -> FullMatch:
    """A FullMatch validator of `regex`."""
    return FullMatch(regex, error=error)


UUID = pattern(UUID_PATTERN, error="a UUID made by the device")


class Base64Bytes(fields.String):
    """Base64 text, loaded as the bytes it encodes (not empty); a `data:` URL's prefix of one
    of `data_types` (e.g. "image") is allowed and dropped."""

    def __init__(self, *args, data_types: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._prefix = re.compile(rf"^data:(?:{data_types})/[a-z+.-]{{1,20}};base64,")
        self._data_types = data_types

    def _deserialize(self, value, attr, data, **kwargs) -> bytes:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if self._data_types:
            text = self._prefix.sub("", text, count=1)
        try:
            raw = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError) as err:
            raise ValidationError("not base64") from err
        if not raw:
            raise ValidationError("empty")
        return raw


class StrictBoolean(fields.Boolean):
    """A JSON `true` or `false`, nothing else (not "true", "yes", 1 or "on")."""

    default_error_messages = {"invalid": "Not a valid boolean: send true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class QueryBoolean(fields.Boolean):
    """A boolean in a query string: exactly `true` or `false`."""

    default_error_messages = {"invalid": "Not a valid boolean: true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "true":
            return True
        if value == "false":
            return False
        raise self.make_error("invalid")


class QueryInteger(fields.Integer):
    """A whole number in a query string: ASCII digits with an optional minus, nothing else
    (`int()` also takes " 7", "7_0" and Arabic-Indic digits)."""

    _DIGITS = re.compile(r"-?[0-9]{1,12}")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and self._DIGITS.fullmatch(value) is None:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def flag_field(**kw) -> StrictBoolean:
    """A true/false field of a JSON body."""
    return StrictBoolean(**kw)


class QueryInstant(fields.String):
    """An instant in a query string: ISO 8601 with its offset (`2026-12-04T10:00:00Z`,
    `...+03:00`), read as an aware datetime; without an offset it is refused, not guessed."""

    _ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"

    def __init__(self, **kw):
        super().__init__(validate=[validate.Length(max=40), FullMatch(self._ISO)], **kw)

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import datetime

        text = super()._deserialize(value, attr, data, **kwargs)
        for check in self.validators:  # the pattern first: fromisoformat takes more
            check(text)
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as err:
            raise ValidationError("Not a valid date and time.") from err

    def _validate(self, value) -> None:
        """The text was checked in _deserialize; the datetime it became has no length."""


def query_flag(**kw) -> QueryBoolean:
    """A true/false filter of a query string."""
    return QueryBoolean(**kw)


def query_id(**kw) -> QueryInteger:
    """An id filter of a query string, in the range of the id columns."""
    return QueryInteger(validate=validate.Range(1, MAX_ID), **kw)


def name_field(required: bool = True, max_len: int = 120, **kw) -> fields.String:
    """A trimmed display name in one language."""
    return fields.String(required=required, validate=validate.Length(1, max_len), **kw)


def arabic_field(max_len: int = 120) -> fields.String:
    """The Arabic twin of a display name (may be empty until translated)."""
    return fields.String(validate=validate.Length(0, max_len))


def money_field(minimum: int = 0, **kw) -> fields.Integer:
    """An amount in integer minor units (halalas, cents)."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, MAX_MINOR), **kw)


def count_field(minimum: int = 0, maximum: int = 10_000, **kw) -> fields.Integer:
    """A bounded whole number (seats, minutes, sort order)."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, maximum), **kw)


def ref_field(**kw) -> fields.Integer:
    """The id of another row (checked to exist by the resource)."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)


def version_field(**kw) -> fields.Integer:
    """The version of a row the device last saw."""
    return fields.Integer(strict=True, validate=validate.Range(0, MAX_ID), **kw)


class BaseSchema(Schema):
    """Every resource has an id, an active flag and an update time."""

    id = fields.Integer(dump_only=True)
    active = flag_field()
    updated_at = fields.DateTime(dump_only=True)
