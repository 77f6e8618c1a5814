"""Station printers against real TCP listeners: chits, deltas, retries, fail-over, restarts.

Each demo printer is pointed (over the API) at a VirtualPrinter listening on loopback in this
process: a real socket that answers ESC/POS status queries (DLE EOT) and keeps the bytes it
gets, and that can go dark, stall, hang up mid-job or run out of paper. The worker is driven
one job at a time with `process_one` (the queue's clock moved by pos_app.clock), or runs for
real inside the gevent server (`python -m pos_app.server`) for the restart and isolation
tests. What reached a printer is read back with decode_escpos: the tests assert on the text
a cook reads, never on byte counts.
"""

from __future__ import annotations

import dataclasses
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
import socketio
from live import running_server, server_process
from sqlalchemy import select

from pos_app import clock
from pos_app.audit import AuditEntry
from pos_app.menu.models import MenuItem, Modifier, Station
from printers import outcomes, queue, worker
from printers.models import Printer, PrintJob, PrintJobStatus
from printers.render import decode_escpos, raster_images
from printers.virtual import VirtualPrinter
from printers.worker import process_one
from table_service.models import DiningTable

KITCHEN = ("grill", "fry", "cold", "bar")
STATION_NAMES = {"grill": "Grill", "fry": "Fry", "cold": "Cold kitchen", "bar": "Bar"}
ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


class Shop:
    """The demo restaurant with its printers on virtual printers, and staff to call the API."""

    def __init__(self, app, client, db, ids, printers, vps, headers):
        self.app, self.client, self.db = app, client, db
        self.ids, self.printers, self.vps = ids, printers, vps
        self.waiter, self.manager, self.cook = headers

    def line(self, item: str, quantity: int = 1, mods=(), **kw) -> dict:
        return {
            "id": str(uuid.uuid4()),
            "item_id": self.ids["items"][item],
            "quantity": quantity,
            "modifier_ids": [self.ids["mods"][m] for m in mods],
            **kw,
        }

    def order_body(self, *lines: dict, table: str = "4") -> dict:
        return {
            "id": str(uuid.uuid4()),
            "type": "dine_in",
            "table_id": self.ids["tables"][table],
            "guests": 2,
            "fire": True,
            "lines": list(lines),
        }

    def order(self, *lines: dict, table: str = "4") -> dict:
        return self.call("post", "/api/v1/orders", self.order_body(*lines, table=table), 201)

    def call(self, method: str, path: str, body=None, status=200, headers=None) -> dict:
        response = self.client.open(
            path, method=method.upper(), json=body, headers=headers or self.waiter
        )
        assert response.status_code == status, response.get_json()
        return response.get_json() if response.data else {}

    def print_all(self, *codes: str, limit: int = 50) -> int:
        """Run the worker for these printers (all when none) until none has a due job."""
        ids = [self.printers[c] for c in codes or self.printers]
        done = 0
        for _ in range(limit):
            busy = [pid for pid in ids if process_one(self.app, pid)]
            done += len(busy)
            if not busy:
                return done
        pytest.fail(f"the printers still had due jobs after {limit} rounds")

    def paper(self, code: str) -> list[str]:
        """The decoded text of every complete job the printer received, oldest first."""
        assert self.vps[code].wait_idle(), f"{code} is still reading a job"
        return [decode_escpos(job.data) for job in self.vps[code].jobs if job.complete]

    # populate_existing: rows another process (the server) changed are read afresh, not
    # taken from this session's identity map.
    def jobs(self, **where) -> list[PrintJob]:
        with self.db(write=False) as s:
            stmt = select(PrintJob).order_by(PrintJob.id)
            for name, value in where.items():
                stmt = stmt.where(getattr(PrintJob, name) == value)
            return list(s.scalars(stmt.execution_options(populate_existing=True)))

    def printer(self, code: str) -> Printer:
        with self.db(write=False) as s:
            return s.get(Printer, self.printers[code], populate_existing=True)


