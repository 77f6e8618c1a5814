"""Language of pages: English or Arabic (right to left), chosen per device and staff member."""

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


def select_locale() -> str:
    """?lang= on the URL, then the device's choice, then the staff member's, then the browser's."""
    for candidate in (request.args.get("lang"), session.get("lang"), session.get("staff_locale")):
        if candidate in LANGUAGES:
            return candidate
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["POS_DEFAULT_LOCALE"]


def text_direction(locale: str) -> str:
    """'rtl' for Arabic, 'ltr' otherwise."""
    return LANGUAGES.get(locale, LANGUAGES["en"])["dir"]
