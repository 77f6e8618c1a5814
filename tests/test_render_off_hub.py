"""Rendering a chit never runs on the gevent hub that pushes to the screens.

The server runs every greenlet on one hub: a chit rendered there (fonts, Arabic shaping)
holds every push to every screen until it is done. The worker renders in a native thread
(printers/render_pool.py). Proved here in a gevent process as the server runs (monkey-patched
first): a greenlet ticks on the hub while the worker prints a long Arabic chit, and the ticks
counted between the render's start and its end must be many (the old code counted none).
Counts, not times: no assertion here depends on how fast the machine is.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import TEST_SECRET
from live import PROJECT_DIR

from printers import queue
from printers.models import Printer, PrinterConnection, PrinterRole
from printers.render import decode_escpos, raster_images
from printers.virtual import VirtualPrinter

PROBE = r"""
from gevent import monkey

monkey.patch_all()

import json, sys
import gevent
from pos_app import create_app
from printers import documents, render_pool, worker

native_id = monkey.get_original("threading", "get_native_id")
app = create_app(json.loads(sys.argv[1]))
render_pool.warm_up()  # as the print worker does at start
ticks, seen = [0], {}
real_render = documents.render

def counted_render(given):
    seen["start"], seen["thread"] = ticks[0], native_id()
    try:
        return real_render(given)
    finally:
        seen["end"] = ticks[0]

documents.render = counted_render

def ticker():
    while True:
        gevent.sleep(0.001)
        ticks[0] += 1

beat = gevent.spawn(ticker)
busy = worker.process_one(app, int(sys.argv[2]))
beat.kill()
print(json.dumps({
    "busy": busy,
    "ticks_during_render": seen["end"] - seen["start"],
    "render_in_hub_thread": seen["thread"] == native_id(),
}))
"""


def long_arabic_chit(lines: int = 40) -> dict:
    return {
        "station": {"name": "Grill", "name_ar": "الشواية"},
        "header": {"number": 77, "type": "takeaway", "customer": "OFFHUB"},
        "course": 1,
        "printed_at": "2026-03-14T16:42:00+00:00",
        "time_zone": "Asia/Riyadh",
        "lines": [
            {
                "quantity": 1 + i % 3,
                "name": f"Dish {i}",
                "name_ar": f"طبق رقم {i} مشاوي مشكلة مع أرز بالزعفران",
                "modifiers": [{"name": "Extra garlic", "name_ar": f"ثوم إضافي {i}"}],
                "note": f"بدون بصل، الصلصة على الجانب {i}",
                "allergy": "مكسرات",
                "seat": 1 + i % 4,
            }
            for i in range(lines)
        ],
    }


def test_the_hub_keeps_running_while_the_worker_renders_a_long_arabic_chit(app, db, database_url):
    paper = VirtualPrinter("grill").start()
    try:
        with db() as s:
            printer = Printer(
                name="Grill printer",
                connection=PrinterConnection.network,
                host="127.0.0.1",
                port=paper.port,
                role=PrinterRole.kitchen,
                paper_width_mm=80,
                chars_per_line=48,
            )
            s.add(printer)
            s.flush()
            queue.queue_job(s, printer, "chit", long_arabic_chit(), None, "test")
            printer_id = printer.id
        config = {"POS_DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, "TESTING": True}
        done = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(config), str(printer_id)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        probe = json.loads(done.stdout.strip().splitlines()[-1])
        assert paper.wait_idle()
    finally:
        paper.stop()

    assert probe["busy"] is True
    # The hub went on ticking while the chit was drawn (a render on the hub: 0 ticks) ...
    assert probe["ticks_during_render"] >= 3, probe
    assert probe["render_in_hub_thread"] is False
    # ... and the chit still reached the printer whole, its Arabic as raster images.
    [job] = paper.jobs
    assert job.complete
    assert "OFFHUB" in decode_escpos(job.data)
    assert len(raster_images(job.data)) > 40
