"""Auth endpoints (login, step-up, logout, me, two-factor enrolment) and the staff resource."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import current_app, request, url_for

from pos_app.api import PUBLIC, Api, Call, roles
from pos_app.auth import devices, schemas, services
from pos_app.auth import staff as staff_rules
from pos_app.auth.models import Staff
from pos_app.auth.roles import ALL_ROLES, BACK_OFFICE
from pos_app.auth.tokens import revoke_all_for, revoke_token
from pos_app.crud import Resource, get_or_404, register_resource
from pos_app.db import begin_writing
from pos_app.errors import error_response


def login_source() -> devices.LoginSource:
    """Where this request comes from: the device's id (X-POS-Device header, else the
    pos_device cookie; None if absent or malformed) and its address on the shop's LAN."""
    raw = request.headers.get(devices.HEADER) or request.cookies.get(devices.COOKIE)
    return devices.LoginSource(devices.clean_device_id(raw), request.remote_addr or "unknown")


def settings() -> services.AuthSettings:
    """The auth settings of the running app."""
    return services.AuthSettings.from_config(current_app.config)


def login(call: Call):
    """Sign in with a PIN, or with email, password and two-factor code; answers a bearer token."""
    body, source = call.body, login_source()
    if "pin" in body:  # begun as a reader: argon2 runs without SQLite's write lock
        result = services.login_with_pin(
            call.session, body["pin"], source, settings(), begin_writing
        )
    else:
        begin_writing(call.session)
        result = services.login_with_password(
            call.session, body["email"], body["password"], body.get("otp"), source, settings()
        )
    if result.error:
        # Answer the error *and* commit: the failed try must count towards the rate limit.
        return error_response(result.error)
    return schemas.LoginResponseSchema().dump(
        {
            "token": result.token,
            "expires_in": settings().token_ttl_hours * 3600,
            "staff": result.staff,
            "device_id": result.device_id,
        }
    )


def step_up(call: Call):
    """Confirm your password (and two-factor code): this PIN sign-in counts as strong a while.

    Menu, promotions, printers, stations, staff, device tokens and two-factor set-up need a
    strong sign-in; the step-up lasts POS_STEP_UP_SECONDS and is rate-limited like logins.
    """
    until, error = services.step_up(
        call.session, call.actor, call.token, call.body, login_source(), settings()
    )
    if error:
        return error_response(error)  # committed: the failure counts like a failed login
    return {"strong_until": until.isoformat(), "expires_in": settings().step_up_s}


def issue_pin(call: Call, obj_id: int):
    """Issue a staff member a new random PIN nobody else has, shown in this answer only.

    Their sessions end. PINs are never chosen through the API: refusing one in use would
    tell which PINs are taken.
    """
    staff = get_or_404(call.session, Staff, obj_id, "staff")
    return {"pin": staff_rules.issue_pin(call.session, call.actor, staff, settings())}


def reset_totp(call: Call, obj_id: int):
    """Turn off an owner's or manager's two-factor sign-in (a lost phone): owners only, not
    their own; the person's sessions end and they enrol again after signing in."""
    staff = get_or_404(call.session, Staff, obj_id, "staff")
    staff_rules.reset_totp(call.session, call.actor, staff)
    return None, 204


def pair_screen(call: Call):
    """Pair the kitchen screen showing this code (on /pair) with a kitchen login; the screen
    signs itself in. A wrong code answers 404 and counts against the caller (10 in 10 min)."""
    from pos_app.auth import pairing

    body = call.body
    paired, _wait = pairing.approve(
        call.session, call.actor, body["code"], body["staff_id"], body["device_name"].strip()
    )
    if paired is None:  # answered, not raised: the wrong code's count is committed
        return pairing.not_found().envelope(), 404
    return {"staff_id": paired.staff_id, "device_name": paired.device_name}


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
        reads_first=True,
    )
    api.add(
        "/auth/step-up",
        "POST",
        step_up,
        roles=BACK_OFFICE,
        tag="auth",
        body=schemas.StepUpSchema,
        response=schemas.StepUpOutSchema,
        errors=(401, 429),
        keeps_answers=False,  # nothing to replay: a step-up is proven again each time
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
        strong_auth=True,
        keeps_answers=False,  # the answer is a token: a replay must not hand it out again
    )
    api.add(
        "/auth/screen-pairings",
        "POST",
        pair_screen,
        roles=BACK_OFFICE,
        tag="auth",
        body=schemas.ScreenPairingSchema,
        response=schemas.ScreenPairedSchema,
        status=201,
        strong_auth=True,
        errors=(404, 429),
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
        strong_auth=True,  # else a PIN could lock its owner's password login behind a code
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
        strong_auth=True,
    )
    register_resource(api, STAFF)
    api.add(
        "/staff/<int:obj_id>/totp",
        "DELETE",
        reset_totp,
        roles=roles("owner"),
        tag="staff",
        status=204,
        strong_auth=True,
        errors=(404, 409),
    )
    api.add(
        "/staff/<int:obj_id>/pin",
        "POST",
        issue_pin,
        roles=BACK_OFFICE,
        tag="staff",
        response=schemas.IssuedPinSchema,
        strong_auth=True,
        errors=(429,),
        keeps_answers=False,  # the answer is the PIN: never kept for a replay
    )
