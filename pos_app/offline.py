"""Offline pages: the service worker that lets a working screen load while the server is down.

A page registers itself as an offline *shell* (`register_shell(app, "/handheld")`). The
service worker (`/sw.js`, templates/pos_app/sw.js, scope `/`) keeps, per release, every
static file (JS, CSS, the socket.io client, fonts, images) and one shell per page: the page
as its user last loaded it, fetched with the `X-POS-Shell: 1` header, which makes the server
take the session's bearer token and CSRF token out of the HTML (`strip_secrets`) and say so
in the same header. The live page keeps its token in the tab's sessionStorage
(static/js/offline.js), where the shell finds it. Pages are served from the cache only when
the server cannot be reached; API answers and Socket.IO never pass through the cache.

The release is a hash of the static files, the worker's template and the app's version: a
new release is a new `/sw.js`, whose worker replaces the old caches (docs/architecture.md,
"Offline pages"; the security reasoning is in docs/security.md).

The screens' scripts are ES modules: `module_script("js/handheld.js")` in a template writes
the entry's script tag after a `modulepreload` link for every module it imports, so that all
are asked for at once. Otherwise the browser finds each level of imports only once the level
above has come, and with the server unplugged every level would wait for the worker's
timeout before the kept copy answers.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, render_template, request, session, url_for
from markupsafe import Markup

SHELL_HEADER = "X-POS-Shell"
WORKER_TEMPLATE = "pos_app/sw.js"
# How long a page load waits for the server before the kept copy is shown instead: a server
# that is switched off or unplugged often answers nothing at all rather than "refused".
NAVIGATION_TIMEOUT_MS = 6000
# A static import of the pages' modules, on one line or several: `import {a, b} from "./x.js";`
# or `import "./x.js";` (the modules import only files of their own folder tree).
MODULE_IMPORT = re.compile(r'^import\s+(?:[^;"]*?\sfrom\s+)?"(\.\.?/[^"]+)";', re.M)


@dataclass
class Release:
    """What one release of the static files is: its version and the files' URLs."""

    version: str
    assets: list[str]
    imports: dict[str, list[str]] = field(default_factory=dict)  # entry -> modules (filled lazily)


@dataclass
class OfflinePages:
    """The pages that have a shell, and the release of the static files (rehashed on change)."""

    shells: set[str] = field(default_factory=set)
    _signature: tuple = ()
    _release: Release | None = None

    def release(self, app: Flask) -> Release:
        """The current release; the files are hashed again only when one changed."""
        folder = Path(app.static_folder)
        files = static_files(folder)
        worker = Path(app.template_folder) / WORKER_TEMPLATE
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        signature += ((str(worker), worker.stat().st_mtime_ns), app.config["POS_VERSION"])
        if signature != self._signature or self._release is None:
            self._release = Release(
                version=release_version(folder, files, worker, app.config["POS_VERSION"]),
                assets=[static_url(p.relative_to(folder)) for p in files],
            )
            self._signature = signature
        return self._release


def static_url(relative: Path) -> str:
    """The URL the pages load a static file from."""
    return url_for("static", filename=relative.as_posix())


def static_files(folder: Path) -> list[Path]:
    """Every file the pages may load from /static (notes for developers left out)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".md")


def release_version(folder: Path, files: list[Path], worker: Path, app_version: str) -> str:
    """A short hash of every static file's path and bytes, the worker and the app's version."""
    digest = hashlib.sha256(app_version.encode() + b"\0" + worker.read_bytes())
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def module_imports(folder: Path, entry: str) -> list[str]:
    """Every module that `entry` (a path under the static folder) imports, directly or not,
    in the order they are found; each once, the entry itself left out."""
    found: list[str] = []
    todo = [entry]
    while todo:
        current = todo.pop(0)
        source = (folder / current).read_text(encoding="utf-8")
        for target in MODULE_IMPORT.findall(source):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
            if path != entry and path not in found:
                found.append(path)
                todo.append(path)
    return found


def module_script(entry: str) -> Markup:
    """A page's module script `entry` ("js/kds.js"), after a modulepreload link for each
    module it imports (a template global)."""
    app = current_app._get_current_object()
    release = app.extensions["pos_offline"].release(app)
    if entry not in release.imports:
        release.imports[entry] = module_imports(Path(app.static_folder), entry)
    tags = [
        Markup('<link rel="modulepreload" href="{}">').format(url_for("static", filename=path))
        for path in release.imports[entry]
    ]
    tags.append(
        Markup('<script type="module" src="{}"></script>').format(url_for("static", filename=entry))
    )
    return Markup("\n").join(tags)


def register_shell(app: Flask, path: str) -> None:
    """Let the service worker keep a copy of the page at `path` (a signed-in working screen)."""
    app.extensions["pos_offline"].shells.add(path)


def service_worker():
    """The service worker script, with this release's version, files and shell pages."""
    pages: OfflinePages = current_app.extensions["pos_offline"]
    release = pages.release(current_app._get_current_object())
    config = {
        "version": release.version,
        "assets": release.assets,
        "shells": sorted(pages.shells),
        "shellHeader": SHELL_HEADER,
        "navigationTimeoutMs": NAVIGATION_TIMEOUT_MS,
    }
    body = render_template(WORKER_TEMPLATE, config=json.dumps(config, sort_keys=True))
    response = current_app.response_class(body, mimetype="text/javascript")
    # Browsers look for a new worker at every page load; no-cache makes each look a real one,
    # so a new release is found the first time a page loads from the upgraded server.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def strip_secrets(response):
    """after_request: a shell asked for by the service worker leaves without the session's
    bearer token and CSRF token, and says it is a shell (the worker keeps nothing else)."""
    if request.method != "GET" or request.headers.get(SHELL_HEADER) != "1":
        return response
    pages: OfflinePages = current_app.extensions["pos_offline"]
    if request.path not in pages.shells or response.status_code != 200:
        return response
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    body = response.get_data()
    for secret in (session.get("token"), session.get("csrf")):
        if secret:
            body = body.replace(secret.encode(), b"")
    response.set_data(body)
    response.headers[SHELL_HEADER] = "1"
    return response


def init_app(app: Flask) -> None:
    """Serve /sw.js, strip secrets from shells, and list the worker in the OpenAPI document."""
    app.extensions["pos_offline"] = OfflinePages()
    app.add_url_rule("/sw.js", "offline.service_worker", service_worker)
    app.add_template_global(module_script)
    app.after_request(strip_secrets)
    app.extensions["pos_api"].document_page(
        "/sw.js",
        "GET",
        "Service worker: the working screens load while the server is down",
        media_type="text/javascript",
    )
