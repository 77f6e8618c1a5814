// Ready notices on top of the screen (the three newest; older ones live on as badges on the
// map), and handing a ready order over (served, picked up, out for delivery).
import { clear, el } from "../lib/dom.js";
import { $, errorText, HAND_OVER, once, S, saveLocal, t } from "./context.js";
import { applyOrder, dropNotice } from "./orders.js";
import { changed, flash, openOrder, render } from "./screen.js";

export function renderNotices() {
  // The three newest stay on top of the screen; older ones live on as badges on the map.
  var visible = S.notices.filter(function (n) { return !n.dismissed; }).slice(-3).reverse();
  if (!changed("notices", visible)) return;
  var box = clear($("hh-notices"));
  visible.forEach(function (n) {
    box.appendChild(el("div", { class: "hh-notice", role: "alert", "data-testid": "ready-notice",
      dataset: { order: n.order_id } },
      el("button", { type: "button", class: "hh-notice-text", onclick: function () {
        openOrder(n.order_id);
      } }, el("span", { class: "hh-notice-bell", "aria-hidden": "true" }), noticeText(n)),
      el("div", { class: "hh-notice-actions" },
        el("button", { type: "button", class: "hh-btn hh-btn-light", "data-testid": "notice-served",
          onclick: function () { handOver(n.order_id, n.version); } }, t(HAND_OVER[n.type] || "served_action")),
        el("button", { type: "button", class: "hh-icon-btn hh-notice-close", "aria-label": t("dismiss"),
          "data-testid": "notice-dismiss", onclick: function () {
            n.dismissed = true;
            saveLocal();
            render();
          } }, "✕"))));
  });
}

function noticeText(n) {
  if (n.table) return t("ready_table", { number: n.number, table: n.table });
  if (n.customer) return t("ready_named", { number: n.number, name: n.customer });
  return t("ready_plain", { number: n.number });
}

export function handOver(orderId, hint) {
  if (!navigator.onLine) return Promise.resolve(flash(t("offline_try_later"), "error"));
  var known = S.orders.get(orderId);
  var version = Math.max(known ? known.version : 0, hint || 0);
  var attempt = function (v, again) {
    return once("POST", "/orders/" + orderId + "/hand-over", { version: v }).then(function (res) {
      if (res.ok) {
        applyOrder(res.data);
        dropNotice(orderId);
        render();
        return flash(t(HAND_OVER[res.data.type] || "served_action"));
      }
      var current = res.error && res.error.current;
      if (again && current && current.status === "ready") {
        applyOrder(current);
        return attempt(current.version, false);
      }
      if (current) applyOrder(current);
      dropNotice(orderId);
      render();
      return flash(errorText(res.error), "error");
    });
  };
  return attempt(version, true).catch(function () { flash(t("offline_try_later"), "error"); });
}
