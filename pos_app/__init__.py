"""The kernel of the restaurant POS: create_app() is the only place that wires the packages."""

from __future__ import annotations

from flask import Flask

from pos_app.config import PROJECT_DIR, from_environment

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, database, extensions, the API, pages and features."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
        instance_relative_config=False,
    )
    app.config.update(from_environment())
    app.config["POS_VERSION"] = __version__
    if config:
        app.config.update(config)
    _init_database(app)
    _init_pipeline()
    _init_extensions(app)
    _init_features(app)
    return app


def _init_database(app: Flask) -> None:
    from pos_app import db

    engine = db.make_engine(
        app.config["POS_DATABASE_URL"], app.config.get("POS_SQLITE_WAIT_IN_PYTHON")
    )
    app.extensions["pos_engine"] = engine
    db.bind(engine)
    app.teardown_appcontext(lambda _exc: db.session.remove())


def _init_pipeline() -> None:
    """The commit pipeline (pos_app/pipeline.py lists its phases) and the kernel's phases."""
    from pos_app import audit, outbox, pipeline, realtime
    from pos_app.menu import cache
    from pos_app.reports import facts

    pipeline.install()
    pipeline.register("refuse changes to the audit log", audit.refuse_audit_changes)
    pipeline.register("bump the menu version", cache.bump_on_menu_change)
    pipeline.register("drop revoked sockets", realtime.drop_rooms)
    pipeline.register("emit the pushes", realtime.emit_pushes)
    pipeline.register("write the report facts", facts.write_pending)
    pipeline.register("number the outbox events", outbox.number_events)


def _init_extensions(app: Flask) -> None:
    from pos_app import csrf, descriptors, i18n, web_security
    from pos_app.errors import install_error_handlers
    from pos_app.extensions import babel, socketio

    install_error_handlers(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    socketio.init_app(
        app,
        async_mode=app.config.get("POS_ASYNC_MODE") or _async_mode(),
        message_queue=app.config["POS_REDIS_URL"],
        cors_allowed_origins=[],
    )
    descriptors.init_app(app)  # outermost: refuses new sockets before Socket.IO sees them
    web_security.init_app(app)

    from flask_babel import get_locale

    from pos_app.money import format_minor, plain_minor

    def money(amount_minor: int, currency: str = "SAR", exponent: int = 2) -> str:
        return format_minor(amount_minor, currency, exponent, str(get_locale()))

    app.add_template_filter(money, "money")
    app.add_template_filter(plain_minor, "money_plain")

    @app.context_processor
    def _page_helpers():
        from flask_babel import get_locale

        locale = str(get_locale())
        return {
            "csrf_token": csrf.csrf_token,
            "locale": locale,
            "text_dir": i18n.text_direction(locale),
            "languages": i18n.LANGUAGES,
        }


def _async_mode() -> str:
    """gevent when wsgi.py monkey-patched the process, else threads (tests, the CLI)."""
    from gevent import monkey

    return "gevent" if monkey.is_module_patched("socket") else "threading"


def _init_features(app: Flask) -> None:
    import kds
    import printers
    import table_service
    from pos_app import audit, backoffice, cli, counters, idempotency, meta, offline, outbox, pages  # noqa: F401
    from pos_app.api import Api
    from pos_app.auth import views as auth_views
    from pos_app.billing import bills
    from pos_app.billing import pages as billing_pages
    from pos_app.billing import views as billing_views
    from pos_app.branch import views as branch_views
    from pos_app.menu import views as menu_views
    from pos_app.orders import models as order_models  # noqa: F401
    from pos_app.orders import views as order_views
    from pos_app.ports import claim_table, printer_reports
    from pos_app.reports import models as report_models  # noqa: F401  (its tables)
    from pos_app.reports import views as report_views
    from pos_app.signals import order_changed
    from pos_app.stock import views as stock_views
    from printers.health import printer_reports as printers_reports
    from table_service.services import claim_table as table_service_claim

    api = Api(app)
    meta.register(api)
    offline.init_app(app)
    auth_views.register(api)
    branch_views.register(api)
    menu_views.register(api)
    order_views.register(api)
    billing_views.register(api)
    report_views.register(api)
    stock_views.register(api)
    order_changed.connect(bills.on_order_changed, weak=False)
    table_service.init_app(app)
    claim_table.provide(table_service_claim)  # the kernel's ports (pos_app/ports.py)
    printer_reports.provide(printers_reports)
    printers.init_app(app)
    kds.init_app(app)
    pages.register(app)
    billing_pages.register(app)
    backoffice.init_app(app, api)
    _init_cloud(app, api)
    cli.register(app)


def _init_cloud(app: Flask, api) -> None:
    """The cloud's ingest endpoint (it answers in cloud mode only) and, on a branch, the
    worker that pushes the outbox to the cloud."""
    from pos_app.cloud import catalogue, ingest, push, snapshots, views
    from pos_app.cloud import models as cloud_models  # noqa: F401  (its tables)
    from pos_app.scheduler import register_service

    ingest.register(api)
    snapshots.register(api)
    catalogue.register(api)
    views.register(app, api)
    if app.config["POS_MODE"] == "branch":
        from pos_app import backup

        register_service(app, "cloud push", push.start)
        register_service(app, "backups", backup.start)
