"""The figures of bench/order_to_kds.py: per phase from the Node harness's raw times, per run,
medians over runs, and the table of issue 17 (every figure beside the floor's and the echo's).

Pure: no I/O but printing.
"""

from __future__ import annotations

import statistics

import order_phases
from support import dist, f, line


def _phase_orders(phase: dict, screens: list[dict]) -> dict:
    """Latencies of the measured orders (warm-up left out) of one phase."""
    each, every, answer, missing, statuses, errors = [], [], [], 0, {}, set()
    tickets: dict[int, list[int]] = {}
    for order in phase["orders"]:
        statuses[str(order["status"])] = statuses.get(str(order["status"]), 0) + 1
        if order["status"] != 201:
            errors.add(str(order.get("error"))[:200])
            continue
        if order["warmup"]:
            continue
        answer.append(order["t_resp"] - order["t_send"])
        got = [t - order["t_send"] for t in order["recv"] if t is not None]
        missing += len(order["recv"]) - len(got)
        each.extend(got)
        if len(got) == len(order["recv"]):
            every.append(max(got))
        for i, n in enumerate(order["tickets"][: len(screens)]):
            tickets.setdefault(screens[i]["station_id"], []).append(n)
    return {
        "statuses": statuses,
        "errors": sorted(errors)[:5],
        "measured": len(answer),
        "deliveries_missing": missing,
        "post_to_each_screen_ms": dist(each),
        "post_to_all_screens_ms": dist(every),
        "answer_ms": dist(answer),
        "tickets_per_order_by_station": {
            str(k): statistics.fmean(v) for k, v in sorted(tickets.items())
        },
    }


def _first_order(phase: dict) -> float | None:
    order = phase["orders"][0] if phase["orders"] else None
    if not order or order["status"] != 201 or None in order["recv"]:
        return None
    return max(order["recv"]) - order["t_send"]


def summarise_phase(phase: dict, mark: dict, screens: list[dict]) -> dict:
    out = {"name": phase["name"], "kind": phase["config"]["kind"]}
    ok = [o for o in phase["orders"] if o["status"] == 201]
    if out["kind"] == "idle":
        body = _phase_orders(phase, [])  # 1,000 screens: no per-station ticket counts
        per_socket = None
        if mark.get("screens"):
            per_socket = (mark["rss_after_kb"] - mark["rss_before_kb"]) / mark["screens"]
        return {
            **out,
            **body,
            "screens": mark.get("screens"),
            "join_s": phase["join_s"],
            "rss_before_kb": mark.get("rss_before_kb"),
            "rss_after_kb": mark.get("rss_after_kb"),
            "kb_per_idle_socket": per_socket,
            "integrity": phase["integrity"],
            "dropped": phase["disconnected"],
        }
    out.update(_phase_orders(phase, screens))
    cpu = mark.get("cpu", {})
    out["cpu"] = cpu
    out["orders_sent"] = len(phase["orders"])
    out["server_cpu_ms_per_order"] = (
        1000 * cpu["server_cpu_s"] / len(ok) if ok and cpu.get("server_cpu_s") is not None else None
    )
    own = cpu.get("server_own_cpu_s")  # the server process alone: its print process apart
    out["server_own_cpu_ms_per_order"] = 1000 * own / len(ok) if ok and own is not None else None
    first = phase["first_send_wall_ms"] / 1000
    printing = mark.get("printing")
    out["printing"] = printing
    if printing and printing.get("last_printed_at"):
        out["printing_lag_s"] = printing["last_printed_at"] - phase["last_send_wall_ms"] / 1000
    if out["kind"] == "closed":
        span = phase["last_answer_wall_ms"] / 1000 - first
        out["orders_per_s_answered"] = len(ok) / span if span > 0 else None
        if phase.get("last_delivery_wall_ms"):
            out["orders_per_s_on_screens"] = len(ok) / (
                phase["last_delivery_wall_ms"] / 1000 - first
            )
        if printing and printing.get("last_printed_at"):
            out["orders_per_s_printed"] = len(ok) / (printing["last_printed_at"] - first)
    out["first_order_ms"] = _first_order(phase)
    out["busy_skips"] = phase.get("busy_skips")
    # a late timer means the load generator could not keep up: its figures are not the server's
    out["max_timer_lateness_ms"] = phase.get("max_timer_lateness_ms")
    return out


