"""Floors, tables and seats; later seating, transfers and the waiter handheld pages."""


def init_app(app) -> None:
    """Register this package's models, back-office resources and demo data with the app."""
    from pos_app.signals import demo_loading
    from table_service import demo, models, views  # noqa: F401  (models register on import)

    views.register(app)
    demo_loading.connect(demo.load_demo_floors, weak=False)
