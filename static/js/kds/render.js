// Drawing the board: one card per ticket (rebuilt only when its ticket changed), placed in
// pages by board.js, the all-day counts, the bumped list, and the timers every second.
import { append, clear, el } from "../lib/dom.js";
import { createBoardPages } from "./board.js";
import { cardContent, place } from "./card.js";
import { $, named, now, root, RTL, state, t } from "./context.js";
import { retryConnect, tickOffline } from "./link.js";
import { chime } from "./sound.js";
import { clockText, isRush, ordered, timeOfDay } from "./tickets.js";

const cards = new Map(); // ticket id -> {el, tk}: a card is rebuilt only when its ticket changed
const flashes = {}; // ticket ids that came or grew since the last render
let board = null;
let pages = null;
let cardSizes = null;
let renderQueued = false;
let layoutQueued = false;

/** The board's pages (board.js), once initBoard() made them. */
export function boardPages() {
  return pages;
}

/** Make the pages and watch the board's and the cards' sizes. */
export function initBoard() {
  board = $(".kds-board");
  pages = createBoardPages(board, $("[data-testid=pager]"), {
    rtl: RTL,
    text: t,
    flags: (id) => {
      const entry = cards.get(id);
      const tk = state.tickets.get(id);
      return {
        late: !!entry && entry.el.dataset.level === "late",
        rush: !!tk && isRush(tk) && !tk.held,
      };
    },
  });
  cardSizes = window.ResizeObserver ? new ResizeObserver((entries) => {
    const moved = entries.filter((e) => {
      const size = e.borderBoxSize && e.borderBoxSize[0];
      return pages.resized(e.target, size ? size.blockSize : e.target.offsetHeight);
    });
    if (moved.length) layoutSoon();
  }) : null;
  const boardResized = () => {
    pages.forgetAll();
    layoutSoon();
  };
  if (window.ResizeObserver) new ResizeObserver(boardResized).observe(board.parentNode);
  else window.addEventListener("resize", boardResized);
}

/** A ticket came (or grew, or its course was sent): its card flashes, the kitchen hears it. */
export function announce(id) {
  flashes[id] = true;
  chime();
}

/** Mark a ticket's card to flash at the next render (a recalled ticket). */
export function flashCard(id) {
  flashes[id] = true;
}

/** Draw the board soon (once, however many changes come in the same turn). */
export function render() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    renderNow();
  }, 0);
}

function cardFor(tk) {
  let entry = cards.get(tk.id);
  if (!entry) {
    const card = el("article", { class: "kds-card", dataset: { ticket: tk.id, testid: "ticket" } });
    entry = { el: card, tk: null };
    cards.set(tk.id, entry);
    if (cardSizes) cardSizes.observe(card);
  }
  const card = entry.el;
  if (entry.tk !== tk) {
    append(clear(card), cardContent(tk));
    entry.tk = tk;
    pages.forget(tk.id); // its height is measured again
    const h = tk.header || {};
    card.dataset.order = h.number;
    card.dataset.status = tk.status;
    card.dataset.course = tk.course;
    card.classList.toggle("is-started", tk.status === "started");
    card.classList.toggle("is-held", !!tk.held);
    card.classList.toggle("is-rush", isRush(tk));
    card.classList.toggle("is-change", !!tk.is_change);
    card.classList.toggle("is-cancelled", !!h.cancelled);
    card.classList.toggle("is-expo", !!tk.is_expo);
    card.classList.toggle("is-complete", !!(tk.is_expo && tk.complete));
  }
  const chosen = state.selected === tk.id ? "true" : "false";
  if (card.getAttribute("aria-selected") !== chosen) {
    card.classList.toggle("is-selected", chosen === "true");
    card.setAttribute("aria-selected", chosen);
  }
  return card;
}

function renderNow() {
  const began = window.performance ? performance.now() : 0;
  const list = ordered(state.tickets);
  const seen = {};
  list.forEach((tk, index) => {
    seen[tk.id] = true;
    const card = cardFor(tk);
    // The board's children in the board's order (the lane heading stays first).
    const at = board.children[index + 1];
    if (at !== card) board.insertBefore(card, at || null);
  });
  cards.forEach((entry, id) => {
    if (!seen[id]) {
      if (cardSizes) cardSizes.unobserve(entry.el);
      entry.el.remove();
      cards.delete(id);
    }
  });
  let empty = board.querySelector(".kds-empty");
  if (!list.length && !empty && state.seq !== null) {
    empty = el("p", { class: "kds-empty", dataset: { testid: "empty" } }, t("no_tickets"));
    board.appendChild(empty);
  } else if (list.length && empty) {
    empty.remove();
  }
  tick(); // timers and levels before measuring: a card's size must not change after
  layoutNow(list);
  Object.keys(flashes).forEach((id) => {
    const entry = cards.get(Number(id));
    delete flashes[id];
    if (!entry) return;
    entry.el.classList.remove("is-new");
    void entry.el.offsetWidth; // restart the animation
    entry.el.classList.add("is-new");
    pages.flash(Number(id));
  });
  renderAllDay();
  renderRecent();
  root.dataset.seq = state.seq === null ? "" : String(state.seq);
  // What the last render cost (bench/kds_board.py reads it): a push must stay cheap.
  if (began) root.dataset.renderMs = (performance.now() - began).toFixed(1);
}