@pytest.fixture
def shop(app, client, demo, db, auth, monkeypatch):
    """Every demo printer on a virtual printer of its own; short socket timeouts."""
    # A printer that never answers is given up after 0.3 s here instead of 5 s.
    target_of = worker.target_of
    monkeypatch.setattr(
        worker,
        "target_of",
        lambda p: dataclasses.replace(target_of(p), connect_timeout=0.5, io_timeout=0.3),
    )
    manager = auth("manager")
    with db(write=False) as s:
        ids = {
            "items": {i.name: i.id for i in s.scalars(select(MenuItem))},
            "mods": {m.name: m.id for m in s.scalars(select(Modifier))},
            "stations": {st.code: st.id for st in s.scalars(select(Station))},
            "tables": {t.label: t.id for t in s.scalars(select(DiningTable))},
        }
        codes = {st_id: code for code, st_id in ids["stations"].items()}
        printers = {codes.get(p.station_id, "receipt"): p.id for p in s.scalars(select(Printer))}
    vps = {}
    for code, printer_id in printers.items():
        vps[code] = VirtualPrinter(code).start()
        response = client.patch(
            f"/api/v1/printers/{printer_id}",
            json={"host": "127.0.0.1", "port": vps[code].port},
            headers=manager,
        )
        assert response.status_code == 200, response.get_json()
    yield Shop(app, client, db, ids, printers, vps, (auth("waiter"), manager, auth("kitchen")))
    for vp in vps.values():
        vp.stop()


def local(printed_at: str) -> datetime:
    return datetime.fromisoformat(printed_at).astimezone(ZoneInfo("Asia/Riyadh"))


# -- what reaches which printer ---------------------------------------------------------------


def test_a_fired_order_prints_each_stations_chit_at_its_printer_and_nowhere_else(shop):
    order = shop.order(
        shop.line("Mixed grill", 2, mods=["French fries"], allergy="nuts", course=1),
        shop.line("Hummus", note="extra olive oil"),
    )
    assert shop.print_all() == 2

    [grill] = shop.paper("grill")
    [job] = shop.jobs(printer_id=shop.printers["grill"])
    when = local(job.document["printed_at"])
    assert "Grill" in grill.splitlines()
    assert f"#{order['number']} " in grill and f" {when:%H:%M}\n" in grill
    assert "Table 4" in grill
    assert "2 x Mixed grill\n  French fries\n" in grill  # the modifier under its item
    assert "ALLERGY: nuts" in grill
    assert f"Time: {when:%Y-%m-%d %H:%M}" in grill  # the branch's time (Riyadh), not UTC
    assert f"Waiter: {order['waiter_name']}" in grill
    assert "Hummus" not in grill and "CHANGE" not in grill and "REPRINT" not in grill
    assert grill.rstrip().endswith("--- cut ---")

    [cold] = shop.paper("cold")
    assert (
        "Cold kitchen" in cold.splitlines()
        and "1 x Hummus" in cold
        and "Note: extra olive oil" in cold
    )
    assert "Mixed grill" not in cold
    assert shop.paper("fry") == shop.paper("bar") == shop.paper("receipt") == []
    assert {j.status for j in shop.jobs()} == {PrintJobStatus.printed}
    assert shop.printer("grill").online is True


def test_an_edit_prints_only_the_difference(shop):
    grill = shop.line("Mixed grill", 2, mods=["French fries"], course=1)
    order = shop.order(grill, shop.line("Hummus"))
    shop.print_all()

    more = shop.call(
        "patch",
        f"/api/v1/orders/{order['id']}/lines/{grill['id']}",
        {"version": order["version"], "quantity": 3},
    )
    fired = shop.call("post", f"/api/v1/orders/{order['id']}/fire", {"version": more["version"]})
    shop.print_all()
    added = shop.paper("grill")[-1]
    assert "CHANGE" in added and "1 x Mixed grill" in added  # +1, not the whole order again
    assert "2 x" not in added and "3 x" not in added

    swapped = shop.call(
        "patch",
        f"/api/v1/orders/{order['id']}/lines/{grill['id']}",
        {"version": fired["version"], "modifier_ids": [shop.ids["mods"]["Saffron rice"]]},
    )
    fired = shop.call("post", f"/api/v1/orders/{order['id']}/fire", {"version": swapped["version"]})
    shop.print_all()
    changed = shop.paper("grill")[-1]
    assert "CHANGE 3 x Mixed grill" in changed
    assert "was: French fries" in changed and "now: Saffron rice" in changed

    shop.call(
        "post",
        f"/api/v1/orders/{order['id']}/lines/{grill['id']}/void",
        {"version": fired["version"], "quantity": 1, "reason": "guest changed mind"},
    )
    shop.print_all()
    voided = shop.paper("grill")[-1]
    assert "VOID 1 x Mixed grill" in voided and "Reason: guest changed mind" in voided
    assert len(shop.paper("grill")) == 4
    assert len(shop.paper("cold")) == 1  # the hummus was not touched: no second chit


