// Back office printers page: health of every printer and what the virtual printers printed,
// refreshed every 2 s without reloading, with the session's token as Bearer. A ticket is shown
// as its paper: text, its Arabic lines and QR codes as the images the printer draws. Dates in
// the page's language and the branch's time zone; names and numbers isolated (bdi) so that
// mixed-direction text keeps its order on the Arabic page.
(function () {
  "use strict";
  var root = document.getElementById("printers-page");
  if (!root) return;
  var T = JSON.parse(document.getElementById("printers-i18n").textContent);
  var tokenMeta = document.querySelector('meta[name="pos-token"]');
  var HEADERS = { Authorization: "Bearer " + (tokenMeta ? tokenMeta.content : "") };
  var EVERY_MS = 2000;
  var KEEP = 50; // tickets shown per printer, newest first
  var papers = {}; // printer id -> {last: newest job number shown, jobs: [...]}
  var LANG = document.documentElement.lang || "en";
  // Arabic: Arabic month names, Gregorian calendar and Western digits, as on the paper.
  var dateTime = formatter(LANG === "ar" ? "ar-u-ca-gregory-nu-latn" : LANG, root.dataset.timeZone);

  function formatter(locale, timeZone) {
    var options = { dateStyle: "medium", timeStyle: "medium" };
    try {
      return new Intl.DateTimeFormat(locale, Object.assign({ timeZone: timeZone || undefined }, options));
    } catch (e) { // an unknown time zone: the device's own
      return new Intl.DateTimeFormat(locale, options);
    }
  }
  function t(key, vars) {
    var text = T[key] || key;
    Object.keys(vars || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(vars[k])); });
    return text;
  }
  // The translation as HTML, each value isolated in a <bdi> (a name or a date inside Arabic).
  function tHtml(key, vars) {
    var parts = esc(T[key] || key).split(/(\{[a-z_]+\})/);
    return parts.map(function (part) {
      var name = /^\{([a-z_]+)\}$/.exec(part);
      return name && vars && name[1] in vars ? "<bdi>" + esc(vars[name[1]]) + "</bdi>" : part;
    }).join("");
  }
  function esc(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function when(value) {
    if (value == null) return t("never");
    var d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    if (isNaN(d)) return "";
    return dateTime.format(d);
  }
  function api(method, path) {
    return fetch("/api/v1" + path, { method: method, headers: HEADERS, cache: "no-store" })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (body) {
          if (!res.ok) throw new Error((body && body.error && body.error.message) || String(res.status));
          return body;
        });
      });
  }
  function say(html, error) {
    var el = root.querySelector("[data-testid=message]");
    el.innerHTML = html;
    el.classList.toggle("is-error", !!error);
  }

  function showHealth(items) {
    items.forEach(function (p) {
      var row = root.querySelector('[data-printer="' + p.id + '"]');
      if (!row) return;
      var state = p.paper_out ? "paper_out" : p.online === true ? "online" : p.online === false ? "offline" : "unknown";
      var badge = row.querySelector("[data-testid=printer-status]");
      badge.dataset.state = state;
      badge.textContent = t(state);
      row.querySelector("[data-testid=queue-depth]").textContent = p.queue_depth;
      row.querySelector("[data-testid=last-printed]").textContent = when(p.last_printed_at);
      row.querySelector("[data-testid=last-error]").textContent = p.last_error || "";
    });
  }

  // Built with the DOM, not markup: the page's CSP allows no inline style attribute, and
  // images only from this server or blob: URLs (made here from the PNGs in the answer).
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function blobUrl(dataUrl) {
    var bytes = atob(dataUrl.slice(dataUrl.indexOf(",") + 1));
    var buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i += 1) buffer[i] = bytes.charCodeAt(i);
    return URL.createObjectURL(new Blob([buffer], { type: "image/png" }));
  }

  function paperPart(part, dots, urls) {
    if (part.kind === "text" || part.kind === "unreadable") {
      var text = part.text.replace(/\n$/, "");
      return text ? el("pre", "paper-" + part.kind, text) : null;
    }
    if (part.kind === "image" || part.kind === "qr") {
      var alt = part.kind === "qr" ? t("qr_alt", { text: part.text })
        : t("image_alt", { width: part.width, height: part.height });
      if (!part.png) return el("p", "paper-note", "[" + alt + "]");
      var img = el("img", "paper-image");
      img.dataset.testid = "paper-" + part.kind;
      img.alt = img.title = alt;
      img.src = blobUrl(part.png);
      urls.push(img.src);
      var share = part.kind === "qr" ? 50 : Math.min(100, (100 * part.width) / dots);
      img.style.width = share.toFixed(2) + "%";
      return img;
    }
    if (part.kind === "cut") {
      var cut = el("div", "paper-cut", t("cut"));
      cut.dataset.testid = "paper-cut";
      return cut;
    }
    if (part.kind === "drawer") return el("p", "paper-note", "[" + t("drawer") + "]");
    return null;
  }

  function ticketNode(job, cols, dots) {
    var figure = el("figure", "virtual-ticket" + (job.complete ? "" : " is-cut"));
    figure.dataset.testid = "virtual-ticket";
    var caption = el("figcaption");
    caption.innerHTML = "<bdi>" + esc(when(job.at)) + "</bdi> · " + tHtml("bytes", { n: job.bytes }) +
      (job.complete ? "" : " · <b>" + esc(t("cut_off")) + "</b>");
    var paper = el("div", "paper");
    paper.dir = "ltr"; // the paper's own layout: its Arabic is already drawn right to left
    paper.dataset.testid = "paper";
    paper.style.setProperty("--cols", String(cols));
    job.urls = [];
    (job.paper || []).forEach(function (part) {
      var node = paperPart(part, dots, job.urls);
      if (node) paper.appendChild(node);
    });
    figure.appendChild(caption);
    figure.appendChild(paper);
    job.node = figure;
    return figure;
  }

  function showOutput(section, jobs) {
    var id = section.dataset.virtual;
    var state = papers[id] || (papers[id] = { last: 0, jobs: [] });
    if (!jobs.length && state.shown) return; // nothing new: keep the reader's scroll position
    var restarted = jobs.some(function (j) { return j.number <= state.last; });
    var all = jobs.concat(restarted ? [] : state.jobs);
    all.slice(KEEP).concat(restarted ? state.jobs : []).forEach(function (gone) {
      (gone.urls || []).forEach(function (u) { URL.revokeObjectURL(u); });
    });
    state.jobs = all.slice(0, KEEP);
    state.last = state.jobs.length ? state.jobs[0].number : 0;
    state.shown = true;
    var cols = Number(section.dataset.cols) || 48, dots = Number(section.dataset.dots) || 576;
    var box = section.querySelector("[data-testid=virtual-output]");
    box.textContent = "";
    if (!state.jobs.length) box.appendChild(el("p", "small", t("nothing_printed")));
    state.jobs.forEach(function (j) { box.appendChild(j.node || ticketNode(j, cols, dots)); });
  }

  var busy = false;
  function refresh() {
    if (busy) return;
    busy = true;
    var calls = [api("GET", "/printers/health").then(function (body) { showHealth(body.items); })];
    root.querySelectorAll("[data-virtual]").forEach(function (section) {
      var state = papers[section.dataset.virtual];
      calls.push(api("GET", "/printers/" + section.dataset.virtual + "/virtual-output?after=" + (state ? state.last : 0))
        .then(function (body) { showOutput(section, body.items); }));
    });
    Promise.all(calls).then(function () {
      root.querySelector("[data-testid=updated]").innerHTML = tHtml("updated", { time: when(Date.now() / 1000) });
    }, function (err) {
      say(err && err.message === "Failed to fetch" ? esc(t("no_answer")) : tHtml("failed", { message: err.message }), true);
    }).then(function () { busy = false; });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-test-print]");
    if (!button) return;
    button.disabled = true;
    api("POST", "/printers/" + button.dataset.testPrint + "/test-print").then(function () {
      say(tHtml("test_sent", { name: button.dataset.name }));
      refresh();
    }, function (err) {
      say(tHtml("failed", { message: err.message }), true);
    }).then(function () { button.disabled = false; });
  });

  refresh();
  setInterval(refresh, EVERY_MS);
})();
