// A ticket as the kitchen sees it: the card's content, built as elements (names, notes and
// allergies are the waiters' text: never HTML). render.js owns the card element itself.
import { el, svg } from "../lib/dom.js";
import { RTL, STATIONS, named, stationById, t } from "./context.js";
import { allergies, stationParts } from "./tickets.js";

function text(value) {
  return value == null ? "" : String(value);
}

function personIcon() {
  return svg("svg", { class: "kds-icon", viewBox: "0 0 16 16", "aria-hidden": "true" },
    svg("circle", { cx: "8", cy: "4.5", r: "3.2" }),
    svg("path", { d: "M1.5 15c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6z" }));
}

function hidden(symbol) {
  return el("span", { "aria-hidden": "true" }, symbol);
}

/** Where the order goes: its table, or takeaway / delivery. */
export function place(h) {
  if (h.type === "dine_in") return h.table ? t("table", { label: h.table }) : "";
  return h.type === "delivery" ? t("delivery") : t("takeaway");
}

/** The parts of an expo ticket, with each station's name. */
export function partsOf(tk) {
  return stationParts(tk, (id) => {
    const st = stationById(id);
    return st ? named(st) : "#" + id;
  });
}

function modsText(mods) {
  return (mods || []).map(named).join(", ");
}

function lineNode(tk, li) {
  const voidedAll = li.kind === "void" || li.voided_quantity >= li.quantity;
  const left = li.kind === "void" ? li.quantity : li.quantity - li.voided_quantity;
  const classes = ["kds-line"];
  if (li.done) classes.push("is-done");
  if (voidedAll) classes.push("is-void");
  if (li.kind === "change") classes.push("is-change");
  if (li.allergy) classes.push("has-allergy");
  const tappable = !li.done && !voidedAll && !tk.held && tk.header && !tk.header.cancelled;
  const station = tk.is_expo && li.station ? STATIONS.filter((s) => s.code === li.station)[0] : null;
  const node = el("li", { class: classes.join(" "), "data-line": text(li.id), "data-testid": "line",
    role: tappable ? "button" : null, tabindex: tappable ? "-1" : null },
  el("div", { class: "kds-line-main" },
    el("span", { class: "kds-qty", dir: "ltr" }, text(voidedAll ? li.quantity : left)),
    el("span", { class: "kds-item", "data-testid": "item-name" }, named(li)),
    li.kind === "void" ? el("span", { class: "kds-badge kds-badge-void" }, t("void")) : null,
    li.kind === "change" ? el("span", { class: "kds-badge kds-badge-change" }, t("change")) : null,
    li.seat ? el("span", { class: "kds-seat" }, t("seat", { n: li.seat })) : null,
    tk.is_expo && li.station
      ? el("span", { class: "kds-line-station" }, station ? named(station) : li.station) : null,
    el("span", { class: "kds-check", "aria-hidden": "true" }, li.done ? "✓" : "")));
  if (li.kind === "change") {
    const moved = li.old_quantity && li.old_quantity !== li.quantity;
    node.appendChild(el("div", { class: "kds-change", "data-testid": "change" },
      el("s", { class: "kds-old" }, moved ? [el("span", { dir: "ltr" }, text(li.old_quantity) + "×"), " "] : null,
        modsText(li.old_modifiers) || "—"),
      el("span", { class: "kds-arrow", "aria-hidden": "true" }, RTL ? "←" : "→"),
      el("b", { class: "kds-new" }, moved ? [el("span", { dir: "ltr" }, text(li.quantity) + "×"), " "] : null,
        modsText(li.modifiers) || "—")));
  } else if ((li.modifiers || []).length) {
    node.appendChild(el("ul", { class: "kds-mods" }, li.modifiers.map((m) => el("li", null, named(m)))));
  }
  if (li.note) node.appendChild(el("div", { class: "kds-note" }, hidden("✎"), " " + li.note));
  if (li.allergy) {
    node.appendChild(el("div", { class: "kds-allergy", "data-testid": "allergy" }, hidden("⚠"),
      " " + t("allergy") + ": " + li.allergy));
  }
  if (li.voided_quantity > 0 || li.kind === "void") {
    const gone = li.kind === "void" ? li.quantity : li.voided_quantity;
    node.appendChild(el("div", { class: "kds-void-reason", "data-testid": "void-reason" },
      el("span", { dir: "ltr" }, "−" + text(gone)),
      " " + t("void") + (li.void_reason ? ": " + li.void_reason : "")));
  }
  return node;
}

