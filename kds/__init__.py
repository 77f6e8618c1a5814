"""Kitchen display: tickets per station, start/bump/recall, timers, all-day counts, expo."""


def init_app(app) -> None:
    """Register models, signal receivers, the /kds namespace, endpoints and pages."""
    from kds import events, models, namespace, pages, rush, services, views  # noqa: F401
    from pos_app import pipeline
    from pos_app.cli import pos
    from pos_app.extensions import socketio
    from pos_app.rooms import KDS
    from pos_app.scheduler import register_job
    from pos_app.signals import course_fired, order_cancelled, order_fired, today_figures

    pipeline.register("number the station pushes", events.number_and_store)
    order_fired.connect(services.on_order_fired, weak=False)
    course_fired.connect(services.on_course_fired, weak=False)
    order_cancelled.connect(services.on_order_cancelled, weak=False)
    today_figures.connect(services.late_tickets_today, weak=False)
    socketio.on_namespace(namespace.KdsNamespace(KDS))
    views.register(app)
    pages.register(app)
    register_job(app, "prune_kds_events", events.prune_events, minutes=60)
    pos.add_command(rush.rush_command)  # flask --app pos_app pos rush
