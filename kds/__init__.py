"""Kitchen display: tickets per station, bump/recall, timers, expo (built in the orders issue)."""


def init_app(app) -> None:
    """Nothing to wire yet: stations live in the kernel's menu; tickets come with orders."""
    del app
