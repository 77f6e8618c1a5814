"""The WSGI entry point (`gunicorn -k gevent -w 1 wsgi:app`, or any WSGI server).

gevent monkey-patching first, then the app, then the same start-up as
`python -m pos_app.server`: the print worker, the scheduler and the descriptor limit
(`pos_app.startup`), so a branch served this way prints its chits too.
"""

from gevent import monkey

monkey.patch_all()

from pos_app import create_app  # noqa: E402  (must come after monkey-patching)
from pos_app.startup import configure_logging, start_services  # noqa: E402

configure_logging()
app = create_app()
start_services(app)
