"""What `make run` prints before serving: where to point each device, and the demo logins."""

from __future__ import annotations

import os
import socket

from pos_app.demo import DEMO_STAFF

# Staff have a language of their own (Sara's is Arabic), but the pages keep the device's.
LANGUAGE_NOTE = (
    "Language: each device keeps its browser's language (English or Arabic) until someone taps\n"
    "  the switch at the top of any page, login included; signing in never changes it."
)


def lan_address() -> str | None:
    """This machine's address on the shop's network, as its host name resolves (no traffic)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    addresses = [info[4][0] for info in infos if not info[4][0].startswith("127.")]
    return addresses[0] if addresses else None


def _feature_lines() -> None:
    """What the feature packages add (the virtual printers' ports), read from the database."""
    from pos_app import create_app

    try:
        app = create_app()
        describe = app.extensions.get("pos_welcome", [])
        lines = [line for each in describe for line in each(app)]
    except Exception as err:  # noqa: BLE001 - the welcome never stops `make run`
        lines = [f"  (could not read the settings from the database: {err.__class__.__name__})"]
    if lines:
        print()
        print("\n".join(lines))


def main() -> None:
    """Print the welcome."""
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "5000")
    base = f"http://{host}:{port}"
    print(f"\n  Restaurant POS branch server — {base}\n")
    print(f"  Handheld (waiters) and kitchen screens: {base}/login")
    print(f"  Back office (owner, managers):          {base}/backoffice/login")
    print(f"  Health / API document:                  {base}/healthz  {base}/api/v1/openapi.json")
    if host in ("127.0.0.1", "localhost"):
        lan = lan_address() or "<this-machine's-address>"
        print(
            f"\n  Phones and tablets on the shop's Wi-Fi: run `make run HOST=0.0.0.0`, then open "
            f"http://{lan}:{port}/login"
        )
    _feature_lines()
    cloud = os.environ.get("POS_CLOUD_URL", "")
    if cloud:
        print(
            f"\n  Cloud mirror: this branch pushes every change to {cloud} (start it with"
            f" `make run-cloud` in another terminal; until then the changes wait, nothing is lost)"
        )
    print("\n  Demo logins:")
    for name, role, pin, email, password, _locale in DEMO_STAFF:
        how = f"PIN {pin}" if pin else ""
        if email:
            how += ("  or  " if how else "") + f"{email} / {password}"
        print(f"    {role.value:8} {name:8} {how}")
    print(f"\n  {LANGUAGE_NOTE}")
    print()


if __name__ == "__main__":
    main()