def summarise_target(raw: dict, target: dict) -> dict:
    result, marks = raw["result"], raw["marks"]
    screens = result["screens"]
    phases = [summarise_phase(p, marks.get(p["name"], {}), screens) for p in result["phases"]]
    return {
        "ready_s": raw["ready_s"],
        "phases": phases,
        "handheld_http_connections": sorted(set(result["handheld_http_connections"])),
        "handheld_sockets_dropped": result["handheld_sockets_dropped"],
        "screens_dropped": result["screens_dropped"],
        "integrity": result["integrity"],
        "tables_used": result["tables_used"],
        "server_log": raw["server_log"],
        "profile": raw.get("profile"),
    }


def print_durability(t: dict) -> None:
    d = t["durable_check"]
    verdict = "ok" if d["rows"] >= d["answered_201"] else "ORDERS LOST"
    print(
        f"  durability: {d['rows']} orders in the database for {d['answered_201']} answered "
        f"201: {verdict}"
    )


def print_target(name: str, t: dict) -> None:
    print(f"\n-- {name} (ready in {t['ready_s']:.1f} s) --")
    for p in t["phases"]:
        head = f"  {p['name']}: {p.get('measured', 0)} orders measured, statuses {p['statuses']}"
        if p["kind"] == "idle":
            print(
                f"{head}; {p['screens']} idle screens joined in {f(p['join_s'])} s, "
                f"server RSS {p['rss_before_kb']} -> {p['rss_after_kb']} KB "
                f"({f(p['kb_per_idle_socket'])} KB per socket), dropped {p['dropped']}, "
                f"gaps {p['integrity']['gaps']}, doubles {p['integrity']['doubles']}"
            )
        else:
            cpu = p["cpu"]
            print(
                f"{head}; missing deliveries {p['deliveries_missing']}; server CPU "
                f"{f(p['server_cpu_ms_per_order'])} ms/order, others "
                f"{f(cpu.get('others_cpu_pct'), 0)}% of a core, load "
                f"{'/'.join(f(x, 2) for x in cpu.get('loadavg', ()))}; the harness's timers "
                f"late by {f(p.get('max_timer_lateness_ms'))} ms at most"
            )
        if p["errors"]:
            print(f"    errors: {p['errors']}")
        print(line("  POST -> each screen", p["post_to_each_screen_ms"]))
        print(line("  POST -> all screens", p["post_to_all_screens_ms"]))
        if p["kind"] != "idle":
            print(line("  POST -> answer", p["answer_ms"]))
            print(f"    tickets per order at each station {p['tickets_per_order_by_station']}")
        if p.get("printing"):
            pr = p["printing"]
            print(
                f"    print jobs {pr['counts']}, still waiting {pr['waiting']}, printing lag "
                f"{f(p.get('printing_lag_s'), 2)} s after the last order"
            )
        if p["kind"] == "closed":
            print(
                f"    durable orders/s: {f(p.get('orders_per_s_answered'), 0)} answered, "
                f"{f(p.get('orders_per_s_on_screens'), 0)} on every screen, "
                f"{f(p.get('orders_per_s_printed'), 0)} printed"
            )
    if t.get("profile"):
        prof = t["profile"]
        print(f"  profile ({prof['samples']} samples, {prof['raw']}):")
        for bucket, share in prof.get("buckets_pct", {}).items():
            print(f"    {share:5.1f}%  {bucket}")
        if prof.get("phases"):
            orders = sum(p["statuses"].get("201", 0) for p in t["phases"])
            print(f"  where an order's CPU goes ({orders} orders while sampling, py-spy 100 Hz):")
            text = order_phases.report(prof["phases"], orders or None, 100.0)
            print("\n".join("    " + row for row in text.splitlines()))
    print(
        f"  handheld HTTP connections each {t['handheld_http_connections']}, sockets dropped "
        f"{t['handheld_sockets_dropped']}, screens dropped {t['screens_dropped']}, "
        f"seq gaps {t['integrity']['gaps']}, doubles {t['integrity']['doubles']}"
    )


