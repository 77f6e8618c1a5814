"""What a handheld on the shop's network gets from the offline pages, per way of serving.

From the repository root, with this machine's LAN address (not 127.x):

    .venv/bin/python bench/offline_secure_context.py --address 192.168.1.10

Signs a waiter in on /handheld in Debian's Chromium and reports the secure context, the
service worker and whether a reload with the server killed loads from the device, for:
plain HTTP on loopback; plain HTTP on the LAN address (what `make run HOST=0.0.0.0` gives);
the same with Chromium's --unsafely-treat-insecure-origin-as-secure; HTTPS through gunicorn
with a certificate made by the README's openssl commands, first untrusted (the warning
clicked through), then with the shop's CA in the browser's NSS store (needs `certutil`, Debian
package libnss3-tools). Nothing is kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from offline_reload import demo_database, free_port, server_env
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STATE = (
    "() => ({secure: isSecureContext, worker: 'serviceWorker' in navigator,"
    " offline: document.documentElement.dataset.offline || ''})"
)


def certificates(folder: Path, address: str) -> None:
    """The README's commands: the shop's CA, and a certificate for `address`."""

    def run(*args: str) -> None:
        subprocess.run(args, cwd=folder, check=True, capture_output=True)

    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "825",
        "-subj",
        "/CN=Our restaurant CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    )
    run(
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=pos",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    )
    (folder / "server.ext").write_text(
        f"subjectAltName=IP:{address}\nextendedKeyUsage=serverAuth\n"
    )
    run(
        "openssl",
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "825",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    )


def serve(command: list[str], env: dict, url: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    context = ssl._create_unverified_context()  # our own self-made certificate
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2, context=context):
                return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{command[0]} did not start")


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # gunicorn's worker too
    proc.wait()


def trial(playwright, url: str, restart, home: Path, args=(), ignore_https=False) -> str:
    """Sign in, wait for the worker, kill the server, reload: what the page was each time."""
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=CHROMIUM_ARGS + list(args),
        env={**os.environ, "HOME": str(home)},
    )
    try:
        page = browser.new_context(ignore_https_errors=ignore_https).new_page()
        page.goto(f"{url}/login?next=/handheld")
        page.fill("#pin", "1111")
        page.get_by_test_id("pin-submit").click()
        page.wait_for_url("**/handheld")
        page.wait_for_timeout(4000)
        online = page.evaluate(STATE)
        restart(kill_only=True)
        try:
            page.reload()
            reloaded = page.evaluate(STATE)["offline"] or "loaded?"
        except PlaywrightError as err:  # the browser's own error page
            reloaded = str(err).split("\n")[0][:60]
        return f"{online} -> reload with the server killed: {reloaded}"
    finally:
        browser.close()
        restart(kill_only=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True, help="this machine's LAN address")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = server_env(demo_database(folder), folder)
        port, tls_port = free_port(), free_port()
        plain = [sys.executable, "-m", "pos_app.server", "--host", "0.0.0.0", "--port", str(port)]
        certificates(folder, args.address)
        gunicorn = [
            str(PROJECT / ".venv/bin/gunicorn"),
            "-k",
            "gevent",
            "-w",
            "1",
            "-b",
            f"0.0.0.0:{tls_port}",
            "--certfile",
            str(folder / "server.pem"),
            "--keyfile",
            str(folder / "server.key"),
            "wsgi:app",
        ]
        untrusted, trusted = folder / "untrusted", folder / "trusted"
        untrusted.mkdir()
        nss = trusted / ".pki" / "nssdb"
        nss.mkdir(parents=True)
        if shutil.which("certutil"):
            subprocess.run(["certutil", "-d", f"sql:{nss}", "-N", "--empty-password"], check=True)
            subprocess.run(
                [
                    "certutil",
                    "-d",
                    f"sql:{nss}",
                    "-A",
                    "-t",
                    "C,,",
                    "-n",
                    "shop CA",
                    "-i",
                    str(folder / "ca.pem"),
                ],
                check=True,
            )
        lan, https = f"http://{args.address}:{port}", f"https://{args.address}:{tls_port}"
        tls_env = {**env, "POS_SECURE_COOKIES": "1"}
        servers = {"plain": serve(plain, env, f"http://127.0.0.1:{port}")}

        def again(name, command, server_env, url):
            def restart(kill_only):
                if servers.get(name):
                    kill(servers.pop(name))
                if not kill_only:
                    servers[name] = serve(command, server_env, url)

            return restart

        plain_again = again("plain", plain, env, f"http://127.0.0.1:{port}")
        servers["tls"] = serve(gunicorn, tls_env, https)
        tls_again = again("tls", gunicorn, tls_env, https)
        rows = []
        try:
            with sync_playwright() as p:
                rows.append(
                    ("http, loopback", trial(p, f"http://127.0.0.1:{port}", plain_again, untrusted))
                )
                rows.append(("http, LAN address", trial(p, lan, plain_again, untrusted)))
                flag = [f"--unsafely-treat-insecure-origin-as-secure={lan}"]
                rows.append(
                    ("http, LAN, insecure-origin flag", trial(p, lan, plain_again, untrusted, flag))
                )
                rows.append(
                    (
                        "https, CA not trusted",
                        trial(p, https, tls_again, untrusted, ignore_https=True),
                    )
                )
                if shutil.which("certutil"):
                    rows.append(("https, shop CA trusted", trial(p, https, tls_again, trusted)))
        finally:
            for proc in servers.values():
                kill(proc)
    for name, result in rows:
        print(f"{name:34} {result}")


if __name__ == "__main__":
    main()
