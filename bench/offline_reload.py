"""Offline pages: what the service worker costs online, and how a reload with the server down
and the way back go, in Debian's Chromium against the real server.

From the repository root:

    .venv/bin/python bench/offline_reload.py            # 10 rounds
    .venv/bin/python bench/offline_reload.py --rounds 3

Each round, on a fresh browser context signed in as a waiter on /handheld:
1. `online_*`: the page loaded from the server with the service worker answering (network
   first), against the same page in a context that blocks service workers. Times are the
   browser's navigation entry (responseEnd, loadEventEnd).
2. `kept_ms`: from navigation start until the worker said it kept the page's shell (first
   install of the worker in that context, then a second load).
3. `offline_*`: the server is killed (SIGKILL), the page reloaded: when the shell's load event
   came, and when the floor map showed its tables.
4. `back_ms`: the waiter had pressed Send while the server was down; the server is started
   again on the same port: from its first healthy /healthz to the order being on the server
   (the page's probe, its socket reconnecting and the idempotent send).
Prints medians (and max); nothing is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# When the shell kept message came, on the page's own clock.
MARK_KEPT = """
new MutationObserver(() => {
  if (document.documentElement.dataset.offline === 'ready' && !window.__keptAt)
    window.__keptAt = performance.now();
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-offline']});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_database(folder: Path) -> str:
    """A fresh SQLite database in `folder` with the demo restaurant; its URL."""
    database_url = f"sqlite:///{folder}/bench.sqlite3"
    flask(database_url, "migrate")
    flask(database_url, "demo", "--if-empty")
    return database_url


def server_env(database_url: str, folder: Path) -> dict:
    """The environment a branch server of the benchmark runs with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=database_url,
        POS_SECRET_KEY=SECRET,
        POS_PASSWORD_HASHING="fast",
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_LOG_LEVEL="WARNING",
    )
    return env


class Server:
    """`python -m pos_app.server` on one port: started, killed, started again."""

    def __init__(self, database_url: str, folder: Path):
        self.port, self.folder, self.proc = free_port(), folder, None
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = server_env(database_url, folder)

    def start(self) -> float:
        """Start; the monotonic time of the first healthy /healthz."""
        command = [sys.executable, "-m", "pos_app.server", "--port", str(self.port)]
        log = (self.folder / "server.log").open("ab")
        self.proc = subprocess.Popen(command, cwd=PROJECT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return time.monotonic()
            except OSError:
                time.sleep(0.02)
        raise SystemExit("the server did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def flask(database_url: str, *args: str) -> None:
    env = dict(os.environ, POS_DATABASE_URL=database_url, POS_SECRET_KEY=SECRET)
    env["POS_PASSWORD_HASHING"] = "fast"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "pos_app", "pos", *args],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
    )


def sign_in(browser, url: str, block: bool = False):
    context = browser.new_context(
        base_url=url,
        service_workers="block" if block else "allow",
        locale="en-US",
        viewport={"width": 390, "height": 844},
    )
    context.add_init_script(MARK_KEPT)
    page = context.new_page()
    page.goto("/login?next=/handheld")
    page.fill("#pin", "1111")
    page.get_by_test_id("pin-submit").click()
    page.wait_for_url("**/handheld")
    return page


def navigation(page) -> dict:
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    return page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {response: n.responseEnd, load: n.loadEventEnd}; })()"
    )


def orders_of(url: str, token: str) -> int:
    request = urllib.request.Request(
        f"{url}/api/v1/orders", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return len(json.load(answer)["items"])


def one_round(browser, server: Server, figures: dict) -> None:
    blocked = sign_in(browser, server.url, block=True)
    blocked.reload()
    plain = navigation(blocked)
    figures["online_no_worker_response_ms"].append(plain["response"])
    figures["online_no_worker_load_ms"].append(plain["load"])
    blocked.context.close()

    page = sign_in(browser, server.url)
    page.wait_for_function("() => window.__keptAt")
    figures["kept_first_install_ms"].append(page.evaluate("window.__keptAt"))
    page.reload()
    page.wait_for_function("() => window.__keptAt")
    figures["kept_ms"].append(page.evaluate("window.__keptAt"))
    online = navigation(page)
    figures["online_worker_response_ms"].append(online["response"])
    figures["online_worker_load_ms"].append(online["load"])
    token = page.evaluate("sessionStorage.getItem('pos.offline.token')")
    before = orders_of(server.url, token)

    page.get_by_test_id("new-takeaway").click()
    page.get_by_test_id("customer-name").fill("Bench")
    page.get_by_test_id("start-order").click()
    page.locator(".hh-item").first.click()  # the first dish of the first category
    server.kill()
    page.reload()
    page.wait_for_function("() => document.documentElement.dataset.offline === 'shell'")
    figures["offline_load_ms"].append(navigation(page)["load"])
    page.wait_for_selector('[data-testid="send"]', state="visible")
    figures["offline_order_shown_ms"].append(page.evaluate("performance.now()"))
    page.get_by_test_id("send").click()

    healthy = server.start()
    deadline = time.monotonic() + 30
    while orders_of(server.url, token) == before:
        if time.monotonic() > deadline:
            raise SystemExit("the order was not sent within 30 s")
        time.sleep(0.02)
    figures["back_ms"].append((time.monotonic() - healthy) * 1000)
    page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = Server(demo_database(folder), folder)
        server.start()
        figures: dict[str, list[float]] = {
            name: []
            for name in (
                "online_no_worker_response_ms",
                "online_no_worker_load_ms",
                "online_worker_response_ms",
                "online_worker_load_ms",
                "kept_first_install_ms",
                "kept_ms",
                "offline_load_ms",
                "offline_order_shown_ms",
                "back_ms",
            )
        }
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for _ in range(args.rounds):
                    one_round(browser, server, figures)
                browser.close()
        finally:
            server.kill()
    print(f"{args.rounds} rounds, Chromium, loopback (ms: median, max)")
    for name, values in figures.items():
        print(f"  {name:28} {statistics.median(values):8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