function layoutNow(list) {
  layoutQueued = false;
  pages.layout((list || ordered(state.tickets)).map((tk) => (
    { id: tk.id, el: cards.get(tk.id).el, held: !!tk.held })));
}

// A card or the board changed size (a font arrived, the window turned, a banner came):
// place the cards again, once per frame at most.
function layoutSoon() {
  if (layoutQueued) return;
  layoutQueued = true;
  requestAnimationFrame(() => { if (layoutQueued) layoutNow(); });
}

function renderAllDay() {
  const counts = {};
  state.tickets.forEach((tk) => {
    if (tk.held || tk.status === "done") return;
    (tk.lines || []).forEach((li) => {
      if (li.kind === "void" || li.done) return;
      const left = li.quantity - li.voided_quantity;
      if (left <= 0) return;
      const entry = counts[li.name] || (counts[li.name] = { name: li.name, name_ar: li.name_ar, count: 0 });
      entry.count += left;
    });
  });
  const rows = Object.keys(counts).map((k) => counts[k])
    .sort((a, b) => b.count - a.count || named(a).localeCompare(named(b)));
  append(clear($(".kds-all-day-list")), rows.length ? rows.map((r) => el("li", { "data-testid": "all-day-row" },
    el("span", { class: "kds-all-day-count", dir: "ltr" }, r.count),
    el("span", { class: "kds-all-day-name" }, named(r))))
    : el("li", { class: "kds-muted" }, t("nothing_all_day")));
}

function renderRecent() {
  append(clear($(".kds-recent-list")), state.recent.length ? state.recent.map((tk) => {
    const h = tk.header || {};
    const names = (tk.lines || []).map((li) => li.quantity + "× " + named(li)).join(", ");
    return el("li", { class: "kds-recent-row", "data-testid": "recent-row" },
      el("span", { class: "kds-recent-number", dir: "ltr" }, "#" + (h.number == null ? "" : h.number)),
      el("span", { class: "kds-recent-what" },
        el("b", null, place(h) + (h.customer ? " · " + h.customer : "")),
        el("span", null, names),
        el("span", { class: "kds-muted" }, t("bumped_at", { time: timeOfDay(tk.bumped_at) }))),
      el("button", { type: "button", class: "kds-btn kds-btn-recall", "data-recall": String(tk.id),
        "data-testid": "recall" }, "↶ " + t("recall")));
  }) : el("li", { class: "kds-muted" }, t("nothing_recent")));
}

/** Timers, late counts and the clock: every second, no re-render. */
export function tick() {
  const st = state.station || { warn_after_s: 480, late_after_s: 900 };
  let late = 0;
  state.tickets.forEach((tk, id) => {
    const entry = cards.get(id);
    if (!entry) return;
    const timer = entry.el.querySelector(".kds-timer");
    if (!timer) return;
    let level = "";
    let text;
    const startAt = tk.start_at ? Date.parse(tk.start_at) : NaN;
    if (tk.held) {
      text = t("hold");
      level = "held";
    } else if (!isNaN(startAt) && startAt > now() && tk.status === "new") {
      text = t("start_in", { n: Math.ceil((startAt - now()) / 60000) });
      level = "wait";
    } else {
      // A staggered ticket's clock starts when it may start, not when it was sent.
      const from = Math.max(Date.parse(tk.fired_at || tk.created_at) || 0, startAt || 0) || NaN;
      const secs = isNaN(from) ? 0 : Math.max(0, (now() - from) / 1000);
      text = clockText(secs);
      level = secs >= st.late_after_s ? "late" : secs >= st.warn_after_s ? "warn" : "ok";
      if (level === "late") late++;
    }
    if (timer.textContent !== text) timer.textContent = text;
    if (timer.dataset.level !== level) {
      timer.dataset.level = level;
      timer.className = "kds-timer is-" + level;
    }
    if (entry.el.dataset.level !== level) entry.el.dataset.level = level;
  });
  if (pages) pages.status(); // the pager's late counts
  $("[data-testid=count-open]").textContent = state.tickets.size;
  $("[data-testid=count-late]").textContent = late;
  $("[data-testid=late-stat]").hidden = late === 0;
  const d = new Date();
  $("[data-testid=clock]").textContent =
    String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  tickOffline();
  retryConnect();
}

/** The busy mark of a ticket's card while a command about it is on its way. */
export function markBusy(ticketId, busy) {
  if (ticketId == null) return;
  const card = board.querySelector('[data-ticket="' + ticketId + '"]');
  if (card) card.classList.toggle("is-busy", busy);
}
