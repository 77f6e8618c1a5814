// Load generator of bench/order_to_kds.py: handhelds and kitchen screens in one Node process on
// one clock (performance.now()), against the project's server or the floor (same protocol).
// Driven by order_to_kds.py; not meant to be run by hand.
//
//   node order_load.mjs CONFIG.json RESULT.json
//
// Handhelds: each one keep-alive HTTP connection (node:http Agent, maxSockets 1) AND one open
// /floor Socket.IO connection; an order goes by POST /api/v1/orders or by the socket's
// `create_order` emit-with-ack (ack {ok, status, data}). Screens: /kds, `join_station`.
// Phases run in the order given (Poisson open loop at a rate, closed loop, idle screens); at
// each phase's start and end a JSON line goes to stdout and the harness waits for a line on
// stdin (the parent measures CPU, drains the printers, reads memory meanwhile).
// Every loop is bounded in count and time; a watchdog ends the process.

import fs from "node:fs";
import readline from "node:readline";
import { performance } from "node:perf_hooks";
import { KeepAliveClient, Screen, openSocket, sleep, waitForDeliveries } from "./load_parts.mjs";

const [configPath, resultPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configPath, "utf8"));
const url = new URL(cfg.url);
if (url.hostname !== "127.0.0.1") throw new Error("the benchmark only talks to 127.0.0.1");

setTimeout(() => {
  console.error(`order_load: watchdog after ${cfg.watchdog_s} s, giving up`);
  process.exit(3);
}, cfg.watchdog_s * 1000).unref();

const wall = (t) => performance.timeOrigin + t; // ms since the epoch, for the parent's clocks

// ---- the parent's handshake ----------------------------------------------------------------
const answers = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function tell(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
  const { value, done } = await answers.next();
  if (done || value.trim() !== "go") throw new Error(`the parent said ${JSON.stringify(value)}`);
}

// ---- seeded randomness (mulberry32): the same arrivals and mix for every server ---------------
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let uuidCounter = 0;
const uuidPrefix = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0");
function uuid() {
  // Unique per run, any server's UUID validation accepts it (version 4 layout).
  uuidCounter += 1;
  const n = uuidCounter.toString(16).padStart(12, "0");
  return `${uuidPrefix}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${n.slice(0, 12)}`;
}

// ---- orders: the mix (config.kinds: name, share, body template, the stations it reaches) ---------
let nextTable = 0;
function orderBody(kind, i) {
  const k = cfg.kinds[kind];
  const body = { ...k.body, id: uuid(), customer_name: `Bench ${i}` };
  body.lines = k.body.lines.map((line) => ({ ...line, id: uuid() }));
  if (k.needs_table) {
    if (nextTable >= cfg.tables.length) return null; // no free table left: the caller falls back
    body.table_id = cfg.tables[nextTable];
    nextTable += 1;
  }
  return body;
}
function pickKind(random) {
  let u = random();
  for (const [name, k] of Object.entries(cfg.kinds)) {
    if (u < k.share) return name;
    u -= k.share;
  }
  return Object.keys(cfg.kinds)[0];
}

// ---- handhelds ---------------------------------------------------------------------------
class Handheld extends KeepAliveClient {
  constructor(index, token) {
    super(cfg.url, token, cfg.request_timeout_ms);
    this.index = index;
  }

  async connect() {
    this.socket = await openSocket(cfg.url, "/floor", { token: this.token }, 10000, `handheld ${this.index}`);
    this.socket.on("disconnect", (reason) => {
      this.disconnected = reason;
    });
  }

  async emit(body) {
    const tSend = performance.now();
    try {
      const ack = await this.socket.timeout(cfg.request_timeout_ms).emitWithAck("create_order", body);
      const status = ack && ack.ok ? ack.status : (ack && ack.status) || 0;
      return { status, tSend, tResp: performance.now(), error: ack && !ack.ok ? JSON.stringify(ack.error) : undefined };
    } catch (err) {
      return { status: 0, tSend, tResp: performance.now(), error: String(err) };
    }
  }

  send(transport, body, group) {
    if (transport === "socket") return this.emit(group ? { ...body, group: true } : body);
    return this.request("POST", group ? "/api/v1/orders?group=1" : "/api/v1/orders", body).then((r) => ({ ...r, chunks: undefined }));
  }