# ---- the table ---------------------------------------------------------------------------------


def figures(run: dict, name: str) -> dict:
    """One target's headline figures in one run (flat, for medians)."""
    t = run["targets"][name]
    out: dict[str, float | None] = {}
    for p in t["phases"]:
        key = p["name"]
        if p["kind"] == "open":
            out[f"{key} each p50"] = p["post_to_each_screen_ms"].get("p50")
            out[f"{key} each p99"] = p["post_to_each_screen_ms"].get("p99")
            out[f"{key} all p99"] = p["post_to_all_screens_ms"].get("p99")
            out[f"{key} cpu ms"] = p["server_cpu_ms_per_order"]
            out[f"{key} own cpu ms"] = p.get("server_own_cpu_ms_per_order")
            out[f"{key} printing lag s"] = p.get("printing_lag_s")
        elif p["kind"] == "idle":
            out["idle kb"] = p["kb_per_idle_socket"]
            out["idle each p99"] = p["post_to_each_screen_ms"].get("p99")
            out["idle all p99"] = p["post_to_all_screens_ms"].get("p99")
        else:
            out[f"{key} answered"] = p.get("orders_per_s_answered")
            out[f"{key} printed"] = p.get("orders_per_s_printed")
            out[f"{key} cpu ms"] = p["server_cpu_ms_per_order"]
    first = t["phases"][0]
    out["first order ms"] = first.get("first_order_ms")
    out["rest all p99"] = first["post_to_all_screens_ms"].get("p99")
    out["missing"] = sum(p.get("deliveries_missing", 0) for p in t["phases"])
    out["gaps+doubles"] = t["integrity"]["gaps"] + t["integrity"]["doubles"]
    out["connections"] = max(t["handheld_http_connections"], default=None)
    d = t.get("durable_check", {})
    out["lost"] = d["answered_201"] - d["rows"] if d else None
    return out


def medians(runs: list[dict], name: str) -> dict:
    each = [figures(r, name) for r in runs]
    keys = dict.fromkeys(k for e in each for k in e)
    out = {}
    for k in keys:
        values = [e.get(k) for e in each if e.get(k) is not None]
        out[k] = statistics.median(values) if values else None
    return out


def table(runs: list[dict], labels: list[str]) -> dict:
    echo = [r["echo"]["rtt_ms"] for r in runs]
    return {
        "echo": {
            "p50": statistics.median(e["p50"] for e in echo),
            "p99": statistics.median(e["p99"] for e in echo),
        },
        "floor": medians(runs, "floor"),
        "projects": {label: medians(runs, label) for label in labels},
    }


def _ratio(a, b):
    return None if a is None or not b else a / b


