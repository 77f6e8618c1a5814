"""HTML error pages: what a browser gets for a 404, 403, 405, 429, 500 or an expired form.

Styled like every page, in the page's language (Arabic right to left), and with the way back:
the signed-in role's screen, else the login. API paths keep the JSON envelope (errors.py).
Rendering reads the session only, never the database, so a page still shows when the database
is what failed; and if even that fails, a plain bilingual page goes out.
"""

from __future__ import annotations

from flask import g, render_template, session, url_for
from flask_babel import gettext as _

FALLBACK = (
    "<!doctype html><html lang='en'><meta charset='utf-8'><title>Error</title>"
    "<body style='font-family:sans-serif;background:#111418;color:#f1f3f5;padding:2rem'>"
    "<h1>Something went wrong · حدث خطأ ما</h1><p><a style='color:#74c0fc' href='/'>"
    "Back · رجوع</a></p></body></html>"
)


def _texts(status: int, retry_after: int | None, csrf: bool) -> tuple[str, str]:
    """The title and the line under it for `status`, in the page's language."""
    if csrf:
        return _("This form expired"), _("Reload the page and try again.")
    if status == 401:
        return _("Signed out"), _("Sign in again to go on.")
    if status == 403:
        return _("Not for your role"), _("Ask a manager if you need this page.")
    if status == 404:
        return _("Page not found"), _("There is no page at this address.")
    if status == 405:
        return _("Not allowed here"), _("This page cannot be opened this way.")
    if status == 413:
        return _("Too large"), _("What was sent is larger than the server takes.")
    if status == 429:
        if retry_after:
            return _("Too many tries"), _("Wait %(s)s seconds, then try again.", s=retry_after)
        return _("Too many tries"), _("Wait a little, then try again.")
    if status < 500:
        return _("Something is wrong with this request"), _("Go back and try again.")
    return _("Something went wrong"), _(
        "The server could not finish this. Try again; if it keeps happening, tell a manager."
    )


def error_page(status: int, retry_after: int | None = None, csrf: bool = False):
    """The styled error page for `status`, as a (body, status) pair for Flask."""
    from pos_app.pages import way_back_url  # pages import errors: not at module level

    try:
        title, text = _texts(status, retry_after, csrf)
        signed_in = bool(session.get("token") and session.get("role"))
        back_url = way_back_url()
        back_label = _("Back to my screen") if signed_in else _("Go to the login")
        if status == 401:
            back_url, back_label = url_for("pages.pin_login"), _("Go to the login")
        error = {
            "status": status,
            "title": title,
            "text": text,
            "back_url": back_url,
            "back_label": back_label,
        }
        # The top bar names who is signed in only when this request already knew it.
        actor = g.get("actor")
        return render_template("pos_app/error.html", error=error, actor=actor), status
    except Exception:  # noqa: BLE001 -- an error page must never fail itself
        return FALLBACK, status
