"""CSRF protection of browser forms: a per-session token, checked on every form POST."""

from __future__ import annotations

import hmac
import secrets

from flask import request, session
from werkzeug.exceptions import BadRequest


class CsrfFailed(BadRequest):
    """A form without the session's CSRF token (its page shows "This form expired")."""

    csrf = True
    description = "the form expired; reload the page and try again"


def csrf_token() -> str:
    """The session's CSRF token (made on first use); templates put it in every form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    """Abort with 400 unless the form carries the session's CSRF token."""
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()
