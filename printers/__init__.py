"""Station and receipt printers: configuration, the durable print queue, rendering (pure),
transports (python-escpos network/USB/serial/file), the worker with retry and fail-over,
and virtual printers for trying it without hardware."""


def init_app(app) -> None:
    """Register models, the order and document receivers, endpoints, pages, demo printers."""
    from pos_app import pipeline
    from pos_app.scheduler import register_job, register_service
    from pos_app.signals import (
        course_fired,
        demo_loading,
        document_printing,
        order_fired,
        today_figures,
    )
    from printers import (  # noqa: F401
        demo,
        documents,
        health,
        models,
        pages,
        print_link,
        queue,
        views,
        worker,
    )

    views.register(app)
    pages.register(app)
    if app.config.get("POS_VIRTUAL_PRINTERS"):
        register_service(app, "virtual printers", demo.start_virtual_printers)
    app.extensions.setdefault("pos_welcome", []).append(demo.welcome_lines)  # make run's text
    register_service(app, "print worker", print_link.start)
    pipeline.register("wake the print workers", worker.wake_workers)
    order_fired.connect(documents.queue_chits, weak=False)
    course_fired.connect(documents.queue_chits, weak=False)
    document_printing.connect(documents.on_document_printing, weak=False)
    demo_loading.connect(demo.load_demo_printers, weak=False)
    today_figures.connect(health.today_figures, weak=False)
    register_job(app, "prune_print_jobs", queue.prune_printed, minutes=60)
