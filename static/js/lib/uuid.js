// Device-made UUIDs (orders, lines, payments, idempotency keys).

/** A v4 UUID; randomUUID needs a secure context, which a branch server on a LAN address is
 * not, so fall back to getRandomValues (same v4 layout). */
export function uuid() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.prototype.map.call(b, (x) => (x + 0x100).toString(16).slice(1));
  return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
    "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
}
