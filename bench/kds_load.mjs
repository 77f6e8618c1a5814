// Load generator of bench/order_to_kds.py: handhelds posting orders over keep-alive HTTP and
// kitchen screens on the /kds Socket.IO namespace, in one Node process on one clock
// (performance.now()). Driven by order_to_kds.py; not meant to be run by hand.
//
//   node kds_load.mjs CONFIG.json RESULT.json
//
// CONFIG.mode is "echo" (the floor: sequential emit-with-ack to a bare echo server) or "orders"
// (screens join their stations, an open-loop phase at a fixed rate, then a closed-loop
// throughput phase). Every loop is bounded in count and in time; a watchdog ends the process.

import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { KeepAliveClient, Screen, sleep, waitForDeliveries } from "./load_parts.mjs";

const [configPath, resultPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configPath, "utf8"));
const url = new URL(cfg.url);
if (url.hostname !== "127.0.0.1") throw new Error("the benchmark only talks to 127.0.0.1");

const watchdog = setTimeout(() => {
  console.error(`kds_load: watchdog after ${cfg.watchdog_s} s, giving up`);
  process.exit(3);
}, cfg.watchdog_s * 1000);


// ---- CPU accounting: this process, the server process, the whole machine ------------------
function procTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
  } catch {
    return NaN;
  }
}
function machineTicks() {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1);
  const nums = cpu.map(Number);
  const idle = nums[3] + (nums[4] || 0);
  return { total: nums.reduce((a, b) => a + b, 0), idle };
}
function cpuMark() {
  return {
    wall: performance.now(),
    self: process.cpuUsage(),
    server: cfg.server_pid ? procTicks(cfg.server_pid) : NaN,
    machine: machineTicks(),
  };
}
function cpuSince(mark) {
  const now = cpuMark();
  const wallS = (now.wall - mark.wall) / 1000;
  const self = process.cpuUsage(mark.self);
  const tick = cfg.clock_ticks || 100;
  const mt = now.machine.total - mark.machine.total;
  const out = {
    wall_s: wallS,
    harness_cpu_s: (self.user + self.system) / 1e6,
    harness_cpu_pct: (100 * (self.user + self.system)) / 1e6 / wallS,
    server_cpu_s: (now.server - mark.server) / tick,
    server_cpu_pct: (100 * (now.server - mark.server)) / tick / wallS,
    machine_busy_pct: mt ? (100 * (mt - (now.machine.idle - mark.machine.idle))) / mt : NaN,
  };
  // What everything else on the machine used meanwhile, in % of one core (other sessions' work).
  const cores = cfg.cpus || 1;
  out.others_cpu_pct = out.machine_busy_pct * cores - out.server_cpu_pct - out.harness_cpu_pct;
  return out;
}
function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return () => {
    h.disable();
    return {
      p50_ms: h.percentile(50) / 1e6,
      p99_ms: h.percentile(99) / 1e6,
      max_ms: h.max / 1e6,
    };
  };
}

// ---- HTTP: one keep-alive connection per handheld ----------------------------------------
class Handheld extends KeepAliveClient {
  constructor(index, token) {
    super(cfg.url, token, cfg.request_timeout_ms);
    this.index = index;
  }
}

function orderBody(i) {
  return {
    id: randomUUID(),
    type: "takeaway",
    customer_name: `Bench ${i}`,
    fire: true,
    lines: cfg.order_lines.map((itemId) => {
      const line = { id: randomUUID(), item_id: itemId, quantity: 1 };
      if (cfg.order_course !== null) line.course = cfg.order_course;
      return line;
    }),
  };
}

// ---- Screens -------------------------------------------------------------------------------
function deliveries(screens, sent) {
  // Per sent order: its send time and, per screen, the receive time (null when it never came).
  return sent.map((o) => ({
    id: o.id,
    handheld: o.handheld,
    status: o.status,
    t_due: o.tDue,
    t_send: o.tSend,
    t_resp: o.tResp,
    recv: screens.map((s) => (s.first.has(o.id) ? s.first.get(o.id) : null)),
  }));
}

// ---- Phases --------------------------------------------------------------------------------
async function openLoop(handhelds, screens, rate, durationS, label) {
  const total = Math.round(rate * durationS);
  const interval = 1000 / rate;
  const sent = [];
  const inflight = [];
  let busySkips = 0;
  let maxLateness = 0;
  const mark = cpuMark();
  const delay = loopDelay();
  const t0 = performance.now() + 20;
  for (let i = 0; i < total; i += 1) {
    const due = t0 + i * interval;
    await sleep(due - performance.now());
    maxLateness = Math.max(maxLateness, performance.now() - due);
    // Round robin; a handheld still waiting for its last answer passes its turn on.
    let h = handhelds[i % handhelds.length];
    for (let k = 1; h.busy && k <= handhelds.length; k += 1) {
      busySkips += 1;
      h = handhelds[(i + k) % handhelds.length];
    }
    const body = orderBody(i);
    const rec = { id: body.id, handheld: h.index, tDue: due };
    sent.push(rec);
    inflight.push(
      h.request("POST", "/api/v1/orders", body).then((r) => {
        Object.assign(rec, { status: r.status, tSend: r.tSend, tResp: r.tResp, error: r.error });
      }),
    );
  }
  await Promise.all(inflight);
  const lastSend = Math.max(...sent.map((o) => o.tSend));
  const missing = await waitForDeliveries(
    screens,
    sent.filter((o) => o.status === 201).map((o) => o.id),
    cfg.delivery_wait_ms,
  );
  const cpu = cpuSince(mark);
  return {
    label,
    rate,
    duration_s: durationS,
    orders: total,
    achieved_rate: (total - 1) / ((lastSend - Math.min(...sent.map((o) => o.tSend))) / 1000),
    busy_skips: busySkips,
    max_timer_lateness_ms: maxLateness,
    missing_deliveries: missing,
    cpu,
    harness_loop_delay: delay(),
    orders_detail: deliveries(screens, sent),
  };
}

