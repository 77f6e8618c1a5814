"""The server prints from a process of its own (printers/print_process.py): it prints the chits
of orders posted to the real server, its printer_status pushes reach the kitchen screens, it
yields the CPU to the server, is started again when it dies and ends when the server dies,
and a chit costs the server's process no SQL statement at all.

The same virtual printers on loopback as tests/test_printing.py (its `shop` fixture).
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import socketio
import test_printing
from live import server_process
from sqlalchemy import create_engine, event, select
from test_printing import http_order, wait_until

from printers import worker
from printers.models import PrintJob, PrintJobStatus
from printers.print_link import PrintLink
from printers.virtual import VirtualPrinter

shop = test_printing.shop  # the fixture: every demo printer on a virtual printer of its own


def printed_by(shop, job_id: int | None = None) -> int:
    """The pid of the process that printed the job (the first printed one), once recorded."""

    def printed():
        jobs = [j for j in shop.jobs() if j.status == PrintJobStatus.printed]
        return next((j for j in jobs if job_id in (None, j.id)), None)

    job = wait_until(printed, 10, "the job recorded as printed")
    return int(job.claimed_by.split(":")[1])


def gone(pid: int) -> bool:
    """True once the process has ended (a zombie waiting for its reaper counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_the_print_process_prints_an_orders_chit_and_its_status_push_reaches_a_screen(
    shop, database_url, tmp_path, token_for
):
    shop.vps["grill"].stop()  # dark: the print process tells the grill's screens
    with server_process(database_url, tmp_path) as (url, proc):
        screen = socketio.Client(reconnection=False)
        pushes = []
        screen.on("printer_status", pushes.append, namespace="/kds")
        screen.connect(
            url, namespaces=["/kds"], auth={"token": token_for("kitchen")}, transports=["websocket"]
        )
        try:
            joined = screen.call(
                "join_station", {"station_id": shop.ids["stations"]["grill"]}, namespace="/kds"
            )
            assert joined["ok"], joined
            order = http_order(
                url,
                shop,
                token_for("waiter"),
                shop.line("Mixed grill", mods=["French fries"], course=1),
                shop.line("Hummus"),
                table="5",
            )
            [cold] = wait_until(lambda: shop.paper("cold"), 10, "the cold chit")
            assert f"#{order['number']} " in cold and "1 x Hummus" in cold
            printer = printed_by(shop)
            assert printer != proc.pid  # not the server: its print process
            # ... which yields the CPU to the server when both want it (POS_PRINT_NICE)
            server_nice = os.getpriority(os.PRIO_PROCESS, proc.pid)
            assert os.getpriority(os.PRIO_PROCESS, printer) == min(server_nice + 10, 19)
            status = wait_until(
                lambda: [p for p in pushes if p["online"] is False], 10, "a printer_status push"
            )[0]
            assert status["id"] == shop.printers["grill"] and status["name"] == "Grill printer"
        finally:
            screen.disconnect()


def test_a_dead_print_process_is_started_again_and_a_killed_server_takes_it_along(
    shop, database_url, tmp_path, token_for
):
    waiter = token_for("waiter")
    with server_process(database_url, tmp_path) as (url, proc):
        http_order(url, shop, waiter, shop.line("Hummus"), table="1")
        wait_until(lambda: shop.paper("cold"), 10, "the first cold chit")
        first = printed_by(shop)
        os.kill(first, signal.SIGKILL)  # the print process crashes
        wait_until(lambda: gone(first), 5, "the print process killed")
        http_order(url, shop, waiter, shop.line("Hummus"), table="2")
        wait_until(lambda: len(shop.paper("cold")) == 2, 15, "the second chit, printed again")
        second = max(shop.jobs(), key=lambda j: j.id)
        restarted = printed_by(shop, second.id)
        assert restarted not in (first, proc.pid)
        assert "exited" in (tmp_path / f"server-{url.rsplit(':', 1)[1]}.log").read_text()

        proc.send_signal(signal.SIGKILL)  # power cut of the server alone
        proc.wait(5)
        wait_until(lambda: gone(restarted), 5, "the print process ended with its server")


def test_a_chit_printed_by_the_print_process_costs_the_server_no_sql_statement(shop, database_url):
    link = PrintLink(shop.app).start()
    engine = shop.app.extensions["pos_engine"]
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    other = create_engine(database_url)  # the test's own reads, not counted
    try:
        assert link.ready.wait(30), "the print process did not start"
        event.listen(engine, "before_cursor_execute", count)
        shop.order(
            shop.line("Mixed grill", mods=["French fries"], course=1),
            shop.line("Hummus"),
            shop.line("Fresh orange juice"),
        )
        for_the_order = len(statements)
        assert for_the_order > 0  # the order's own transaction is counted

        def all_printed():
            with other.connect() as conn:
                return (
                    conn.execute(select(PrintJob.status)).scalars().all()
                    == [PrintJobStatus.printed] * 3
                )

        wait_until(all_printed, 15, "three chits printed")
        assert [len(shop.paper(code)) for code in ("grill", "cold", "bar")] == [1, 1, 1]
        assert statements[for_the_order:] == []  # claims, renders, outcomes: all elsewhere

        # A printer added while the print process runs gets its loop there at its first job.
        added = VirtualPrinter("added").start()
        body = {"name": "Added printer", "connection": "network", "host": "127.0.0.1"}
        new = shop.call(
            "post",
            "/api/v1/printers",
            {**body, "port": added.port, "role": "kitchen"},
            201,
            shop.manager,
        )
        shop.call("post", f"/api/v1/printers/{new['id']}/test-print", {}, 201, shop.manager)
        wait_until(lambda: added.jobs, 15, "the new printer's test page")
        added.stop()
    finally:
        event.remove(engine, "before_cursor_execute", count)
        link.stop()
        other.dispose()


def test_a_batch_prints_in_order_and_a_failure_takes_the_unsent_rest_along(shop):
    for table in ("1", "2", "3"):
        shop.order(shop.line("Mixed grill", mods=["French fries"], course=1), table=table)
    assert worker.print_due(shop.app, shop.printers["grill"], limit=3) == 3  # one claim
    tables = [re.search(r"Table (\d)", chit).group(1) for chit in shop.paper("grill")]
    assert tables == ["1", "2", "3"]
    assert {j.status for j in shop.jobs()} == {PrintJobStatus.printed}

    shop.vps["grill"].mode = "paper_out"  # the first of the next batch fails at once
    for table in ("4", "5"):
        shop.order(shop.line("Mixed grill", mods=["French fries"], course=1), table=table)
    assert worker.print_due(shop.app, shop.printers["grill"], limit=3) == 2
    waiting = [j for j in shop.jobs() if j.status != PrintJobStatus.printed]
    assert [(j.status, j.printer_id, j.attempts) for j in waiting] == [
        (PrintJobStatus.pending, shop.printers["fry"], 0)
    ] * 2  # the one never sent moved with the one that failed: nothing left 'sending'
    assert shop.print_all("fry") == 2
    assert [re.search(r"Table (\d)", c).group(1) for c in shop.paper("fry")] == ["4", "5"]


def test_without_a_print_process_the_loops_print_in_the_process_that_starts_them(shop):
    loops = worker.PrintWorker(shop.app, idle_wait=0.1).start()
    try:
        shop.order(shop.line("Mixed grill", mods=["French fries"], course=1), shop.line("Hummus"))
        wait_until(
            lambda: all(j.status == PrintJobStatus.printed for j in shop.jobs()),
            10,
            lambda: f"both chits printed: {[j.status for j in shop.jobs()]}",
        )
        assert len(shop.paper("grill")) == len(shop.paper("cold")) == 1
        assert loops.writer.transactions >= 1  # their claims and outcomes went through it
    finally:
        loops.stop()