def rows(tab: dict, labels: list[str], args) -> list[tuple[str, list, str]]:
    """(row name, [(echo, floor, {label: value})...] per part, unit)."""
    fl, pj, echo = tab["floor"], tab["projects"], tab["echo"]

    def parts(*keys, echo_keys=()):
        echo_keys = echo_keys or (None,) * len(keys)
        return [
            (echo.get(ek) if ek else None, fl.get(k), {lb: pj[lb].get(k) for lb in labels})
            for k, ek in zip(keys, echo_keys, strict=True)
        ]

    out = []
    for transport, rates in (("http", args.rates), ("socket", args.socket_rates)):
        for rate in rates:
            key = f"{transport} {rate:g}/s"
            where = "POST" if transport == "http" else "socket emit"
            out.append(
                (
                    f"{where} -> each screen at {rate:g}/s, p50 / p99",
                    parts(f"{key} each p50", f"{key} each p99", echo_keys=("p50", "p99")),
                    "ms",
                )
            )
            out.append(
                (
                    f"{where} -> all screens at {rate:g}/s, p99",
                    parts(f"{key} all p99", echo_keys=("p99",)),
                    "ms",
                )
            )
    for rate in args.rates:
        out.append(
            (
                f"server CPU per order at {rate:g}/s (process tree, "
                f"{'printing off' if args.no_printing else 'printing included'})",
                parts(f"http {rate:g}/s cpu ms"),
                "ms",
            )
        )
        out.append(
            (
                f"  of which the server process alone at {rate:g}/s (print process apart)",
                parts(f"http {rate:g}/s own cpu ms"),
                "ms",
            )
        )
        out.append(
            (
                f"printing lag at {rate:g}/s (last order -> last chit)",
                parts(f"http {rate:g}/s printing lag s"),
                "s",
            )
        )
    if args.closed_orders:
        out.append(("durable orders/s closed loop, answered", parts("closed loop answered"), "/s"))
        gc = (None, fl.get("closed loop, group commit answered"))
        gc = [(*gc, {lb: pj[lb].get("closed loop printed") for lb in labels})]
        out.append(("durable orders/s to the last chit printed (floor: group commit)", gc, "/s"))
        out.append(("server CPU per order, closed loop", parts("closed loop cpu ms"), "ms"))
    if args.idle_screens:
        out.append(
            (f"memory per idle screen socket ({args.idle_screens} screens)", parts("idle kb"), "KB")
        )
        out.append(
            (
                f"{args.idle_screens}-screen fan-out: each p99 / all p99",
                parts("idle each p99", "idle all p99"),
                "ms",
            )
        )
    out.append(
        (
            "first order after a start -> all screens / rest's p99",
            parts("first order ms", "rest all p99"),
            "ms",
        )
    )
    out.append(("TCP connections per handheld (HTTP)", parts("connections"), ""))
    out.append(
        (
            "deliveries missing / seq gaps+doubles / orders lost",
            parts("missing", "gaps+doubles", "lost"),
            "",
        )
    )
    return out


def _cell(values, digits=1) -> str:
    return " / ".join(f(v, digits) for v in values)


def _ratio_cell(values) -> str:
    """Ratios: two decimals below 10 (a throughput ratio of 0.05 must not print as 0.0)."""
    return " / ".join(f(v, 2 if v is not None and v < 10 else 1) for v in values)


def print_table(tab: dict, runs: list[dict], labels: list[str], args) -> None:
    n = len(runs)
    print(
        f"\n== order to kitchen screen: {'median of ' + str(n) + ' runs' if n > 1 else '1 run'}"
        f" (floor and echo measured in the same runs) =="
    )
    head = ["echo", "floor"]
    for lb in labels:
        head += [lb, f"{lb}/floor", f"{lb}/echo"]
    width = 70
    print(f"{'':<{width}}" + "".join(f"{h:>17}" for h in head))
    for name, parts, unit in rows(tab, labels, args):
        cells = [_cell([p[0] for p in parts]), _cell([p[1] for p in parts])]
        for lb in labels:
            cells.append(_cell([p[2][lb] for p in parts]))
            cells.append(_ratio_cell([_ratio(p[2][lb], p[1]) for p in parts]))
            cells.append(_ratio_cell([_ratio(p[2][lb], p[0]) for p in parts]))
        label = f"{name} ({unit})" if unit else name
        print(f"{label[:width]:<{width}}" + "".join(f"{c:>17}" for c in cells))
    print(
        "\nmachine per run (load average 1/5/15 min; other processes' CPU in % of a core, "
        "median over the phases):"
    )
    for r in runs:
        others = [
            p["cpu"]["others_cpu_pct"]
            for t in r["targets"].values()
            for p in t["phases"]
            if p.get("cpu")
        ]
        print(
            f"  run {r['index']}: load {'/'.join(f(x, 2) for x in r['loadavg_before'])} before, "
            f"{'/'.join(f(x, 2) for x in r['loadavg_after'])} after; others "
            f"{f(statistics.median(others) if others else None, 0)}% "
            f"(max {f(max(others, default=None), 0)}%); echo p50/p99 "
            f"{f(r['echo']['rtt_ms']['p50'], 2)}/{f(r['echo']['rtt_ms']['p99'], 2)} ms"
        )