  close() {
    super.close();
    if (this.socket) this.socket.close();
  }
}

async function connectScreens(stations, token, offset, batch, afterSeq) {
  const screens = stations.map((stationId, i) => new Screen(cfg.url, offset + i, stationId));
  for (let i = 0; i < screens.length; i += batch) {
    await Promise.all(screens.slice(i, i + batch).map((s) => s.connect(token, afterSeq ? afterSeq(s.stationId) : undefined)));
  }
  return screens;
}

function detail(screens, sent) {
  // Per order: when it left, its answer, and per screen the first ticket's time (null: none).
  return sent.map((o) => ({
    kind: o.kind,
    warmup: o.warmup,
    status: o.status,
    error: o.error,
    t_send: o.tSend,
    t_resp: o.tResp,
    recv: screens.map((s) => (s.first.has(o.id) ? s.first.get(o.id) : null)),
    tickets: screens.map((s) => s.tickets.get(o.id) || 0),
  }));
}

// ---- phases ------------------------------------------------------------------------------
async function openLoop(ph, handhelds, screens) {
  const random = rng(cfg.seed + ph.index * 7919);
  const sent = [];
  const inflight = [];
  let skips = 0;
  let late = 0;
  const total = ph.warmup_s + ph.duration_s;
  const t0 = performance.now() + 20;
  let due = t0;
  let i = 0;
  for (;;) {
    due += (-Math.log(1 - random()) / ph.rate) * 1000; // Poisson arrivals: exponential gaps
    if (due - t0 > total * 1000) break;
    await sleep(due - performance.now());
    late = Math.max(late, performance.now() - due);
    let h = handhelds[i % handhelds.length];
    if (ph.transport === "http") {
      // A handheld still waiting for its answer passes its turn on (one connection each).
      for (let k = 1; h.busy && k <= handhelds.length; k += 1) {
        skips += 1;
        h = handhelds[(i + k) % handhelds.length];
      }
    }
    let kind = pickKind(random);
    let body = orderBody(kind, i);
    if (body === null) {
      kind = cfg.fallback_kind;
      body = orderBody(kind, i);
    }
    const rec = { id: body.id, kind, warmup: due - t0 < ph.warmup_s * 1000 };
    sent.push(rec);
    inflight.push(h.send(ph.transport, body, ph.group).then((r) => Object.assign(rec, r)));
    i += 1;
  }
  await Promise.all(inflight);
  return { sent, busy_skips: skips, max_timer_lateness_ms: late };
}

async function closedLoop(ph, handhelds) {
  const random = rng(cfg.seed + ph.index * 7919);
  const sent = [];
  let next = 0;
  const deadline = performance.now() + ph.max_s * 1000;
  const workers = handhelds.slice(0, ph.concurrency).map(async (h) => {
    while (next < ph.count && performance.now() < deadline) {
      const i = next;
      next += 1;
      let kind = pickKind(random);
      let body = orderBody(kind, i);
      if (body === null) {
        kind = cfg.fallback_kind;
        body = orderBody(kind, i);
      }
      const rec = { id: body.id, kind, warmup: false };
      sent.push(rec);
      Object.assign(rec, await h.send(ph.transport, body, ph.group));
    }
  });
  await Promise.all(workers);
  return { sent };
}

async function runPhase(ph, handhelds, screens) {
  await tell({ event: "phase_start", phase: ph.name });
  const run = ph.kind === "closed" ? await closedLoop(ph, handhelds) : await openLoop(ph, handhelds, screens);
  const ok = run.sent.filter((o) => o.status === 201);
  const tSent = Math.max(...run.sent.map((o) => o.tSend));
  const missing = await waitForDeliveries(screens, ok.map((o) => o.id), cfg.delivery_wait_ms);
  let lastRecv = 0;
  for (const s of screens) for (const o of ok) lastRecv = Math.max(lastRecv, s.first.get(o.id) || 0);
  const out = {
    name: ph.name,
    config: ph,
    first_send_wall_ms: wall(Math.min(...run.sent.map((o) => o.tSend))),
    last_send_wall_ms: wall(tSent),
    last_answer_wall_ms: wall(Math.max(...ok.map((o) => o.tResp), 0)),
    last_delivery_wall_ms: lastRecv ? wall(lastRecv) : null,
    missing_deliveries: missing,
    busy_skips: run.busy_skips,
    max_timer_lateness_ms: run.max_timer_lateness_ms,
    orders: detail(screens, run.sent),
  };
  await tell({ event: "phase_sent", phase: ph.name, last_send_wall_ms: out.last_send_wall_ms });
  return out;
}

