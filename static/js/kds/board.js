// The kitchen board's pages: whole cards only, never a card cut at an edge.
//
// Cards are placed in columns, top to bottom then the next column (the way kitchen screens
// read), as many columns as fit the board; a page is one board full. A card taller than the
// board spreads its lines over two or more columns; one taller than a whole page keeps its
// header and allergy banner and scrolls its lines. Held tickets start a lane of their own (a
// fresh column with a heading) after the live ones. Cards off the current page are not
// displayed at all (a busy board lays out one page, not fifty cards), never clipped; the
// pager under the board (not over it) says how many are before and after, and how many of
// those are late or rush.
import { clear, el } from "../lib/dom.js";

var GAP = 12; // px between cards and columns
var LANE_H = 40; // the held lane's heading
// Narrowest column, px: the tablets' smaller type (kds.css, up to 1100 px wide) fits 240;
// that gives 2 or 3 columns on a 1024 tablet, 2 or 3 at 1280, 4 or 5 on a 1920 screen.
function minColumn() { return window.innerWidth <= 1100 ? 240 : 290; }

/**
 * The pages of `board` with its `pager`. options: rtl, text (t), flags(id) -> {late, rush},
 * onShow(page). Returns {layout(items), show(page), shown(), reveal(id), status(), flash(id),
 * forget(id), forgetAll(), resized(el, height), page}.
 */