# -- when a printer fails ---------------------------------------------------------------------


def test_a_dead_printer_is_retried_with_backoff_then_its_chit_comes_out_of_the_backup(shop):
    shop.vps["grill"].stop()  # switched off: connections are refused
    order = shop.order(shop.line("Mixed grill", mods=["French fries"], course=1))
    [job] = shop.jobs()

    waits = []
    for attempt in (1, 2):
        assert process_one(shop.app, shop.printers["grill"]) is True
        [job] = shop.jobs()
        assert (job.status, job.attempts) == (PrintJobStatus.pending, attempt)
        assert job.printer_id == shop.printers["grill"] and "cannot connect" in job.last_error
        waits.append((job.next_attempt_at - clock.utcnow()).total_seconds())
        assert process_one(shop.app, shop.printers["grill"]) is False  # not due yet: waits
        clock.advance(waits[-1] + 0.01)
    assert 0.3 < waits[0] <= 0.5 and 0.8 < waits[1] <= 1.0  # the wait doubles
    grill = shop.printer("grill")
    assert grill.online is False and "cannot connect" in grill.last_error

    assert process_one(shop.app, shop.printers["grill"]) is True  # third failure: fail over
    [job] = shop.jobs()
    assert job.printer_id == shop.printers["fry"] and job.marks == ["BACKUP FROM Grill printer"]
    assert shop.print_all("fry") == 1
    [chit] = shop.paper("fry")
    assert "BACKUP FROM Grill printer" in chit
    assert (
        "Grill" in chit.splitlines()
        and f"#{order['number']} " in chit
        and "1 x Mixed grill" in chit
    )
    assert shop.jobs()[0].status == PrintJobStatus.printed
    assert shop.vps["grill"].jobs == []


def test_a_dead_printers_whole_queue_fails_over_after_three_tries_in_all(shop):
    shop.vps["grill"].stop()
    for table in ("1", "2", "3"):
        shop.order(shop.line("Mixed grill", mods=["French fries"], course=1), table=table)
    attempts = 0
    while any(j.printer_id == shop.printers["grill"] for j in shop.jobs()):
        if process_one(shop.app, shop.printers["grill"]):
            attempts += 1
        else:
            clock.advance(1.01)  # the whole queue waits out the backoff together
        assert attempts <= 3
    assert attempts == 3  # three tries of the printer, not three per chit
    assert shop.print_all("fry") == 3
    assert all("BACKUP FROM Grill printer" in chit for chit in shop.paper("fry"))


def test_paper_out_sends_the_chit_to_the_backup_at_once(shop):
    shop.vps["grill"].mode = "paper_out"
    shop.order(shop.line("Shish tawook", mods=["Saffron rice"], course=1))
    assert process_one(shop.app, shop.printers["grill"]) is True
    grill = shop.printer("grill")
    assert grill.paper_out is True and grill.online is False
    [job] = shop.jobs()
    assert job.printer_id == shop.printers["fry"] and job.attempts == 0  # no retries first
    shop.print_all("fry")
    [chit] = shop.paper("fry")
    assert "BACKUP FROM Grill printer" in chit and "1 x Shish tawook" in chit
    assert shop.vps["grill"].jobs == []  # nothing but status questions reached it

    shop.vps["grill"].mode = "normal"  # paper loaded: the idle worker's status check sees it
    assert worker.probe_one(shop.app, shop.printers["grill"]) is True
    grill = shop.printer("grill")
    assert (grill.online, grill.paper_out, grill.last_error) == (True, False, "")


def test_a_printer_that_accepts_and_never_answers_fails_clearly_and_loses_nothing(shop):
    shop.vps["grill"].mode = "stall"
    shop.order(shop.line("Lamb kofta", mods=["French fries"], course=1))
    assert process_one(shop.app, shop.printers["grill"]) is True  # the socket timed out
    [job] = shop.jobs()
    assert job.status == PrintJobStatus.pending and job.last_error == "no status answer: timed out"
    assert shop.printer("grill").last_error == "no status answer: timed out"

    for _ in range(2):
        clock.advance(5)
        process_one(shop.app, shop.printers["grill"])
    [job] = shop.jobs()
    assert job.printer_id == shop.printers["fry"]
    shop.print_all("fry")
    [chit] = shop.paper("fry")
    assert "1 x Lamb kofta" in chit and "BACKUP FROM Grill printer" in chit


