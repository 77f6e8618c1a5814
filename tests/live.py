"""Start the real server (`python -m pos_app.server`, gevent) as a subprocess for a test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import TEST_SECRET

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Debian's Chromium, driven by Playwright; never `playwright install` (no download here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, proc: subprocess.Popen, log: Path, seconds: float = 30):
    """Wait for /healthz to answer 200; fail with the server's log if it dies or hangs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /healthz in {seconds} s:\n{log.read_text()}")


@contextmanager
def running_server(database_url: str, folder: Path, **env_overrides):
    """The branch server as a branch runs it, on a free port, over the test database."""
    with server_process(database_url, folder, **env_overrides) as (url, _proc):
        yield url


@contextmanager
def server_process(
    database_url: str, folder: Path, port: int | None = None, project=PROJECT_DIR, **env_overrides
):
    """Like running_server, yielding (url, the subprocess) for a test that kills it; `port` to
    start again where a killed one listened, `project` to serve another checkout's code."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=database_url,
        POS_SECRET_KEY=TEST_SECRET,  # PIN tags made by the make_staff factory match
        POS_PASSWORD_HASHING="fast",
        POS_INSTANCE_DIR=str(folder),
        POS_LOG_LEVEL="WARNING",
    )
    env.update(env_overrides)
    log = folder / f"server-{port}.log"
    command = [sys.executable, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=project, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, proc, log)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def eventually(check, seconds: float = 10):
    """The value of `check()` once it is truthy; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "timed out"
            return value
        time.sleep(0.2)


class ApiCalls:
    """The API requests a browser page has in flight, from Playwright's request events.

    `settled()` waits until every one has its answer: a page that sent something twice has
    sent it by then, so a test asserts right after instead of sleeping "a moment"."""

    def __init__(self, page):
        self.page, self.open = page, set()
        page.on("request", self._sent)
        page.on("requestfinished", self._answered)
        page.on("requestfailed", self._answered)

    def _sent(self, request) -> None:
        if "/api/" in request.url:
            self.open.add(request)

    def _answered(self, request) -> None:
        self.open.discard(request)

    def settled(self, seconds: float = 10) -> None:
        """Wait (pumping the page's events) until no API request of the page is in flight."""
        deadline = time.monotonic() + seconds
        while self.open:
            assert time.monotonic() < deadline, f"still in flight: {self.open}"
            self.page.wait_for_timeout(20)


class Api:
    """The HTTP API with one staff member's bearer token."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/api/v1{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def get(self, path: str):
        status, body = self.call("GET", path)
        assert status == 200, body
        return body
