// The pieces the Node load generators share (bench/order_load.mjs, bench/kds_load.mjs): a
// handheld's keep-alive HTTP connection, a kitchen screen on /kds, waiting for deliveries.
// Every wait is bounded; everything is timed with performance.now() (one clock per process).

import http from "node:http";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A Socket.IO connection of its own (one WebSocket), connected or rejected. */
export async function openSocket(baseUrl, namespace, auth, timeoutMs, what) {
  const socket = io(`${baseUrl}${namespace}`, {
    auth,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true, // one engine.io connection (one WebSocket) each
    timeout: timeoutMs,
  });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (err) => reject(new Error(`${what}: ${err.message}`)));
  });
  return socket;
}

/** One keep-alive HTTP connection (maxSockets 1) with a bearer token; counts its TCP connections. */
export class KeepAliveClient {
  constructor(baseUrl, token, timeoutMs) {
    this.url = new URL(baseUrl);
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.busy = false;
    this.connections = 0; // TCP connections opened (1 when keep-alive holds)
    this.sockets = new WeakSet(); // the connections seen: one net.Socket object per connection
  }

  request(method, path, body) {
    const data = body === undefined ? null : JSON.stringify(body);
    const headers = { Authorization: `Bearer ${this.token}` };
    if (data !== null) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = Buffer.byteLength(data);
    }
    this.busy = true;
    return new Promise((resolve) => {
      const tSend = performance.now();
      const { hostname: host, port } = this.url;
      const req = http.request({ host, port, path, method, agent: this.agent, headers }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          this.busy = false;
          resolve({ status: res.statusCode, tSend, tResp: performance.now(), chunks });
        });
      });
      req.on("socket", (sock) => {
        // Not `req.reusedSocket`: Node leaves it false for a request that waited in the agent's
        // queue for the busy connection, so at 50 orders/s (requests queued behind slow
        // answers) it counted up to nine "connections" per handheld where there was one.
        if (!this.sockets.has(sock)) {
          this.sockets.add(sock);
          this.connections += 1;
          sock.setNoDelay(true);
        }
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error("timeout")));
      req.on("error", (err) => {
        this.busy = false;
        resolve({ status: 0, tSend, tResp: performance.now(), error: String(err) });
      });
      req.end(data);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/** A kitchen screen on /kds: joins its station, checks every push's seq (no gap, no double),
 * keeps the time of the first `ticket_created` of each order at its station and their count. */
export class Screen {
  constructor(baseUrl, index, stationId) {
    this.baseUrl = baseUrl;
    this.index = index;
    this.stationId = stationId;
    this.seq = null;
    this.gaps = 0;
    this.doubles = 0;
    this.first = new Map(); // order id -> performance.now() of its first ticket_created here
    this.tickets = new Map(); // order id -> ticket_created count here
  }

  async connect(token, afterSeq) {
    this.socket = await openSocket(this.baseUrl, "/kds", { token }, 20000, `screen ${this.index}`);
    this.socket.onAny((name, p) => {
      const t = performance.now();
      if (p && typeof p.seq === "number" && this.seq !== null) {
        if (p.seq <= this.seq) this.doubles += 1;
        else if (p.seq !== this.seq + 1) this.gaps += 1;
        if (p.seq > this.seq) this.seq = p.seq;
      }
      if (name === "ticket_created" && p.station_id === this.stationId) {
        if (!this.first.has(p.order_id)) this.first.set(p.order_id, t);
        this.tickets.set(p.order_id, (this.tickets.get(p.order_id) || 0) + 1);
      }
    });
    const data = { station_id: this.stationId };
    if (afterSeq !== undefined && afterSeq !== null) data.after_seq = afterSeq;
    const ack = await this.socket.timeout(30000).emitWithAck("join_station", data);
    if (!ack.ok) throw new Error(`join_station refused: ${JSON.stringify(ack)}`);
    if (ack.data.snapshot) this.seq = ack.data.snapshot.seq; // the ack: {ok, status, data}
    else {
      const events = ack.data.events || [];
      this.seq = events.length ? events[events.length - 1].seq : afterSeq;
    }
  }

  close() {
    if (this.socket) this.socket.close();
  }
}

/** Wait until every screen has every order id (at most timeoutMs); returns how many are missing. */
export async function waitForDeliveries(screens, ids, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  const missing = () =>
    screens.reduce((n, s) => n + ids.reduce((m, id) => m + (s.first.has(id) ? 0 : 1), 0), 0);
  let left = missing();
  while (left > 0 && performance.now() < deadline) {
    await sleep(20);
    left = missing();
  }
  return left;
}
