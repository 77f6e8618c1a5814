"""What the service worker may keep: the shells of the working screens without their secrets,
the static files of one release, and nothing else (pos_app/offline.py, templates/pos_app/sw.js).

The browser side (a reload with the server killed) is tests/test_offline_pages.py.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
from test_page_security import pin_login

from pos_app.offline import module_imports, release_version, static_files

SHELL = {"X-POS-Shell": "1", "Accept-Language": "en"}
SCREENS = [
    ("waiter", "/handheld"),
    ("kitchen", "/kds"),
    ("cashier", "/cashier"),
    ("kitchen", "/stock/count"),
]


def signed_in(client, make_staff, role: str) -> tuple[str, str]:
    """Sign `client` in by PIN as a new `role` and open its home; the session's bearer token
    and CSRF token (made by the first page after the sign-in)."""
    staff = make_staff(role)
    assert pin_login(client, staff.test_pin).status_code == 302
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        return session["token"], session["csrf"]


def worker_config(client) -> dict:
    script = client.get("/sw.js").get_data(as_text=True)
    return json.loads(re.search(r"^var CONFIG = (.*);$", script, re.M).group(1))


@pytest.mark.parametrize("role, path", SCREENS)
def test_a_shell_leaves_without_the_bearer_token_and_the_csrf_token(client, make_staff, role, path):
    token, csrf = signed_in(client, make_staff, role)
    live = client.get(path, headers={"Accept-Language": "en"})
    assert live.status_code == 200 and "X-POS-Shell" not in live.headers
    assert token in live.get_data(as_text=True) and csrf in live.get_data(as_text=True)

    shell = client.get(path, headers=SHELL)
    body = shell.get_data(as_text=True)
    assert shell.status_code == 200 and shell.headers["X-POS-Shell"] == "1"
    assert token not in body and csrf not in body
    assert 'name="csrf_token" value=""' in body  # how the page knows it is a kept copy
    assert shell.headers["Cache-Control"] == "no-store"  # only the worker keeps it, on purpose
    assert "Log out" in body and "offline.js" in body


def test_only_the_working_screens_have_shells(client, make_staff):
    _token, csrf = signed_in(client, make_staff, "manager")
    assert worker_config(client)["shells"] == ["/cashier", "/handheld", "/kds", "/stock/count"]
    for path in ("/home", "/admin/menu", "/admin/printers", "/login", "/api/v1/menu"):
        answer = client.get(path, headers=SHELL)
        assert "X-POS-Shell" not in answer.headers, path
    # Signed out, a screen answers the way to the login page, never a shell to keep.
    client.post("/logout", data={"csrf_token": csrf})
    answer = client.get("/handheld", headers=SHELL)
    assert answer.status_code == 302 and "X-POS-Shell" not in answer.headers


@pytest.mark.parametrize(
    "value", ["0", "true", "1 ", "11", "1, 1", "\u00a01", "x" * 8000, "1\t"], ids=repr
)
def test_any_other_shell_header_is_an_ordinary_page(client, make_staff, value):
    token, _csrf = signed_in(client, make_staff, "waiter")
    answer = client.get("/handheld", headers={"X-POS-Shell": value})
    assert answer.status_code == 200 and "X-POS-Shell" not in answer.headers
    assert token in answer.get_data(as_text=True)


def test_a_shell_asked_for_with_another_method_is_not_one(client, make_staff):
    signed_in(client, make_staff, "waiter")
    for method in ("POST", "PUT", "DELETE"):
        answer = client.open("/handheld", method=method, headers=SHELL)
        assert answer.status_code == 405 and "X-POS-Shell" not in answer.headers


def test_the_service_worker_is_served_from_the_root_for_every_page_and_passes_the_csp(client):
    answer = client.get("/sw.js?junk=%00&x=" + "y" * 5000)
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Cache-Control"] == "no-cache"  # a new release is found at once
    assert answer.headers["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    config = worker_config(client)
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assets = config["assets"]
    assert "/static/vendor/socket.io-4.8.4.min.js" in assets
    assert {"/static/js/offline.js", "/static/js/handheld.js", "/static/css/kds.css"} <= set(assets)
    assert all(a.startswith("/static/") for a in assets)  # no page, no API answer, ever
    assert client.post("/sw.js").status_code == 405


def test_the_service_worker_is_public_and_names_nobody(client, make_staff):
    anonymous = client.get("/sw.js").get_data()
    signed_in(client, make_staff, "waiter")
    assert client.get("/sw.js").get_data() == anonymous


def test_the_release_changes_with_any_static_file_and_only_then(tmp_path):
    static, worker = tmp_path / "static", tmp_path / "sw.js"
    (static / "js").mkdir(parents=True)
    (static / "js" / "a.js").write_text("one();")
    (static / "css.css").write_text("a{}")
    (static / "README.md").write_text("notes")
    worker.write_text("// worker")
    files = static_files(static)
    assert [p.name for p in files] == ["css.css", "a.js"]  # notes are not served to pages
    first = release_version(static, files, worker, "0.1.0")
    assert release_version(static, files, worker, "0.1.0") == first
    (static / "README.md").write_text("other notes")
    assert release_version(static, static_files(static), worker, "0.1.0") == first
    (static / "js" / "a.js").write_text("two();")
    second = release_version(static, files, worker, "0.1.0")
    worker.write_text("// worker 2")
    third = release_version(static, files, worker, "0.1.0")
    fourth = release_version(static, files, worker, "0.2.0")
    (static / "js" / "a.js").rename(static / "js" / "b.js")
    fifth = release_version(static, static_files(static), worker, "0.2.0")
    assert len({first, second, third, fourth, fifth}) == 5


@pytest.mark.parametrize(
    "role, path, entry, some",
    [
        ("waiter", "/handheld", "js/handheld.js", ["js/handheld/sync.js", "js/billpay/pay.js"]),
        ("kitchen", "/kds", "js/kds.js", ["js/kds/feed.js", "js/kds/board.js"]),
        ("cashier", "/cashier", "js/cashier.js", ["js/cashier/reports.js", "js/billpay/split.js"]),
    ],
)
def test_a_screen_asks_for_every_module_it_imports_at_once(
    app, client, make_staff, role, path, entry, some
):
    """A modulepreload link per module: with the server unplugged, the worker answers them all
    after one timeout, not one timeout per level of imports."""
    signed_in(client, make_staff, role)
    page = client.get(path).get_data(as_text=True)
    preloaded = re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', page)
    assert f'<script type="module" src="/static/{entry}"></script>' in page
    assert set(some) | {"js/lib/api.js", "js/lib/dom.js", "js/lib/i18n.js"} <= set(preloaded)
    assert len(preloaded) == len(set(preloaded)) and entry not in preloaded
    folder = Path(app.static_folder)
    imported = set()  # read again here: every relative import of every preloaded module
    for module in [entry, *preloaded]:
        for target in re.findall(r'from "(\.\.?/[^"]+)";', (folder / module).read_text()):
            imported.add(posixpath.normpath(posixpath.join(posixpath.dirname(module), target)))
    assert imported <= set(preloaded)


def test_module_imports_follow_every_level_once(tmp_path):
    (tmp_path / "js" / "lib").mkdir(parents=True)
    (tmp_path / "js" / "page.js").write_text(
        'import { a } from "./lib/a.js";\nimport {\n  b,\n  c,\n} from "./lib/b.js";\n'
        'import "./side.js";\n// import { x } from "./not-a-module.js" in a comment\n'
    )
    lib = tmp_path / "js" / "lib"
    (lib / "a.js").write_text('import { b } from "./b.js";\nexport const a = b;\n')
    (lib / "b.js").write_text('import { page } from "../page.js";\n')
    (tmp_path / "js" / "side.js").write_text("window.side = 1;\n")
    assert module_imports(tmp_path, "js/page.js") == ["js/lib/a.js", "js/lib/b.js", "js/side.js"]
