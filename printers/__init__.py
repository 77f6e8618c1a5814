"""Station and receipt printers: configuration now; print jobs, rendering and the worker later."""


def init_app(app) -> None:
    """Register this package's models and back-office resources with the app."""
    from printers import models, views  # noqa: F401  (models register on import)

    views.register(app)