async function idlePhase(ph, handhelds, screens, token) {
  // Fan-out and memory: N idle screens join (from the latest seq their station's screens have:
  // a reconnecting screen's cheap join), then orders go one at a time to every screen.
  await tell({ event: "idle_before", phase: ph.name });
  const latest = (stationId) => {
    const seen = screens.filter((s) => s.stationId === stationId).map((s) => s.seq);
    return seen.length ? Math.max(...seen) : null;
  };
  const stations = Array.from({ length: ph.idle_screens }, (_, i) => cfg.screen_stations[i % cfg.screen_stations.length]);
  const t0 = performance.now();
  const idle = await connectScreens(stations, token, screens.length, 50, latest);
  const joinS = (performance.now() - t0) / 1000;
  await sleep(1000); // let the joins' garbage go before the parent reads the memory
  await tell({ event: "idle_connected", phase: ph.name, screens: idle.length });
  const all = [...screens, ...idle];
  const sent = [];
  const random = rng(cfg.seed + ph.index * 7919);
  for (let i = 0; i < ph.count; i += 1) {
    const body = orderBody(cfg.fallback_kind, i);
    const rec = { id: body.id, kind: cfg.fallback_kind, warmup: i === 0 };
    sent.push(rec);
    Object.assign(rec, await handhelds[i % handhelds.length].send("http", body, false));
    await waitForDeliveries(all, [body.id], cfg.delivery_wait_ms);
    await sleep(ph.gap_ms * (0.5 + random()));
  }
  const out = {
    name: ph.name,
    config: ph,
    join_s: joinS,
    orders: detail(all, sent),
    integrity: integrity(idle),
    disconnected: idle.filter((s) => !s.socket.connected).length,
  };
  for (const s of idle) s.close();
  await tell({ event: "idle_done", phase: ph.name });
  return out;
}

function integrity(screens) {
  return {
    gaps: screens.reduce((n, s) => n + s.gaps, 0),
    doubles: screens.reduce((n, s) => n + s.doubles, 0),
  };
}

async function main() {
  const handhelds = cfg.handheld_tokens.map((token, i) => new Handheld(i, token));
  let screens = [];
  try {
    screens = await connectScreens(cfg.screen_stations, cfg.screen_token, 0, 5);
    for (const h of handhelds) await h.connect();
    const me = await Promise.all(handhelds.map((h) => h.request("GET", cfg.warm_path)));
    const bad = me.filter((r) => r.status !== 200);
    if (bad.length) throw new Error(`handheld warm-up GET failed: ${JSON.stringify(bad[0])}`);
    const result = {
      screens: screens.map((s) => ({ index: s.index, station_id: s.stationId })),
      phases: [],
    };
    for (const [index, ph] of cfg.phases.entries()) {
      ph.index = index;
      const out = ph.kind === "idle" ? await idlePhase(ph, handhelds, screens, cfg.screen_token) : await runPhase(ph, handhelds, screens);
      result.phases.push(out);
    }
    result.handheld_http_connections = handhelds.map((h) => h.connections);
    result.handheld_sockets_dropped = handhelds.filter((h) => h.disconnected).length;
    result.integrity = integrity(screens);
    result.screens_dropped = screens.filter((s) => !s.socket.connected).length;
    result.tables_used = nextTable;
    return result;
  } finally {
    for (const s of screens) s.close();
    for (const h of handhelds) h.close();
  }
}

try {
  const result = await main();
  fs.writeFileSync(resultPath, JSON.stringify(result));
  process.stdout.write(`${JSON.stringify({ event: "done" })}\n`);
  process.exit(0);
} catch (err) {
  console.error(`order_load: ${err.stack || err}`);
  process.exit(2);
}
