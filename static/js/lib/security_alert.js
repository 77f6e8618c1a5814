// Owners' and managers' screens: a security alert pushed by the server (someone is guessing
// PINs) shows as a red banner over everything until dismissed, and vibrates where it can.
import { el } from "./dom.js";

/** Show `security_alert` pushes of `socket` (the words are in #security-alert-strings). */
export function watchSecurityAlerts(socket) {
  const source = document.getElementById("security-alert-strings");
  if (!source || !socket) return;
  const T = JSON.parse(source.textContent);
  socket.on("security_alert", (alert) => {
    const text = (alert.budget === "pin-space" ? T.pin_space : T.pin_failures)
      .replace("{source}", alert.source || "?");
    const old = document.getElementById("security-alert");
    if (old) old.remove();
    const banner = el("div", {
      id: "security-alert", class: "security-alert", role: "alert",
      "data-testid": "security-alert",
    }, el("strong", { text: T.title }), el("span", { text: text }), el("button", {
      type: "button", class: "security-alert-dismiss", text: T.dismiss,
      onclick: () => banner.remove(),
    }));
    document.body.appendChild(banner);
    if (navigator.vibrate) navigator.vibrate([300, 100, 300]);
  });
}
