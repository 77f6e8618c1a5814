// The one fetch wrapper of the screens: the API under /api/v1 with the page's bearer token,
// JSON both ways, an optional Idempotency-Key, a timeout, and the error envelope
// ({"error": {"code", "message", "fields", "current"}}) handed back as `error`.
// No DOM: `fetch` can be handed in (node --test does).

/** No answer came (dropped connection, timeout, 5xx, signed out): worth trying again later. */
export class NetError extends Error {
  constructor(message) {
    super(message);
    this.name = "NetError";
  }
}

/**
 * One request: resolves {ok, status, data, error} for every answer the server gave; rejects
 * with a NetError when none came (network error, or no answer within `timeoutMs`).
 */
export function request(method, path, body, options) {
  const opts = options || {};
  const send = opts.fetch || globalThis.fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs || 12000);
  const headers = {};
  if (opts.token !== undefined) headers.Authorization = "Bearer " + opts.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (opts.key) headers["Idempotency-Key"] = opts.key;
  return send("/api/v1" + path, {
    method: method,
    headers: headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    signal: controller.signal,
  }).then((res) => {
    clearTimeout(timer);
    return res.json().catch(() => null).then((data) => ({
      ok: res.ok, status: res.status, data: data, error: (data && data.error) || undefined,
    }));
  }, (err) => {
    clearTimeout(timer);
    throw new NetError(String(err));
  });
}

/**
 * The pages' api(method, path, body, key): a 401 signs out (`onSignedOut`), a 5xx or a
 * dropped connection is a NetError (worth retrying), anything else is an answer.
 */
export function makeApi(token, onSignedOut, options) {
  const opts = options || {};
  return function api(method, path, body, key) {
    return request(method, path, body, {
      token: token, key: key, timeoutMs: opts.timeoutMs, fetch: opts.fetch,
    }).then((answer) => {
      if (answer.status === 401) {
        if (onSignedOut) onSignedOut();
        throw new NetError("signed out");
      }
      if (answer.status >= 500) throw new NetError("server " + answer.status);
      return answer;
    });
  };
}

/** True for a 409 whose envelope carries the order as the server has it now. */
export function isStale(answer) {
  return !!(answer && answer.error && answer.error.code === "stale_version" && answer.error.current);
}
