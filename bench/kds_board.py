"""A busy kitchen screen's costs: the snapshot a screen loads, the page load, and each push.

    .venv/bin/python bench/kds_board.py [--orders 50] [--pushes 20] [--throttle 4]

What it does, all on 127.0.0.1:

1. A fresh SQLite database in a temporary folder, the demo restaurant, then the Friday-night
   run (`flask pos rush --orders 50`, about 55 open grill tickets, live and held).
2. In this process (Flask's test client, no network): the grill's and expo's snapshots
   (`GET /api/v1/stations/{id}/snapshot`, what `join_station` answers), 20 times each:
   server time (median), SQL statements, JSON bytes.
3. The real server (`python -m pos_app.server`) and Debian's Chromium (Playwright): a cook
   signs in and opens /kds?station=grill at 1920x1080; page load = navigation start to
   every card on the board (`data-seq` set and the cards counted), and the first render's
   own time (kds/render.js writes `data-render-ms` after each render). Then `--pushes` orders are
   fired one by one over HTTP, each a new grill ticket: each push's render time on the page
   (the card made, the board paged again).
4. The same again with Chromium's CPU slowed `--throttle` times (a cheap tablet).

`--server-dir` serves the page from another checkout (e.g. a `git worktree` of the code
before a change, with the same `data-render-ms` line added to its kds.js) on the same data.

Prints a summary; nothing is asserted (tests never time things).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
for _path in (str(BENCH), str(PROJECT), str(PROJECT / "tests")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import order_to_kds as base  # noqa: E402  (process helpers)
from live import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (how the browser tests launch it)


def server_costs(app, orders: int) -> dict:
    """Load the rush, then time the snapshots in-process."""
    from sqlalchemy import event, select

    from pos_app.db import unit_of_work
    from pos_app.menu.models import Station

    runner = app.test_cli_runner()
    for command in (["pos", "migrate"], ["pos", "demo"], ["pos", "rush", "--orders", str(orders)]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
        print(result.output.strip())
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"pin": "2222"}).get_json()["token"]
    cook = {"Authorization": f"Bearer {token}"}
    statements = []
    engine = app.extensions["pos_engine"]
    with app.app_context(), unit_of_work(write=False) as s:
        ids = {st.code: st.id for st in s.scalars(select(Station))}

    def count(*_a, **_k):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    out = {}
    for code in ("grill", "expo"):
        times, size, tickets = [], 0, 0
        for _ in range(20):
            statements.clear()
            began = time.perf_counter()
            answer = client.get(f"/api/v1/stations/{ids[code]}/snapshot", headers=cook)
            times.append((time.perf_counter() - began) * 1000)
            size, tickets = len(answer.data), len(answer.get_json()["tickets"])
        out[code] = {
            "tickets": tickets,
            "ms_median": round(statistics.median(times), 1),
            "sql": len(statements),
            "bytes": size,
        }
    event.remove(engine, "before_cursor_execute", count)
    return out


def page_costs(url: str, pushes: int, throttle: float, waiter: dict, grill_item: int) -> dict:
    import requests
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
        page = context.new_page()
        page.goto(f"{url}/login?next=/kds%3Fstation%3Dgrill")
        page.fill("#pin", "2222")
        page.get_by_test_id("pin-submit").click()
        page.wait_for_url("**/kds?station=grill")
        if throttle > 1:
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.reload()
        page.wait_for_function(
            "() => { const k = document.getElementById('kds');"
            " return k.dataset.seq && k.dataset.renderMs"
            " && document.querySelectorAll('[data-testid=ticket]').length > 0; }"
        )
        load_ms = page.evaluate("performance.now()")
        first_render = float(page.get_by_test_id("kds").get_attribute("data-render-ms"))
        count = page.get_by_test_id("ticket").count()
        renders = []
        for i in range(pushes):
            body = {
                "id": str(uuid.uuid4()),
                "type": "takeaway",
                "customer_name": f"Bench {i}",
                "fire": True,
                "lines": [{"id": str(uuid.uuid4()), "item_id": grill_item, "quantity": 1}],
            }
            answer = requests.post(f"{url}/api/v1/orders", json=body, headers=waiter, timeout=10)
            assert answer.status_code == 201, answer.text
            page.wait_for_function(
                f"() => document.querySelectorAll('[data-testid=ticket]').length >= {count + 1}"
            )
            count += 1
            page.wait_for_timeout(50)  # the render has run (it is queued with setTimeout 0)
            renders.append(float(page.get_by_test_id("kds").get_attribute("data-render-ms")))
        pages = page.get_by_test_id("board").get_attribute("data-pages")
        browser.close()
    return {
        "throttle": throttle,
        "cards": count,
        "pages": int(pages) if pages else None,  # the code before issue 15 had no pages
        "load_ms": round(load_ms),
        "first_render_ms": first_render,
        "push_render_ms_median": round(statistics.median(renders), 1),
        "push_render_ms_max": max(renders),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--throttle", type=float, default=4)
    parser.add_argument(
        "--server-dir",
        type=Path,
        default=PROJECT,
        help="serve the screen from another checkout (the code before a change), same data",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pos-kds-board-"))
    atexit.register(shutil.rmtree, folder, True)
    atexit.register(base.stop_all)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_")}
    env.update(
        POS_DATABASE_URL=f"sqlite:///{folder / 'pos.sqlite3'}",
        POS_SECRET_KEY="bench-kds-board-secret-key-0123456789",
        POS_INSTANCE_DIR=str(folder),
        POS_DEMO_STOCK_SCALE="1000",  # the demo with stock that never runs out mid-run
        POS_PASSWORD_HASHING="fast",
        POS_LOG_LEVEL="WARNING",
        POS_SCHEDULER="0",
    )
    os.environ.update(env)
    from pos_app import create_app

    app = create_app()
    snapshots = server_costs(app, args.orders)
    client = app.test_client()
    waiter = client.post("/api/v1/auth/login", json={"pin": "1112"}).get_json()["token"]
    with app.app_context():
        from sqlalchemy import select

        from pos_app.db import unit_of_work
        from pos_app.menu.models import MenuItem

        with unit_of_work(write=False) as s:
            soup = s.scalar(select(MenuItem.id).where(MenuItem.name == "Lentil soup"))

    port = base.free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    command = [sys.executable, "-m", "pos_app.server", "--host", "127.0.0.1", "--port", str(port)]
    proc = base.spawn(command, log, env, cwd=args.server_dir)
    base.wait_healthy(url, proc, log)
    headers = {"Authorization": f"Bearer {waiter}"}
    pages = [page_costs(url, args.pushes, rate, headers, soup) for rate in (1, args.throttle)]
    print(json.dumps({"snapshots": snapshots, "pages": pages}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
