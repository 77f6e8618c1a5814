"""Auth endpoints (login, logout, me, two-factor enrolment) and the staff resource."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import current_app, request, url_for

from pos_app.api import PUBLIC, Api, Call, roles
from pos_app.auth import schemas, services
from pos_app.auth import staff as staff_rules
from pos_app.auth.models import ALL_ROLES, BACK_OFFICE, Staff
from pos_app.auth.tokens import revoke_all_for, revoke_token
from pos_app.crud import Resource, register_resource
from pos_app.errors import error_response


def device_key() -> str:
    """What identifies the device for rate limiting: its address on the shop's LAN."""
    return request.remote_addr or "unknown"


def settings() -> services.AuthSettings:
    """The auth settings of the running app."""
    return services.AuthSettings.from_config(current_app.config)


def login(call: Call):
    """Sign in with a PIN, or with email, password and two-factor code; answers a bearer token."""
    body, device = call.body, device_key()
    if "pin" in body:
        result = services.login_with_pin(call.session, body["pin"], device, settings())
    else:
        result = services.login_with_password(
            call.session, body["email"], body["password"], body.get("otp"), device, settings()
        )
    if result.error:
        # Answer the error *and* commit: the failed try must count towards the rate limit.
        return error_response(result.error)
    return schemas.LoginResponseSchema().dump(
        {
            "token": result.token,
            "expires_in": settings().token_ttl_hours * 3600,
            "staff": result.staff,
        }
    )


def logout(call: Call):
    """Revoke the token this request carries."""
    revoke_token(call.session, call.token)
    return None, 204


def me(call: Call):
    """Who the token belongs to."""
    return schemas.StaffSchema().dump(call.session.get(Staff, call.actor.staff_id))


def enroll_totp(call: Call):
    """Start two-factor enrolment: a new secret and its QR code for an authenticator app."""
    secret, uri = services.begin_totp_enrolment(call.session, call.actor, "Restaurant POS")
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": qr_svg(uri)}


def confirm_totp(call: Call):
    """Finish enrolment with the code the app shows; later back-office logins need a code."""
    services.confirm_totp(call.session, call.actor, call.body["code"])
    return None, 204


def qr_svg(data: str) -> str:
    """An SVG QR code of `data`, inline-able in a page."""
    out = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    return out.getvalue().decode()


def _staff_before_save(session, actor, staff, data, is_new):
    staff_rules.prepare_staff_change(session, actor, staff, data, is_new, settings())


def _staff_on_deactivate(session, actor, staff):
    staff_rules.check_may_deactivate(session, actor, staff)
    revoke_all_for(session, staff.id)


STAFF = Resource(
    "staff",
    "staff",
    Staff,
    schemas.StaffSchema,
    "staff",
    read_roles=BACK_OFFICE,
    write_roles=BACK_OFFICE,
    unique=("name", "email"),
    query=schemas.StaffFilter,
    before_save=_staff_before_save,
    on_deactivate=_staff_on_deactivate,
    strong_auth=True,
    order_by=("id",),
)


def device_token(call: Call):
    """Issue a long-lived token for a kitchen screen (a kitchen login), shown once."""
    body = call.body
    token = services.issue_device_token(
        call.session, call.actor, body["staff_id"], body["device"], body["days"]
    )
    login_url = url_for("pages.device_login", token=token)
    return {"token": token, "expires_in": body["days"] * 86400, "login_url": login_url}, 201


def register(api: Api) -> None:
    """Add the auth and staff endpoints."""
    api.add(
        "/auth/login",
        "POST",
        login,
        roles=PUBLIC,
        tag="auth",
        body=schemas.LoginSchema,
        response=schemas.LoginResponseSchema,
        errors=(401, 429),
    )
    api.add(
        "/auth/device-tokens",
        "POST",
        device_token,
        roles=BACK_OFFICE,
        tag="auth",
        body=schemas.DeviceTokenSchema,
        response=schemas.DeviceTokenOutSchema,
        status=201,
        keeps_answers=False,  # the answer is a token: a replay must not hand it out again
    )
    api.add(
        "/auth/logout", "POST", logout, roles=ALL_ROLES, tag="auth", status=204, keeps_answers=False
    )
    api.add("/auth/me", "GET", me, roles=ALL_ROLES, tag="auth", response=schemas.StaffSchema)
    api.add(
        "/auth/totp/enroll",
        "POST",
        enroll_totp,
        roles=roles("owner", "manager"),
        tag="auth",
        response=schemas.TotpEnrolmentSchema,
        keeps_answers=False,  # the answer is the TOTP secret
    )
    api.add(
        "/auth/totp/confirm",
        "POST",
        confirm_totp,
        roles=roles("owner", "manager"),
        tag="auth",
        body=schemas.TotpConfirmSchema,
        status=204,
    )
    register_resource(api, STAFF)
