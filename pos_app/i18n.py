"""Language of pages: English or Arabic (right to left), chosen per device.

A device keeps its language across sign-ins: the browser's own language until someone taps the
switch on any page (login included), then that choice, remembered in a long-lived cookie. A
staff member signing in never changes it by surprise (the demo's Arabic-speaking waiter used
to turn an English login page Arabic).
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l

LANGUAGES = {"en": {"dir": "ltr", "label": "English"}, "ar": {"dir": "rtl", "label": "العربية"}}

# base.html shows `_(actor.role.value|capitalize)`: a msgid made at run time, which pybabel
# cannot see. Naming the role labels here puts them in messages.pot (`make messages`).
ROLE_LABELS = {
    "owner": _l("Owner"),
    "manager": _l("Manager"),
    "cashier": _l("Cashier"),
    "waiter": _l("Waiter"),
    # TRANSLATORS: the role of a cook or of a kitchen screen's login, not the room.
    "kitchen": _l("Kitchen"),
}


COOKIE = "pos_lang"
COOKIE_MAX_AGE_S = 400 * 24 * 3600  # the longest a browser keeps a cookie


def select_locale() -> str:
    """?lang= on the URL, then the device's choice, then the browser's, then the default."""
    chosen = (request.args.get("lang"), session.get("lang"), request.cookies.get(COOKIE))
    for candidate in chosen:
        if candidate in LANGUAGES:
            return candidate
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["POS_DEFAULT_LOCALE"]


def remember_language(response, code: str) -> None:
    """Keep `code` as this device's language (a cookie that outlives sessions and sign-outs)."""
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


def text_direction(locale: str) -> str:
    """'rtl' for Arabic, 'ltr' otherwise."""
    return LANGUAGES.get(locale, LANGUAGES["en"])["dir"]
