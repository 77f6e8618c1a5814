"""marshmallow schemas of login, staff and two-factor enrolment."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from pos_app.auth.models import Role
from pos_app.schemas import BaseSchema, name_field, pattern, query_flag, ref_field

PIN = pattern(r"^[0-9]{4,8}$", error="4 to 8 digits")
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
    """A bearer token, its staff member, and the device's id for later logins."""

    token = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds until the token expires"})
    staff = fields.Nested(StaffBriefSchema)
    device_id = fields.String(
        metadata={
            "description": "this device's id (new if none was sent): send it as the "
            "X-POS-Device header on later logins, so this device's wrong PINs count against "
            "it alone and it keeps working while unknown devices are locked out"
        }
    )


class StepUpSchema(Schema):
    """The signed-in owner's or manager's password, and the TOTP code once enrolled."""

    password = fields.String(required=True, validate=validate.Length(1, 200), load_only=True)
    otp = fields.String(validate=pattern(r"^[0-9 ]{6,8}$", error="6 digits"))


class StepUpOutSchema(Schema):
    """Until when this token counts as a strong sign-in."""

    strong_until = fields.DateTime()
    expires_in = fields.Integer(metadata={"description": "seconds the step-up lasts"})


class IssuedPinSchema(Schema):
    """A new PIN chosen by the server: shown in this answer only, never stored in clear."""

    pin = fields.String()


def _refuse_chosen_pin(_value) -> None:
    raise ValidationError(
        "PINs are issued by the server: POST /api/v1/staff/{id}/pin gives a new one"
    )


class StaffSchema(BaseSchema):
    """A staff member; the password is write-only and stored as an argon2 hash. A PIN is not
    chosen here: the server issues one (POST /api/v1/staff/{id}/pin)."""

    name = name_field()
    role = fields.Enum(Role, by_value=True, required=True)
    # Refused whatever its value, so the answer cannot tell a PIN in use from a free one.
    pin = fields.Raw(load_only=True, allow_none=True, validate=_refuse_chosen_pin)
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


class ScreenPairingSchema(Schema):
    """The code a kitchen screen shows on /pair, and the kitchen login it is to work as."""

    code = fields.String(
        required=True,
        validate=[validate.Length(1, 12), pattern(r"^[A-Za-z0-9 -]+$")],
        metadata={"description": "as the screen shows it ('K7Q 4MZ'); case and spaces ignored"},
    )
    staff_id = ref_field(required=True)
    device_name = fields.String(load_default="", validate=validate.Length(0, 60))


class ScreenPairedSchema(Schema):
    """The screen is paired: it signs itself in within two seconds."""

    staff_id = fields.Integer()
    device_name = fields.String()
