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
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pos_app.auth import devices, pairing, passwords, services
from pos_app.auth.models import Role, Staff
from pos_app.auth.roles import BACK_OFFICE
from pos_app.auth.tokens import resolve_token, revoke_token
from pos_app.auth.views import qr_svg, settings
from pos_app.csrf import check_csrf
from pos_app.db import begin_writing, unit_of_work
from pos_app.error_pages import error_page
from pos_app.errors import PosError, RateLimited
from pos_app.i18n import LANGUAGES, remember_language

bp = Blueprint("pages", __name__)
TOTP_ISSUER = "Restaurant POS"  # the name authenticator apps show next to the code

PAGES = (
    ("/", "GET", "Start: the role's screen, or the PIN login"),
    ("/login", "GET", "PIN login page (signed-in staff are sent on to their screen)"),
    ("/login", "POST", "PIN login form (CSRF-checked)"),
    ("/backoffice/login", "GET", "Back-office login page (email, password, two-factor code)"),
    ("/backoffice/login", "POST", "Back-office login form (CSRF-checked)"),
    ("/login/device", "GET", "A kitchen screen signs in with its device token (?token=)"),
    ("/pair", "GET", "A kitchen screen shows a code to be paired from the back office"),
    ("/logout", "POST", "Sign out (CSRF-checked)"),
    ("/lang/<code>", "GET", "Switch the page language (en, ar)"),
    ("/home", "GET", "Tiles to every screen the signed-in role may use"),
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
                return error_page(403)
            return view(**kwargs)

        wrapped.roles = frozenset(roles)  # the home page's tiles read who may open the page
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
    g.pop("actor", None)  # page_actor() read before the sign-in: read again
    lang = session.get("lang")  # a language chosen on this device outlives the sign-in
    session.clear()
    session["token"] = token
    session["role"] = staff.role.value
    if lang:
        session["lang"] = lang
    session.permanent = False


# Where each role starts after a sign-in, and where the brand link takes it back: the screen
# it works on. Owners and managers start on the home tiles (every screen they may open).
ROLE_HOME = {
    "kitchen": "kds.screen",
    "waiter": "table_service_pages.handheld",
    "cashier": "billing_pages.cashier",
    "owner": "backoffice.home",
    "manager": "backoffice.home",
}

# The home page's tiles, in order: (endpoint, title, line under it). Who sees a tile is
# read from the page's own @login_required roles, so a tile never leads to a 403.
HOME_TILES = (
    ("table_service_pages.handheld", _l("Floor and orders"), _l("Tables, orders, send to kitchen")),
    ("billing_pages.cashier", _l("Cashier"), _l("Bills, payments, shifts")),
    ("kds.screen", _l("Kitchen display"), _l("Tickets by station, expo")),
    ("stock_pages.stock_count", _l("Stock count"), _l("Count ingredients on a phone, offline too")),
    ("backoffice.home", _l("Back office"), _l("Today's figures, menu, staff, printers")),
    ("backoffice.menu", _l("Menu"), _l("Dishes and prices in both languages")),
    ("backoffice.staff", _l("Staff"), _l("Roles, PINs and sign-in")),
    ("printers_pages.admin_printers", _l("Printers"), _l("Status, test print, what was printed")),
    ("pages.admin_security", _l("Two-factor sign-in"), _l("Protect the back-office login")),
)


def role_home_url(role: str | None = None) -> str:
    """The page a role starts on (its working screen, else the home tiles)."""
    role = role if role is not None else session.get("role", "")
    endpoint = ROLE_HOME.get(role)
    if current_app.config["POS_MODE"] == "cloud" and role in ("owner", "manager"):
        endpoint = "cloud_pages.cloud_home"  # the cloud has branches, not one branch's office
    if endpoint and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return url_for("pages.home")


def way_back_url() -> str:
    """Where a page's brand link and an error page send this browser: the signed-in role's
    screen, else the PIN login. Reads the session only (an error page may have no database)."""
    if session.get("token") and session.get("role"):
        return role_home_url()
    return url_for("pages.pin_login")


def home_tiles(role: Role) -> list[dict]:
    """The tiles `role` may open, each with its link."""
    tiles = []
    for endpoint, title, line in HOME_TILES:
        view = current_app.view_functions.get(endpoint)
        allowed = getattr(view, "roles", None)
        if view is None or (allowed and role not in allowed):
            continue
        name = endpoint.rsplit(".", 1)[-1].replace("admin_", "")
        tiles.append({"url": url_for(endpoint), "title": title, "line": line, "id": name})
    return tiles


@bp.route("/")
def index():
    return redirect(role_home_url() if page_actor() else url_for("pages.pin_login"))


@bp.route("/login", methods=["GET", "POST"])
def pin_login():
    if request.method == "GET" and page_actor() is not None:
        # Back from a screen lands here: a signed-in device goes on to its screen, not the pad.
        return redirect(_safe_next(role_home_url()))
    error, source = None, device_source()
    if request.method == "POST":
        check_csrf()
        pin = request.form.get("pin", "")
        error = _try_login(
            lambda s: services.login_with_pin(s, pin, source, settings(), begin_writing),
            write=False,  # argon2 without SQLite's write lock (services.login_with_pin)
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
            return redirect(_safe_next(role_home_url()))
    status = 401 if error else 200
    return render_template("auth/backoffice_login.html", error=error), status


def _try_login(attempt, write: bool = True) -> str | None:
    """Run a login service; start the session and return None, or return the message to show."""
    try:
        with unit_of_work(write=write) as s:
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


@bp.route("/pair")
def pair_screen():
    """A kitchen screen not signed in: a code to type in the back office (Staff), and a QR
    code of that page for the manager's phone; the page asks /pair/status until paired."""
    if page_actor() is not None:
        return redirect(role_home_url())
    with unit_of_work() as s:
        found = pairing.waiting(s, session.get("pairing"))
        if found is None:
            secret, found = pairing.start(s)
            session["pairing"] = secret
        code, expires_at = found.code, found.expires_at
    link = url_for("backoffice.staff", pair=code, _external=True)
    shown = f"{code[:3]} {code[3:]}"
    return render_template(
        "auth/pair.html", code=shown, qr=qr_svg(link), expires_at=expires_at.isoformat()
    )


@bp.route("/pair/status")
def pair_status():
    """{"state": "waiting" | "paired" | "expired", "next": ...}; paired: signed in once."""
    with unit_of_work() as s:
        found = pairing.waiting(s, session.get("pairing"))
        if found is None:
            return {"state": "expired"}
        claimed = pairing.claim(s, found)
        if claimed is None:
            return {"state": "waiting"}
        token, staff = claimed
        devices.remember(s, device_source().device_id, staff.id)
    _start_session(token, staff)
    return {"state": "paired", "next": role_home_url(staff.role.value)}


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
    response = redirect(_safe_next(url_for("pages.index")))
    if code in LANGUAGES:
        session["lang"] = code
        remember_language(response, code)  # this device keeps it, signed in or not
    return response


@bp.route("/home")
@login_required()
def home():
    actor = page_actor()
    return render_template("pos_app/home.html", actor=actor, tiles=home_tiles(actor.role))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by themselves; base.html names the SVG one too."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=86400
    )


@bp.route("/admin/security", methods=["GET", "POST"])
@login_required(*BACK_OFFICE)
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
    app.context_processor(lambda: {"home_url": way_back_url})  # base.html's brand link
    api = app.extensions["pos_api"]
    for rule, method, summary in PAGES:
        api.document_page(rule, method, summary)
    api.document_page(
        "/favicon.ico", "GET", "The icon browsers show in the tab", media_type="image/x-icon"
    )
    api.document_page(
        "/pair/status",
        "GET",
        "The pairing screen asks whether it was paired (signs it in once)",
        media_type="application/json",
    )
