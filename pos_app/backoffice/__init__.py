"""The back office: the owners' and managers' pages (home with today's figures, menu, staff)
over the same /api/v1 endpoints, roles and audit as the rest of the system."""


def init_app(app, api) -> None:
    """Add today's figures endpoint and the back-office pages."""
    from pos_app.backoffice import audit_log, pages, today

    today.register(api)
    audit_log.register(api)
    pages.register(app)
