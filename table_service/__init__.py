"""Floors, tables and seats: table status, the /floor namespace, the waiter handheld pages."""


def init_app(app) -> None:
    """Register models, back-office resources, signal receivers, the namespace and pages
    (create_app() provides the kernel's `claim_table` port with services.claim_table)."""
    from pos_app.extensions import socketio
    from pos_app.rooms import FLOOR
    from pos_app.signals import demo_loading, order_changed
    from table_service import demo, models, namespace, services, views  # noqa: F401

    views.register(app)
    demo_loading.connect(demo.load_demo_floors, weak=False)
    order_changed.connect(services.follow_order, weak=False)
    socketio.on_namespace(namespace.FloorNamespace(FLOOR))
    from table_service import pages

    pages.register(app)
