"""The WSGI entry point: gevent monkey-patching first, then the app."""

from gevent import monkey

monkey.patch_all()

from pos_app import create_app  # noqa: E402  (must come after monkey-patching)

app = create_app()