async function closedLoop(handhelds, screens, count, concurrency) {
  const sent = [];
  let next = 0;
  const mark = cpuMark();
  const delay = loopDelay();
  const workers = handhelds.slice(0, concurrency).map(async (h) => {
    while (next < count) {
      const i = next;
      next += 1;
      const body = orderBody(i);
      const r = await h.request("POST", "/api/v1/orders", body);
      sent.push({ id: body.id, handheld: h.index, tDue: r.tSend, ...r, chunks: undefined });
    }
  });
  await Promise.all(workers);
  const ok = sent.filter((o) => o.status === 201);
  const first = Math.min(...sent.map((o) => o.tSend));
  const last = Math.max(...ok.map((o) => o.tResp));
  const cpuHttp = cpuSince(mark);
  const missing = await waitForDeliveries(screens, ok.map((o) => o.id), cfg.delivery_wait_ms * 4);
  let lastRecv = last;
  for (const s of screens) for (const o of ok) {
    const t = s.first.get(o.id);
    if (t !== undefined && t > lastRecv) lastRecv = t;
  }
  return {
    orders: count,
    concurrency,
    ok: ok.length,
    failed: sent.length - ok.length,
    errors: [...new Set(sent.filter((o) => o.status !== 201).map((o) => `${o.status} ${o.error || ""}`))].slice(0, 5),
    wall_s: (last - first) / 1000,
    orders_per_s: ok.length / ((last - first) / 1000),
    all_screens_done_s: (lastRecv - first) / 1000,
    missing_deliveries: missing,
    cpu: cpuHttp,
    harness_loop_delay: delay(),
    orders_detail: deliveries(screens, sent),
  };
}

async function runEcho() {
  const socket = io(`${cfg.url}/echo`, { transports: ["websocket"], reconnection: false, forceNew: true });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const payload = { station_id: 3, note: "x".repeat(cfg.echo_payload_bytes || 32) };
  for (let i = 0; i < cfg.echo_warmup; i += 1) await socket.timeout(5000).emitWithAck("echo", { ...payload, n: i });
  const mark = cpuMark();
  const rtts = [];
  const deadline = performance.now() + cfg.echo_max_s * 1000;
  for (let i = 0; i < cfg.echo_count && performance.now() < deadline; i += 1) {
    const t = performance.now();
    const back = await socket.timeout(5000).emitWithAck("echo", { ...payload, n: i });
    rtts.push(performance.now() - t);
    if (back.n !== i) throw new Error("echo answered the wrong message");
  }
  const cpu = cpuSince(mark);
  socket.close();
  return { rtts_ms: rtts, cpu };
}

async function runOrders() {
  const handhelds = cfg.handheld_tokens.map((token, i) => new Handheld(i, token));
  const screens = cfg.screen_stations.map((stationId, i) => new Screen(cfg.url, i, stationId));
  try {
    for (const s of screens) await s.connect(cfg.screen_token);
    // Open every handheld's keep-alive connection (a cheap authenticated GET).
    const me = await Promise.all(handhelds.map((h) => h.request("GET", "/api/v1/auth/me")));
    const bad = me.filter((r) => r.status !== 200);
    if (bad.length) throw new Error(`handheld warm-up failed: ${JSON.stringify(bad[0])}`);

    const out = { screens: screens.map((s) => ({ index: s.index, station_id: s.stationId })) };
    out.time_origin_ms = performance.timeOrigin; // wall clock of performance.now() 0 (other probes)
    // Warm-up (discarded): the first orders pay for imports, caches and SQLite's first pages.
    out.warmup = await openLoop(handhelds, screens, cfg.rate, cfg.warmup_s, "warmup");
    delete out.warmup.orders_detail;
    out.latency = await openLoop(handhelds, screens, cfg.rate, cfg.duration_s, "latency");
    await sleep(500);
    if (cfg.throughput_orders > 0) {
      out.throughput = await closedLoop(handhelds, screens, cfg.throughput_orders, cfg.throughput_concurrency);
    }
    out.handheld_connections = handhelds.map((h) => h.connections);
    out.screen_integrity = screens.map((s) => ({ index: s.index, gaps: s.gaps, doubles: s.doubles, last_seq: s.seq }));
    return out;
  } finally {
    for (const s of screens) s.close();
    for (const h of handhelds) h.close();
  }
}

try {
  const result = cfg.mode === "echo" ? await runEcho() : await runOrders();
  fs.writeFileSync(resultPath, JSON.stringify(result));
  clearTimeout(watchdog);
  process.exit(0);
} catch (err) {
  console.error(`kds_load: ${err.stack || err}`);
  process.exit(2);
}
