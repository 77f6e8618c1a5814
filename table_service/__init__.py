"""Floors, tables and seats: table status, the /floor namespace, the waiter handheld pages."""


def init_app(app) -> None:
    """Register models, back-office resources, signal receivers, the namespace and pages."""
    from pos_app.extensions import socketio
    from pos_app.signals import demo_loading, order_changed, table_claiming
    from table_service import demo, models, namespace, services, views  # noqa: F401

    views.register(app)
    demo_loading.connect(demo.load_demo_floors, weak=False)
    table_claiming.connect(services.claim_table, weak=False)
    order_changed.connect(services.follow_order, weak=False)
    socketio.on_namespace(namespace.FloorNamespace("/floor"))
    from table_service import pages

    pages.register(app)
