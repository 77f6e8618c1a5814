"""marshmallow schemas of login, staff and two-factor enrolment."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from pos_app.auth.models import Role
from pos_app.schemas import BaseSchema, name_field, pattern, query_flag, ref_field

PIN = validate.Regexp(r"^[0-9]{4,8}$", error="4 to 8 digits")
LOCALES = validate.OneOf(("en", "ar"))


class LoginSchema(Schema):
    """A PIN, or an email and password (plus a TOTP code once enrolled)."""

    pin = fields.String(validate=PIN)
    email = fields.Email(validate=validate.Length(max=254))
    password = fields.String(validate=validate.Length(1, 200), load_only=True)
    otp = fields.String(validate=pattern(r"^[0-9 ]{6,8}$", error="6 digits"))
    device = fields.String(validate=validate.Length(max=120))

    @validates_schema
    def _one_way(self, data, **_kw):
        if "pin" in data and ("email" in data or "password" in data):
            raise ValidationError("give a PIN or an email and password, not both", "pin")
        if "pin" not in data and not ("email" in data and "password" in data):
            if "email" in data:
                raise ValidationError("Missing data for required field.", "password")
            if "password" in data:
                raise ValidationError("Missing data for required field.", "email")
            raise ValidationError("give a PIN, or an email and a password", "pin")


class StaffBriefSchema(Schema):
    """Who a token belongs to."""

    id = fields.Integer()
    name = fields.String()
    role = fields.Enum(Role, by_value=True)
    locale = fields.String(allow_none=True)


class LoginResponseSchema(Schema):
    """A bearer token and its staff member."""

    token = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds until the token expires"})
    staff = fields.Nested(StaffBriefSchema)


class StaffSchema(BaseSchema):
    """A staff member; PIN and password are write-only and stored as argon2 hashes."""

    name = name_field()
    role = fields.Enum(Role, by_value=True, required=True)
    pin = fields.String(validate=PIN, load_only=True, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    password = fields.String(validate=validate.Length(10, 200), load_only=True, allow_none=True)
    locale = fields.String(validate=LOCALES, allow_none=True)
    has_pin = fields.Function(lambda s: bool(s.pin_hash), dump_only=True)
    has_password = fields.Function(lambda s: bool(s.password_hash), dump_only=True)
    totp_enabled = fields.Boolean(dump_only=True)


class StaffFilter(Schema):
    """Filters of the staff list."""

    active = query_flag()
    role = fields.Enum(Role, by_value=True)


class TotpEnrolmentSchema(Schema):
    """A new TOTP secret to add to an authenticator app."""

    secret = fields.String()
    otpauth_uri = fields.String()
    qr_svg = fields.String(metadata={"description": "the otpauth URI as an SVG QR code"})


class TotpConfirmSchema(Schema):
    """The code the authenticator app shows."""

    code = fields.String(required=True, validate=pattern(r"^[0-9 ]{6,8}$", error="6 digits"))


class DeviceTokenSchema(Schema):
    """A long-lived token for a kitchen screen that stays signed in."""

    staff_id = ref_field(required=True)
    device = fields.String(required=True, validate=validate.Length(1, 120))
    days = fields.Integer(strict=True, load_default=90, validate=validate.Range(1, 365))


class DeviceTokenOutSchema(Schema):
    """The new device token (shown once) and the page that signs the screen in with it."""

    token = fields.String()
    expires_in = fields.Integer()
    login_url = fields.String()