def test_a_connection_broken_mid_chit_prints_it_again_once_marked_reprint(shop):
    shop.vps["grill"].mode = "close_mid"  # reads 64 bytes of the job, then hangs up
    order = shop.order(shop.line("Grilled salmon", mods=["Saffron rice"], course=1))
    assert process_one(shop.app, shop.printers["grill"]) is True
    [job] = shop.jobs()
    assert job.status == PrintJobStatus.pending and job.marks == ["REPRINT"]
    assert job.printer_id == shop.printers["grill"]  # tried again here, not moved yet
    assert "connection broke" in job.last_error or "no answer after the job" in job.last_error

    shop.vps["grill"].mode = "normal"
    clock.advance(1)
    assert shop.print_all("grill") == 1
    assert shop.vps["grill"].wait_idle()
    received = shop.vps["grill"].jobs
    assert [j.complete for j in received] == [False, True]  # the torn one, then one whole
    [chit] = shop.paper("grill")
    assert chit.count("REPRINT") == 2  # top and bottom of the one reprint
    assert f"#{order['number']} " in chit and "1 x Grilled salmon" in chit
    assert shop.jobs()[0].status == PrintJobStatus.printed


def test_a_job_left_sending_by_a_dead_worker_is_printed_again_marked_reprint(shop, db):
    shop.order(shop.line("Hummus"))
    with db() as s:  # a worker claims the job... and its process dies
        claimed = queue.claim_next(s, shop.printers["cold"])
        assert claimed is not None
    assert process_one(shop.app, shop.printers["cold"]) is False  # nobody else takes it
    with db() as s:
        assert queue.recover_unknown(s) == 0  # it may still be printing
    clock.advance(queue.STALE_AFTER.total_seconds() + 1)
    with db() as s:
        assert queue.recover_unknown(s) == 1
    assert shop.print_all("cold") == 1
    [chit] = shop.paper("cold")
    assert "REPRINT" in chit and "1 x Hummus" in chit


def test_releasing_a_held_course_prints_a_fire_chit_at_its_stations(shop):
    order = shop.order(
        shop.line("Hummus", course=1),
        shop.line("Mixed grill", mods=["French fries"], course=2),
        shop.line("Umm Ali", course=3),
    )
    shop.print_all(*KITCHEN)
    before = {code: len(shop.paper(code)) for code in KITCHEN}
    [held] = [chit for chit in shop.paper("grill") if "Mixed grill" in chit]
    assert "HOLD" in held and "Course 2" in held
    body = {"version": order["version"], "course": 2}
    shop.call("post", f"/api/v1/orders/{order['id']}/fire", body)
    shop.print_all(*KITCHEN)
    new = {code: shop.paper(code)[before[code] :] for code in KITCHEN}
    [fire] = new["grill"]
    assert "FIRE COURSE 2" in fire and "1 x Mixed grill" in fire and "HOLD" not in fire
    assert all(not chits for code, chits in new.items() if code != "grill")
    assert "Umm Ali" not in fire  # course 3 still waits


