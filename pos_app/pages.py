"""Browser pages of the kernel: PIN login, back-office login, the role's home, admin frame.

Pages use a session cookie that carries the same kind of token as the API (so logout and
deactivation revoke both), and every form is CSRF-checked. The login pages also give the
browser a long-lived `pos_device` cookie: once a login from it succeeded, its wrong PINs count
against it alone (pos_app/auth/pinguard.py).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlparse

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from pos_app.auth import devices, passwords, services
from pos_app.auth.models import BACK_OFFICE, Role, Staff
from pos_app.auth.tokens import resolve_token, revoke_token
from pos_app.auth.views import qr_svg, settings
from pos_app.csrf import check_csrf
from pos_app.db import unit_of_work
from pos_app.errors import PosError, RateLimited
from pos_app.i18n import LANGUAGES
from pos_app.menu.services import menu_for_handhelds

bp = Blueprint("pages", __name__)
TOTP_ISSUER = "Restaurant POS"  # the name authenticator apps show next to the code

PAGES = (
    ("/", "GET", "Start: the role's home, or the PIN login"),
    ("/login", "GET", "PIN login page for handhelds and kitchen screens"),
    ("/login", "POST", "PIN login form (CSRF-checked)"),
    ("/backoffice/login", "GET", "Back-office login page (email, password, two-factor code)"),
    ("/backoffice/login", "POST", "Back-office login form (CSRF-checked)"),
    ("/login/device", "GET", "A kitchen screen signs in with its device token (?token=)"),
    ("/logout", "POST", "Sign out (CSRF-checked)"),
    ("/lang/<code>", "GET", "Switch the page language (en, ar)"),
    ("/home", "GET", "The signed-in staff member's home"),
    ("/admin/menu", "GET", "Back office: the menu in both languages"),
    ("/admin/security", "GET", "Back office: two-factor enrolment"),
    ("/admin/security", "POST", "Back office: start or confirm two-factor enrolment"),
)


def page_actor():
    """The signed-in Actor of this browser session, or None."""
    if "actor" not in g:
        g.actor = None
        if session.get("token"):
            try:
                with unit_of_work(write=False) as s:
                    g.actor, _token = resolve_token(s, session["token"])
            except PosError:
                session.pop("token", None)
    return g.actor


def login_required(*roles: Role):
    """Page decorator: redirect to the right login page, 403 for a role that may not see it."""

    def decorate(view):
        @wraps(view)
        def wrapped(**kwargs):
            actor = page_actor()
            if actor is None:
                target = (
                    "pages.backoffice_login"
                    if set(roles) <= BACK_OFFICE and roles
                    else "pages.pin_login"
                )
                return redirect(url_for(target, next=request.full_path))
            if roles and actor.role not in roles:
                return render_template("pos_app/forbidden.html"), 403
            return view(**kwargs)

        return wrapped

    return decorate


def _safe_next(default: str) -> str:
    """`next` when it is a path on this server, else `default` (no open redirect)."""
    target = request.values.get("next") or default
    # Browsers read a backslash as a slash and drop tabs and newlines: `/\evil.example`
    # and `/\t/evil.example` would leave the site although urlparse sees no host in them.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parsed = urlparse(target)
    return target if not parsed.netloc and not parsed.scheme and target.startswith("/") else default


def device_source() -> devices.LoginSource:
    """This browser as a login source: its `pos_device` cookie, set now if it had none."""
    device_id = devices.clean_device_id(request.cookies.get(devices.COOKIE))
    if device_id is None:
        if "new_device_id" not in g:
            g.new_device_id = devices.new_device_id()
            after_this_request(_set_device_cookie)
        device_id = g.new_device_id
    return devices.LoginSource(device_id, request.remote_addr or "unknown")


def _set_device_cookie(response):
    response.set_cookie(
        devices.COOKIE,
        g.new_device_id,
        max_age=devices.COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def _start_session(token: str, staff: Staff) -> None:
    lang = session.get("lang")  # a language chosen on this device outlives the sign-in
    session.clear()
    session["token"] = token
    session["staff_locale"] = staff.locale
    session["role"] = staff.role.value
    if lang:
        session["lang"] = lang
    session.permanent = False


# Where each role starts after a PIN sign-in: the screen it works on.
ROLE_HOME = {
    "kitchen": "kds.screen",
    "waiter": "table_service_pages.handheld",
    "cashier": "billing_pages.cashier",
}


def role_home_url() -> str:
    """The page the signed-in role starts on (its working screen, else the home tiles)."""
    endpoint = ROLE_HOME.get(session.get("role", ""))
    if endpoint and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return url_for("pages.home")


@bp.route("/")
def index():
    return redirect(url_for("pages.home" if page_actor() else "pages.pin_login"))


@bp.route("/login", methods=["GET", "POST"])
def pin_login():
    error, source = None, device_source()
    if request.method == "POST":
        check_csrf()
        error = _try_login(
            lambda s: services.login_with_pin(s, request.form.get("pin", ""), source, settings())
        )
        if error is None:
            return redirect(_safe_next(role_home_url()))
    return render_template("auth/pin_login.html", error=error), 401 if error else 200


@bp.route("/backoffice/login", methods=["GET", "POST"])
def backoffice_login():
    error, source = None, device_source()
    if request.method == "POST":
        check_csrf()
        form = request.form
        error = _try_login(
            lambda s: services.login_with_password(
                s,
                form.get("email", ""),
                form.get("password", ""),
                form.get("otp") or None,
                source,
                settings(),
            )
        )
        if error is None:
            return redirect(_safe_next(url_for("pages.admin_menu")))
    status = 401 if error else 200
    return render_template("auth/backoffice_login.html", error=error), status


def _try_login(attempt) -> str | None:
    """Run a login service; start the session and return None, or return the message to show."""
    try:
        with unit_of_work() as s:
            result = attempt(s)
            if result.error is None:
                _start_session(result.token, result.staff)
    except RateLimited as err:
        return _("Too many wrong tries. Wait %(s)s seconds.", s=err.retry_after)
    if result.error is None:
        return None
    if result.error.code == "otp_required":
        if request.form.get("otp"):
            return _("Wrong two-factor code.")
        return _("Enter the code from your authenticator app.")
    return _("Wrong PIN.") if request.path == "/login" else _("Wrong email or password.")


@bp.route("/login/device")
def device_login():
    """A kitchen screen signs in with its device token (set up once by a manager)."""
    source = device_source()
    try:
        with unit_of_work() as s:
            _actor, token = resolve_token(s, request.args.get("token"))
            staff = s.get(Staff, token.staff_id)
            devices.remember(s, source.device_id, staff.id)  # a known device from now on
    except PosError:
        return render_template(
            "auth/pin_login.html", error=_("This screen link is not valid any more.")
        ), 401
    _start_session(request.args["token"], staff)
    return redirect(role_home_url())


@bp.route("/logout", methods=["POST"])
def logout():
    check_csrf()
    if session.get("token"):
        with unit_of_work() as s:
            revoke_token(s, session["token"])
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("pages.pin_login"))


@bp.route("/lang/<code>")
def switch_language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(url_for("pages.index")))


@bp.route("/home")
@login_required()
def home():
    return render_template("pos_app/home.html", actor=page_actor())


@bp.route("/admin/menu")
@login_required(Role.owner, Role.manager)
def admin_menu():
    with unit_of_work(write=False) as s:
        menu = menu_for_handhelds(s)
    return render_template("admin/menu.html", menu=menu, actor=page_actor())


@bp.route("/admin/security", methods=["GET", "POST"])
@login_required(Role.owner, Role.manager)
def admin_security():
    actor, enrolment, error, retry = page_actor(), None, None, False
    if not actor.strong:
        # A PIN sign-in may not turn two-factor on: it would lock the password login.
        return redirect(url_for("pages.backoffice_login", next=request.full_path))
    if request.method == "POST":
        check_csrf()
        try:
            with unit_of_work() as s:
                if request.form.get("action") == "confirm":
                    services.confirm_totp(s, actor, request.form.get("code", ""))
                else:
                    secret, uri = services.begin_totp_enrolment(s, actor, TOTP_ISSUER)
                    enrolment = {"secret": secret, "qr_svg": qr_svg(uri)}
        except PosError as err:
            error, retry = _totp_error(err), err.code == "wrong_otp"
    with unit_of_work(write=False) as s:
        staff = s.get(Staff, actor.staff_id)
        enabled = staff.totp_enabled
        if retry and not enabled and staff.totp_secret:
            # A mistyped code keeps the secret the app has already scanned: show it again.
            uri = passwords.totp_uri(staff.totp_secret, staff.email or staff.name, TOTP_ISSUER)
            enrolment = {"secret": staff.totp_secret, "qr_svg": qr_svg(uri)}
    return render_template(
        "admin/security.html", actor=actor, enrolment=enrolment, enabled=enabled, error=error
    )


def _totp_error(err: PosError) -> str:
    """The enrolment error in the page's language (the services speak English to the API)."""
    messages = {
        "totp_enabled": _("Two-factor sign-in is already on."),
        "totp_not_started": _("Start the set-up first."),
        "wrong_otp": _("Wrong two-factor code."),
        "forbidden_role": _("Two-factor sign-in is for owners and managers."),
    }
    return messages.get(err.code, err.message)


def register(app) -> None:
    """Add the pages and list them in the OpenAPI document."""
    app.register_blueprint(bp)
    api = app.extensions["pos_api"]
    for rule, method, summary in PAGES:
        api.document_page(rule, method, summary)
