// Handing a count to the server, once. The phone made the count's id when counting started;
// sending it again (a lost answer, a retry after a Wi-Fi drop) is answered 409 "duplicate"
// with the count as the server has it, which is as good as a 201. No DOM: `api` is handed in.
import { NetError } from "../lib/api.js";

/**
 * POST /stock/counts with `body`: {state: "sent", result, duplicate} when the server has it,
 * {state: "queued"} when no answer came (try again later), {state: "refused", status, error}
 * when it said no (422: the fields, 403: the role).
 */
export function deliver(api, body) {
  return api("POST", "/stock/counts", body).then((answer) => {
    const error = answer.error || {};
    if (answer.ok) return { state: "sent", result: answer.data, duplicate: false };
    if (answer.status === 409 && error.code === "duplicate" && error.current) {
      return { state: "sent", result: error.current, duplicate: true };
    }
    return { state: "refused", status: answer.status, error: error };
  }, (err) => {
    if (err instanceof NetError) return { state: "queued" };
    throw err;
  });
}