def test_a_job_of_a_sender_known_dead_is_printed_again_at_once(shop, db):
    shop.order(shop.line("Hummus"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with db() as s:
        job = queue.claim_next(s, shop.printers["cold"])
        assert job.claimed_by == queue.PROCESS  # this process: alive, so not recovered
    with db() as s:
        assert queue.recover_unknown(s) == 0
        job = s.scalars(select(PrintJob)).one()
        job.claimed_by = f"{socket.gethostname()}:{dead.pid}:gone"  # that process is gone
    with db() as s:
        assert queue.recover_unknown(s) == 1  # at once, no STALE_AFTER wait
    assert shop.print_all("cold") == 1
    assert "REPRINT" in shop.paper("cold")[0]
    assert not queue.sender_is_dead(f"other-host:{dead.pid}:x")  # only the clock can tell


def test_a_drawer_kick_is_never_repeated_nor_moved_to_a_backup(shop, db):
    from printers.models import Printer, PrinterRole

    with db() as s:
        receipt = s.scalars(select(Printer).where(Printer.role == PrinterRole.receipt)).one()
        receipt.backup_printer_id = shop.printers["cold"]
        job = queue.queue_job(s, receipt, "drawer", {}, None, "no-sale:1")
        s.flush()
        job_id = job.id
    with db() as s:
        job = s.get(PrintJob, job_id)
        for _ in range(queue.MAX_TRIES + 1):
            outcomes.job_failed(s, job, "refused")
        assert job.printer_id == job.origin_printer_id  # stays where the drawer is
    with db() as s:
        job = s.get(PrintJob, job_id)
        outcomes.job_failed(s, job, "broken mid-send", unknown=True)
        assert job.status == PrintJobStatus.printed and job.marks == []


# -- the real server ----------------------------------------------------------------------------


def http_order(url: str, shop: Shop, token: str, *lines: dict, table: str) -> dict:
    response = requests.post(
        f"{url}/api/v1/orders",
        json=shop.order_body(*lines, table=table),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def wait_until(check, seconds: float, what):
    """check()'s first true value within `seconds`; else fail saying `what` (or what())."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"not within {seconds} s: {what() if callable(what) else what}")


def describe(jobs) -> str:
    return "; ".join(
        f"job {j.id} on {j.printer_id} {j.status.value} tries {j.attempts} {j.last_error!r}"
        for j in jobs
    )


def chits_by_order_and_station(shop: Shop) -> dict[tuple[int, str], list[str]]:
    """Every complete chit any printer received, by (order number, station name on it)."""
    found: dict[tuple[int, str], list[str]] = {}
    for code in KITCHEN:
        for text in shop.paper(code):
            number = int(re.search(r"^#(\d+) ", text, re.M).group(1))
            station = next(n for n in STATION_NAMES.values() if f"\n{n}\n" in f"\n{text}")
            found.setdefault((number, station), []).append(text)
    return found


def test_a_killed_server_prints_every_waiting_chit_exactly_once_after_restart(
    shop, database_url, tmp_path, token_for, db
):
    for code in KITCHEN:
        shop.vps[code].stop()  # the kitchen's printers are dark while orders are fired
    waiter = token_for("waiter")
    with server_process(database_url, tmp_path) as (url, proc):
        orders = [
            http_order(
                url,
                shop,
                waiter,
                shop.line("Mixed grill", mods=["French fries"], course=1),
                shop.line("Hummus"),
                shop.line("Fresh orange juice"),
                table=table,
            )
            for table in ("1", "2", "3")
        ]
        wait_until(
            lambda: all(shop.printer(c).online is False for c in ("grill", "cold", "bar")),
            5,
            "the server's worker trying the dark printers",
        )
        proc.send_signal(signal.SIGKILL)  # power cut: no clean shutdown
        proc.wait(5)
    jobs = shop.jobs()
    assert len(jobs) == 9 and all(j.status != PrintJobStatus.printed for j in jobs)
    # One job was being sent when the power went: its outcome is unknown. (Any job the kill
    # really caught mid-send is treated the same way.)
    # The dead process's claim is recognised at once (its pid is gone): no 30 s wait.
    caught = {j.id for j in jobs if j.status == PrintJobStatus.sending} | {jobs[0].id}
    with db() as s:
        for job_id in caught:
            job = s.get(PrintJob, job_id)
            job.status = PrintJobStatus.sending
            job.claimed_at = clock.utcnow()
            job.claimed_by = f"{socket.gethostname()}:{proc.pid}:killed"

    for code in KITCHEN:
        shop.vps[code].restart()
    with running_server(database_url, tmp_path):
        wait_until(
            lambda: all(j.status == PrintJobStatus.printed for j in shop.jobs()),
            10,
            lambda: f"every job printed after the restart: {describe(shop.jobs())}",
        )  # nothing is left to send: nothing else can turn up

    chits = chits_by_order_and_station(shop)
    wanted = {(o["number"], s) for o in orders for s in ("Grill", "Cold kitchen", "Bar")}
    assert set(chits) == wanted
    assert {key: len(texts) for key, texts in chits.items()} == dict.fromkeys(wanted, 1)
    reprinted = [key for key, [text] in chits.items() if "REPRINT" in text]
    assert len(reprinted) == len(caught)  # the unknown ones, marked; the others are not


def test_one_dead_printer_does_not_delay_another_printers_chits(
    shop, database_url, tmp_path, token_for
):
    shop.vps["grill"].stop()  # dead: refused
    shop.vps["bar"].mode = "stall"  # worse: takes the connection and never answers
    cook = token_for("kitchen")
    with running_server(database_url, tmp_path) as url:
        screen = socketio.Client(reconnection=False)
        pushes = []
        screen.on("printer_status", pushes.append, namespace="/kds")
        screen.connect(url, namespaces=["/kds"], auth={"token": cook}, transports=["websocket"])
        joined = screen.call(
            "join_station",
            {"station_id": shop.ids["stations"]["grill"]},
            namespace="/kds",
            timeout=10,
        )
        assert joined["ok"], joined
        try:
            order = http_order(
                url,
                shop,
                token_for("waiter"),
                shop.line("Mixed grill", mods=["French fries"], course=1),
                shop.line("Hummus"),
                shop.line("Fresh orange juice"),
                table="5",
            )
            # The stalled bar printer holds its connection until the server gives up its
            # first try: were it in the cold chit's way, the chit would come after that.
            # (How long the cold chit takes meanwhile: bench/print_latency.py, fail-over.)
            wait_until(lambda: shop.paper("cold"), 10, "the cold chit")
            [bar_job] = shop.jobs(printer_id=shop.printers["bar"])
            assert (bar_job.status, bar_job.attempts) == (PrintJobStatus.sending, 1)
            assert f"#{order['number']} " in shop.paper("cold")[0]
            # Meanwhile the grill's chit is retried, then printed by its backup.
            wait_until(lambda: shop.paper("fry"), 6, "the grill chit at the fry printer")
            assert "BACKUP FROM Grill printer" in shop.paper("fry")[0]
            # The grill's screens were told, with no sequence number (not a ticket event).
            status = wait_until(
                lambda: [p for p in pushes if p["online"] is False], 2, "a printer_status push"
            )[0]
            assert status["id"] == shop.printers["grill"] and "seq" not in status
            assert status["name"] == "Grill printer" and status["backup_printer_id"]
        finally:
            screen.disconnect()


# -- paper, endpoints, configuration ------------------------------------------------------------


def test_arabic_names_arrive_as_raster_images_as_wide_as_the_paper(shop):
    shop.order(shop.line("Mixed grill", mods=["French fries"], note="بدون ثوم", course=1))
    shop.print_all()
    assert shop.vps["grill"].wait_idle()
    [data] = [job.data for job in shop.vps["grill"].jobs]
    images = raster_images(data)
    assert len(images) >= 4  # station, table, item with its modifier, the Arabic note
    assert {img.width for img in images} == {576}  # 80 mm paper: 576 dots
    assert all(img.getbbox() is not None for img in images)  # ink on each (black is 0)
    text = decode_escpos(data)
    assert not ARABIC.search(text)  # never as code-page text the printer would garble
    assert "Note:" not in text  # an Arabic note goes as an image only

    shop.call(
        "patch",
        f"/api/v1/printers/{shop.printers['grill']}",
        {"paper_width_mm": 58},
        headers=shop.manager,
    )
    shop.order(shop.line("Lamb kofta", mods=["Saffron rice"], course=1), table="5")
    shop.print_all()
    assert shop.vps["grill"].wait_idle()
    narrow = shop.vps["grill"].jobs[-1].data
    assert {img.width for img in raster_images(narrow)} == {384}
    assert max(len(line) for line in decode_escpos(narrow).splitlines()) <= 32


def test_test_print_and_reprints_print_and_reprints_are_audited(shop, db):
    grill = shop.printers["grill"]
    job = shop.call(
        "post", f"/api/v1/printers/{grill}/test-print", headers=shop.manager, status=201
    )
    assert job["kind"] == "test" and job["printer_id"] == grill
    shop.print_all("grill")
    [page] = shop.paper("grill")
    assert "TEST PRINT" in page and "Grill printer" in page and "Arabic as image: yes" in page

    order = shop.order(shop.line("Mixed grill", mods=["French fries"], course=1))
    shop.print_all()
    [chit_job] = shop.jobs(kind="chit")
    again = shop.call(
        "post",
        f"/api/v1/print-jobs/{chit_job.id}/reprint",
        {"reason": "paper jam"},
        headers=shop.cook,
        status=201,
    )
    assert again["marks"] == ["REPRINT"] and again["printer_id"] == grill
    shop.print_all("grill")
    reprint = shop.paper("grill")[-1]
    assert "REPRINT" in reprint and f"#{order['number']} " in reprint

    # From the kitchen screen: by order and station.
    made = shop.call(
        "post",
        "/api/v1/print-jobs/reprint",
        {
            "order_id": order["id"],
            "station_id": shop.ids["stations"]["grill"],
            "reason": "chit fell in the fryer",
        },
        headers=shop.cook,
        status=201,
    )["items"]
    assert [(j["printer_id"], j["marks"]) for j in made] == [(grill, ["REPRINT"])]
    shop.print_all("grill")
    assert len(shop.paper("grill")) == 4 and "REPRINT" in shop.paper("grill")[-1]
    assert shop.paper("fry") == []

    with db(write=False) as s:
        reasons = s.scalars(
            select(AuditEntry.reason)
            .where(AuditEntry.action == "print_job.reprinted")
            .order_by(AuditEntry.id)
        ).all()
    assert reasons == ["paper jam", "chit fell in the fryer"]

    nothing = shop.client.post(
        "/api/v1/print-jobs/reprint",
        json={"order_id": order["id"], "station_id": shop.ids["stations"]["cold"]},
        headers=shop.cook,
    )
    assert nothing.status_code == 404
    assert (
        shop.client.post(
            "/api/v1/print-jobs/reprint",
            json={"order_id": order["id"], "station_id": shop.ids["stations"]["grill"]},
            headers=shop.waiter,
        ).status_code
        == 403
    )


def test_the_kitchen_reprint_takes_the_latest_chit_of_the_course_once_per_printer(shop):
    grill = shop.line("Mixed grill", mods=["French fries"], course=1)
    order = shop.order(grill, shop.line("Lamb kofta", mods=["Saffron rice"], course=2))
    more = shop.call(
        "patch",
        f"/api/v1/orders/{order['id']}/lines/{grill['id']}",
        {"version": order["version"], "quantity": 2},
    )
    shop.call("post", f"/api/v1/orders/{order['id']}/fire", {"version": more["version"]})
    shop.print_all()
    assert len(shop.paper("grill")) == 3  # course 1, course 2 (held), then the +1

    def reprint(**extra):
        body = {"order_id": order["id"], "station_id": shop.ids["stations"]["grill"], **extra}
        shop.call("post", "/api/v1/print-jobs/reprint", body, headers=shop.cook, status=201)
        shop.print_all()
        return shop.paper("grill")[-1]

    latest = reprint()
    assert "REPRINT" in latest and "CHANGE" in latest and "1 x Mixed grill" in latest
    assert reprint() == latest  # a reprint of the reprint is the same chit, once
    held = reprint(course=2)
    assert "REPRINT" in held and "HOLD" in held and "1 x Lamb kofta" in held


def test_unknown_printers_are_404_and_absurd_paper_is_422(shop):
    manager = shop.manager
    assert shop.client.get("/api/v1/printers/999999", headers=manager).status_code == 404
    assert (
        shop.client.post("/api/v1/printers/999999/test-print", headers=manager).status_code == 404
    )
    assert (
        shop.client.post("/api/v1/print-jobs/999999/reprint", json={}, headers=manager).status_code
        == 404
    )
    wide = shop.client.patch(
        f"/api/v1/printers/{shop.printers['grill']}",
        json={"paper_width_mm": 1000},
        headers=manager,
    )
    assert wide.status_code == 422 and "paper_width_mm" in wide.get_json()["error"]["fields"]
    new = shop.client.post(
        "/api/v1/printers",
        json={
            "name": "Pastry printer",
            "connection": "network",
            "host": "127.0.0.1",
            "role": "kitchen",
            "paper_width_mm": -80,
        },
        headers=manager,
    )
    assert new.status_code == 422 and "paper_width_mm" in new.get_json()["error"]["fields"]
    assert shop.printer("grill").paper_width_mm == 80


def test_a_deactivated_station_or_printer_loses_no_chit(shop):
    shop.order(shop.line("Hummus"), table="1")  # queued for the cold printer...
    cold = shop.ids["stations"]["cold"]
    shop.call("delete", f"/api/v1/stations/{cold}", headers=shop.manager, status=200)
    shop.print_all()  # ...and printed although its station is gone
    [chit] = shop.paper("cold")
    assert "Cold kitchen" in chit.splitlines() and "1 x Hummus" in chit

    # Fired after the station went: the chit goes to a station that still cooks.
    shop.order(shop.line("Fattoush"), table="2")
    shop.print_all()
    printed = [t for code in KITCHEN for t in shop.paper(code) if "1 x Fattoush" in t]
    assert len(printed) == 1

    # A printer deactivated with chits waiting hands them to its backup.
    shop.vps["grill"].stop()
    shop.order(shop.line("Mixed grill", mods=["French fries"], course=1), table="3")
    process_one(shop.app, shop.printers["grill"])  # one failed try: it waits on the grill
    grill = shop.printers["grill"]
    shop.call("delete", f"/api/v1/printers/{grill}", headers=shop.manager, status=200)
    job = shop.jobs(origin_printer_id=grill)[-1]
    assert job.printer_id == shop.printers["fry"] and job.marks == ["BACKUP FROM Grill printer"]
    shop.print_all("fry")
    assert "1 x Mixed grill" in shop.paper("fry")[-1]
    assert all(j.status == PrintJobStatus.printed for j in shop.jobs())


def test_the_virtual_printers_output_is_readable_newest_first(shop):
    shop.app.extensions["virtual_printers"] = {shop.printers["cold"]: shop.vps["cold"]}
    shop.order(shop.line("Hummus"), table="1")
    shop.order(shop.line("Tabbouleh"), table="2")
    shop.print_all()
    cold = shop.printers["cold"]
    out = shop.call("get", f"/api/v1/printers/{cold}/virtual-output", headers=shop.manager)
    texts = [item["text"] for item in out["items"]]
    assert len(texts) == 2 and "Tabbouleh" in texts[0] and "Hummus" in texts[1]
    assert all(item["complete"] for item in out["items"])
    grill = shop.printers["grill"]
    assert (
        shop.client.get(
            f"/api/v1/printers/{grill}/virtual-output", headers=shop.manager
        ).status_code
        == 404
    )


def test_a_printed_batch_records_each_jobs_time_and_bytes_and_the_printer_up(shop, monkeypatch):
    """The loops' happy path writes with Core statements (outcomes.jobs_printed): each job
    printed, its time and its bytes, the printer up with no failures, as job_printed did."""
    core = []
    jobs_printed = outcomes.jobs_printed
    monkeypatch.setattr(
        outcomes, "jobs_printed", lambda s, printed: core.append(jobs_printed(s, printed))
    )
    grill = shop.printers["grill"]
    for table in ("4", "5"):  # the first print finds the printer's state unknown: ORM path
        shop.order(shop.line("Mixed grill", mods=["French fries"], course=1), table=table)
        before = clock.utcnow()
        assert worker.print_due(shop.app, grill) == 1
    assert core == [False, True]
    with shop.db() as s:  # a printer up whose last job could not be rendered: error cleared
        s.get(Printer, grill).last_error = "cannot render: a bad document"
    before = clock.utcnow()
    shop.order(shop.line("Lamb kofta", mods=["Saffron rice"], course=1), table="6")
    shop.order(shop.line("Shish tawook", mods=["Saffron rice"], course=1), table="7")
    assert worker.print_due(shop.app, grill) == 2  # one batch, one record
    assert core == [False, True, True]

    jobs = shop.jobs(printer_id=grill)
    assert [j.status for j in jobs] == [PrintJobStatus.printed] * 4
    sent = [len(job.data) for job in shop.vps["grill"].jobs]
    assert [j.byte_count for j in jobs] == sent
    assert all(j.last_error == "" and j.attempts == 1 for j in jobs)
    assert all(j.claimed_by == queue.PROCESS and j.claimed_at <= j.printed_at for j in jobs)
    assert before <= jobs[2].printed_at <= jobs[3].printed_at <= clock.utcnow()
    printer = shop.printer("grill")
    assert (printer.online, printer.paper_out, printer.failures, printer.last_error) == (
        True,
        False,
        0,
        "",
    )
    assert printer.last_printed_at == printer.status_at == jobs[3].printed_at
    assert ["1 x Lamb kofta" in c for c in shop.paper("grill")] == [False, False, True, False]