function headNode(tk, h) {
  return el("header", { class: "kds-card-head", "data-action": "start" },
    el("span", { class: "kds-key", dir: "ltr", "aria-hidden": "true" }),
    el("span", { class: "kds-number", dir: "ltr", "data-testid": "order-number" }, "#" + text(h.number)),
    el("span", { class: "kds-timer", "data-testid": "timer", dir: "ltr" }),
    el("div", { class: "kds-where" },
      el("span", { class: "kds-place", "data-testid": "place" }, place(h)),
      h.customer ? el("span", { class: "kds-customer" }, text(h.customer)) : null),
    el("div", { class: "kds-meta" },
      h.waiter ? el("span", { class: "kds-waiter" }, personIcon(), " " + h.waiter) : null,
      h.guests ? el("span", { class: "kds-guests" }, t("guests", { n: h.guests })) : null,
      el("span", { class: "kds-course" }, tk.course === 0 ? t("drinks") : t("course", { n: tk.course })),
      tk.is_change ? el("span", { class: "kds-badge kds-badge-change", "data-testid": "change-badge" }, t("change")) : null,
      tk.held ? el("span", { class: "kds-badge kds-badge-hold", "data-testid": "hold" }, t("hold"))
        : tk.status === "started" ? el("span", { class: "kds-badge kds-badge-started" }, t("started")) : null,
      // Small and out of the thumb's way (the bump and start buttons are at the bottom).
      !tk.is_expo && !h.cancelled ? el("button", { type: "button", class: "kds-reprint", "data-action": "reprint",
        "data-testid": "reprint", "aria-label": t("reprint") },
      hidden("⎙"), " ", el("span", { class: "kds-reprint-label" }, t("reprint"))) : null));
}

function partsNodes(tk) {
  const chips = el("div", { class: "kds-parts", "data-testid": "parts" }, partsOf(tk).map((p) =>
    el("span", { class: "kds-part is-" + p.status, "data-testid": "part", "data-status": p.status },
      hidden(p.status === "done" ? "✓" : p.status === "started" ? "◐" : "○"), " " + p.name)));
  return [chips, tk.complete ? el("div", { class: "kds-complete", "data-testid": "complete" },
    "✓ " + t("complete")) : null];
}

// Expo's Ready is live only once every station bumped its part; before that, "Ready
// anyway…" asks the cook to confirm (the server audits it).
function expoButtons(tk) {
  const ready = !!tk.complete && !tk.held;
  return [
    el("button", { type: "button", class: "kds-btn kds-btn-bump", "data-action": "bump", "data-testid": "bump",
      disabled: !ready, "aria-disabled": ready ? null : "true" }, "✓ " + t("bump_expo")),
    !ready && !tk.held ? el("button", { type: "button", class: "kds-btn kds-btn-anyway", "data-action": "ready-anyway",
      "data-testid": "ready-anyway" }, t("ready_anyway")) : null,
  ];
}

/** The content of a ticket's card: banners, head, notes, lines and buttons. */
export function cardContent(tk) {
  const h = tk.header || {};
  const allergic = allergies(tk);
  const foot = el("footer", { class: "kds-card-foot" },
    tk.status === "new" && !tk.held && !h.cancelled && !tk.is_expo
      ? el("button", { type: "button", class: "kds-btn kds-btn-start", "data-action": "start", "data-testid": "start" },
        "▶ " + t("start")) : null,
    tk.is_expo ? expoButtons(tk)
      : el("button", { type: "button", class: "kds-btn kds-btn-bump", "data-action": "bump", "data-testid": "bump" },
        "✓ " + t("bump")));
  return [
    h.cancelled ? el("div", { class: "kds-banner kds-banner-cancelled", "data-testid": "cancelled" }, t("cancelled")) : null,
    tk.rush || h.rush ? el("div", { class: "kds-banner kds-banner-rush", "data-testid": "rush" }, hidden("⚡"),
      " " + t("rush")) : null,
    allergic.length ? el("div", { class: "kds-banner kds-banner-allergy", "data-testid": "allergy-banner" },
      hidden("⚠"), " " + t("allergy") + ": " + allergic.join(" · ")) : null,
    headNode(tk, h),
    h.notes ? el("div", { class: "kds-order-note" }, hidden("✎"), " " + h.notes) : null,
    tk.held ? el("div", { class: "kds-hold-hint" }, t("hold_hint")) : null,
    tk.is_expo ? partsNodes(tk) : null,
    el("ol", { class: "kds-lines" }, (tk.lines || []).map((li) => lineNode(tk, li))),
    foot,
  ];
}
