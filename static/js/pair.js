// The kitchen screen waiting to be paired: asks the server every two seconds whether a
// manager typed its code; paired, the server has signed it in and it opens its screen; the code
// expired, it offers a new one. A dropped connection only says so and keeps asking.
import { readJson } from "./lib/dom.js";
import { translator } from "./lib/i18n.js";

const t = translator(readJson("pair-i18n"));
const state = document.querySelector("[data-testid=pair-state]");
const again = document.querySelector("[data-testid=pair-again]");
const EVERY_MS = 2000;

function ask() {
  fetch("/pair/status", { cache: "no-store", credentials: "same-origin" })
    .then((res) => {
      if (!res.ok) throw new Error(String(res.status));
      return res.json();
    })
    .then((answer) => {
      if (answer.state === "paired") {
        state.textContent = t("paired");
        window.location.assign(answer.next);
        return;
      }
      if (answer.state === "expired") {
        state.textContent = t("expired");
        again.hidden = false;
        return;
      }
      setTimeout(ask, EVERY_MS);
    })
    .catch(() => {
      state.textContent = t("offline");
      setTimeout(ask, EVERY_MS);
    });
}

setTimeout(ask, EVERY_MS);