export function createBoardPages(board, pager, options) {
  var prev = pager.querySelector("[data-testid=page-prev]");
  var next = pager.querySelector("[data-testid=more]");
  var info = pager.querySelector("[data-testid=page-info]");
  var lane = document.createElement("div");
  lane.className = "kds-lane";
  lane.dataset.testid = "held-lane";
  lane.setAttribute("role", "heading");
  lane.setAttribute("aria-level", "2");
  board.appendChild(lane);

  var self = {
    page: 0,
    pages: [], // [[id, ...], ...]
    pageOf: {}, // id -> page number
    items: [],
  };
  // Card heights by width: a card is measured again only when its ticket changed (forget)
  // or its size moved by itself (a font arrived). A push thus measures one card, not fifty.
  var heights = {}; // id -> {width: height}

  self.forget = function (id) { delete heights[id]; };
  self.forgetAll = function () { heights = {}; };

  // Place `items` ({id, el, held}) in the order given; keeps the page the cook is on.
  self.layout = function (items) {
    self.items = items;
    var style = getComputedStyle(board);
    var padX = parseFloat(style.paddingInlineStart) || 0;
    var padY = parseFloat(style.paddingTop) || 0;
    var W = board.clientWidth - 2 * padX;
    var full = board.parentNode.clientHeight - (board.offsetHeight - board.clientHeight) - 2 * padY;
    var most = Math.max(1, Math.floor((W + GAP) / (minColumn() + GAP)));
    var pagerH = pager.hidden ? 0 : pager.offsetHeight;
    var plan = best(items, W, most, full);
    if (plan.pages.length > 1) {
      if (pager.hidden) { pager.hidden = false; pagerH = pager.offsetHeight; }
      plan = best(items, W, most, full - pagerH);
    } else if (!pager.hidden) {
      pager.hidden = true;
    }
    self.pages = plan.pages;
    self.pageOf = plan.pageOf;
    self.page = Math.min(self.page, self.pages.length - 1);
    items.forEach(function (it) {
      var spot = plan.spots[it.id];
      setSpan(it.el, spot.span, plan.colW, spot.clamped, !!spot.clamped);
    });
    place(plan, padX, padY);
    self.show(self.page);
  };

  // As many columns as fit at least minColumn() wide, or, when some ticket is too tall for
  // such a column, one fewer if wider columns need fewer pages (big tickets wrap every name
  // in narrow ones). The same tickets on the same screen always get the same choice, and a
  // board of ordinary tickets is measured at one width only.
  function best(items, W, most, H) {
    var winner = null;
    for (var cols = most; cols >= Math.max(1, most - 1); cols--) {
      var plan = pack(items, cols, Math.floor((W - GAP * (cols - 1)) / cols), H);
      if (!winner && !plan.spread) return plan;
      if (!winner || plan.pages.length < winner.pages.length ||
          (plan.pages.length === winner.pages.length && plan.pages[0].length > winner.pages[0].length)) {
        winner = plan;
      }
    }
    return winner;
  }

  // Each card's height at one column's width (spread over more columns when too tall),
  // then pages filled column by column, each card as high up its column(s) as it fits.
  function pack(items, cols, colW, H) {
    var span = {};
    var h = heightsAt(items, 1, colW);
    // The first held card has the lane's heading above it in its column.
    var opener = items.filter(function (it) { return it.held; })[0];
    function room(it) { return it === opener ? H - LANE_H - GAP : H; }
    // Too tall for a column: spread its lines over one more column at a time until it
    // fits; clamp it (its lines scroll) only when the whole board is not enough.
    var tall = items.filter(function (it) { return h[it.id] > room(it); });
    for (var k = 2; tall.length && k <= cols; k++) {
      var again = heightsAt(tall, k, colW);
      tall.forEach(function (it) { span[it.id] = k; h[it.id] = again[it.id]; });
      tall = tall.filter(function (it) { return h[it.id] > room(it); });
    }
    var clamped = {};
    tall.forEach(function (it) { clamped[it.id] = room(it); h[it.id] = room(it); });
    var spread = Object.keys(span).length > 0 || tall.length > 0;

    var pages = [[]];
    var pageOf = {};
    var spots = {};
    var tops = zeros(cols); // where each column of this page is filled to
    var col = 0;
    var laneAt = null;
    function newPage() { pages.push([]); tops = zeros(cols); col = 0; }
    items.forEach(function (it, i) {
      var wide = span[it.id] || 1;
      // The held lane starts in a fresh column, its heading on top of its first card.
      var opens = it.held && (i === 0 || !items[i - 1].held);
      var heading = opens ? LANE_H + GAP : 0;
      if (opens && tops[col] > 0 && ++col >= cols) newPage();
      for (;;) {
        if (col + wide > cols) { newPage(); continue; }
        var y = Math.max.apply(null, tops.slice(col, col + wide));
        if (y === 0 || y + heading + h[it.id] <= H) {
          if (opens) laneAt = { page: pages.length - 1, col: col, y: y };
          for (var c = col; c < col + wide; c++) tops[c] = y + heading + h[it.id] + GAP;
          spots[it.id] = { col: col, y: y + heading, span: wide, clamped: clamped[it.id] || 0 };
          break;
        }
        if (++col >= cols) newPage();
      }
      pages[pages.length - 1].push(it.id);
      pageOf[it.id] = pages.length - 1;
    });
    return { cols: cols, colW: colW, spread: spread, pages: pages, pageOf: pageOf, spots: spots, laneAt: laneAt };
  }

  function zeros(n) { var out = []; for (var i = 0; i < n; i++) out.push(0); return out; }

  function widthOf(span, colW) { return span * colW + (span - 1) * GAP; }

  // Heights at `span` columns from the cache; the others measured in one layout pass
  // (every width written first, then every height read).
  function heightsAt(items, span, colW) {
    var width = widthOf(span, colW);
    var out = {};
    var missing = items.filter(function (it) {
      var known = heights[it.id] && heights[it.id][width];
      if (known) out[it.id] = known;
      return !known;
    });
    missing.forEach(function (it) {
      it.el.classList.add("is-measuring"); // laid out (unseen) even when off the page
      setSpan(it.el, span, colW, 0, false);
    });
    missing.forEach(function (it) {
      out[it.id] = it.el.offsetHeight;
      (heights[it.id] = heights[it.id] || {})[width] = out[it.id];
    });
    missing.forEach(function (it) { it.el.classList.remove("is-measuring"); });
    return out;
  }

  // A card's size changed by itself (not by a width we set): measure it again.
  self.resized = function (el, height) {
    var id = Number(el.dataset.ticket);
    var known = heights[id] && heights[id][parseFloat(el.style.width)];
    if (el.classList.contains("is-offpage") || el.classList.contains("is-clamped")) return false;
    if (known === undefined || Math.abs(known - height) < 1) return false;
    delete heights[id];
    return true;
  };

  function setSpan(el, span, colW, H, clamped) {
    var width = widthOf(span, colW) + "px";
    if (el.style.width !== width) el.style.width = width;
    el.classList.toggle("is-wide", span > 1);
    if (span > 1) el.style.setProperty("--span", span); else el.style.removeProperty("--span");
    el.classList.toggle("is-clamped", clamped);
    var max = clamped ? H + "px" : "";
    if (el.style.maxHeight !== max) el.style.maxHeight = max;
  }

  function place(plan, padX, padY) {
    var colW = plan.colW;
    self.items.forEach(function (it) {
      var spot = plan.spots[it.id];
      var x = padX + spot.col * (colW + GAP) + "px";
      var y = padY + spot.y + "px";
      var page = String(plan.pageOf[it.id]);
      if (it.el.style.insetInlineStart !== x) it.el.style.insetInlineStart = x;
      if (it.el.style.top !== y) it.el.style.top = y;
      if (it.el.dataset.page !== page) it.el.dataset.page = page;
    });
    lane.hidden = !plan.laneAt;
    if (plan.laneAt) {
      lane.style.insetInlineStart = padX + plan.laneAt.col * (colW + GAP) + "px";
      lane.style.top = padY + plan.laneAt.y + "px";
      lane.style.width = colW + "px";
      lane.dataset.page = String(plan.laneAt.page);
      lane.textContent = options.text("on_hold");
    }
  }

  // Show one page: its cards (numbered 1-9 for the bump bar), the others hidden.
  self.show = function (page) {
    self.page = Math.max(0, Math.min(page, self.pages.length - 1));
    var shown = self.pages[self.page] || [];
    self.items.forEach(function (it) {
      var here = self.pageOf[it.id] === self.page;
      it.el.classList.toggle("is-offpage", !here);
      it.el.toggleAttribute("inert", !here);
      var key = it.el.querySelector(".kds-key");
      var n = here ? shown.indexOf(it.id) + 1 : 0;
      var label = n && n <= 9 ? String(n) : "";
      if (key && key.textContent !== label) key.textContent = label;
    });
    lane.classList.toggle("is-offpage", lane.dataset.page !== String(self.page));
    board.dataset.page = String(self.page);
    board.dataset.pages = String(self.pages.length);
    self.status();
    if (options.onShow) options.onShow(self.page);
  };

  self.shown = function () { return (self.pages[self.page] || []).slice(); };
  self.reveal = function (id) {
    if (self.pageOf[id] !== undefined && self.pageOf[id] !== self.page) self.show(self.pageOf[id]);
  };

  // The pager's words: how many tickets before and after this page, and how many of those
  // are late or rush (`flags(id)` says which).
  self.status = function () {
    var before = { n: 0, late: 0, rush: 0 };
    var after = { n: 0, late: 0, rush: 0 };
    self.items.forEach(function (it) {
      var p = self.pageOf[it.id];
      if (p === self.page || p === undefined) return;
      var side = p < self.page ? before : after;
      var f = options.flags(it.id);
      side.n += 1;
      if (f.late) side.late += 1;
      if (f.rush) side.rush += 1;
    });
    setButton(prev, before, (options.rtl ? "› " : "‹ ") + options.text("earlier", { n: before.n }), true);
    setButton(next, after, options.text("more", { n: after.n }) + (options.rtl ? " ‹" : " ›"), false);
    var text = options.text("page", { n: self.page + 1, total: self.pages.length });
    if (info.textContent !== text) info.textContent = text;
  };

  // Rebuilt only when its words changed (the pager is updated every second).
  function setButton(button, side, label, first) {
    button.disabled = side.n === 0;
    var late = side.late ? options.text("late_n", { n: side.late }) : "";
    var rush = side.rush ? options.text("rush_n", { n: side.rush }) : "";
    var shows = JSON.stringify([label, late, rush]);
    if (button.dataset.shows !== shows) {
      clear(button).appendChild(el("span", { class: "kds-pager-label" }, label));
      if (late) button.appendChild(el("span", { class: "kds-pager-flag is-late" }, late));
      if (rush) button.appendChild(el("span", { class: "kds-pager-flag is-rush" }, rush));
      button.dataset.shows = shows;
    }
    button.classList.toggle("is-first", first);
  }

  // A ticket landed on another page: the pager button on its side flashes.
  self.flash = function (id) {
    var p = self.pageOf[id];
    if (p === undefined || p === self.page) return;
    var button = p > self.page ? next : prev;
    button.classList.remove("is-flash");
    void button.offsetWidth; // restart the animation
    button.classList.add("is-flash");
  };

  prev.addEventListener("click", function () { self.show(self.page - 1); });
  next.addEventListener("click", function () { self.show(self.page + 1); });

  // A swipe across the board turns the page (towards the reading direction).
  var swipe = null;
  board.addEventListener("pointerdown", function (e) { swipe = { x: e.clientX, y: e.clientY }; });
  board.addEventListener("pointerup", function (e) {
    if (!swipe) return;
    var dx = e.clientX - swipe.x;
    var dy = e.clientY - swipe.y;
    swipe = null;
    if (Math.abs(dx) < 90 || Math.abs(dy) > 60) return;
    var forward = options.rtl ? dx > 0 : dx < 0;
    self.show(self.page + (forward ? 1 : -1));
  });

  return self;
}
