// An item's sheet: its options (modifier groups with their rules), quantity, seat, course,
// note and allergy; adds a line to the draft, or changes or removes one not sent yet.
import { clear, el } from "../lib/dom.js";
import { courseLabel, current, LANG, moneyEl, name, S, saveLocal, t } from "./context.js";
import { draftFor, dropDraftIfEmpty, makeLine, modifierById } from "./drafts.js";
import { availabilitySheet, canEightySix } from "./eighty_six.js";
import { bumpCart, render } from "./screen.js";
import { chips, closeSheet, field, limited, LIMITS, openSheet, stepper } from "./sheet.js";

const ALLERGENS = ["gluten", "dairy", "nuts", "sesame", "egg", "fish", "shellfish", "soy"];

export function itemSheet(item, editing) {
  var c = current();
  var guests = (c.order ? c.order.guests : c.draft && c.draft.guests) || 0;
  var st = editing ? {
    quantity: editing.quantity, mods: editing.modifier_ids.slice(), seat: editing.seat,
    course: editing.course, note: editing.note, allergy: editing.allergy,
  } : { quantity: 1, mods: [], seat: null, course: item.course, note: "", allergy: "" };
  var groups = item.modifier_group_ids.map(function (id) { return S.groups.get(id); }).filter(Boolean);
  openSheet(name(item), "item-sheet", function (body, foot) {
    var allergens = (item.allergens || []).map(function (a) { return ALLERGENS.indexOf(a) >= 0 ? t("allergen_" + a) : a; });
    body.appendChild(el("div", { class: "hh-sheet-sub" }, moneyEl(item.price_minor),
      allergens.length ? el("span", { class: "hh-contains" }, t("contains", { list: allergens.join(LANG === "ar" ? "، " : ", ") })) : null));
    var groupBox = el("div", { class: "hh-groups" });
    body.appendChild(groupBox);
    var renderGroups = function () {
      clear(groupBox);
      groups.forEach(function (g) {
        var picked = g.modifiers.filter(function (m) { return st.mods.indexOf(m.id) >= 0; }).length;
        var ok = picked >= g.min_choices && picked <= g.max_choices;
        var rule = g.min_choices === g.max_choices ? t("choose_exactly", { n: g.min_choices })
          : g.min_choices === 0 ? t("choose_up_to", { n: g.max_choices })
            : t("choose_between", { low: g.min_choices, high: g.max_choices });
        var chipsBox = el("div", { class: "hh-chips" });
        g.modifiers.forEach(function (m) {
          var on = st.mods.indexOf(m.id) >= 0;
          var full = !on && g.max_choices > 1 && picked >= g.max_choices;
          var out = m.available === false; // out of stock: the server would refuse the line
          chipsBox.appendChild(el("button", {
            type: "button", class: "hh-chip hh-mod" + (out ? " is-sold-out" : ""), role: g.max_choices === 1 ? "radio" : "checkbox",
            "aria-checked": on ? "true" : "false", disabled: full || (out && !on), "data-testid": "mod-" + m.id,
            onclick: function () { toggleMod(g, m); },
          }, name(m), m.price_delta_minor ? el("small", null, " +", moneyEl(m.price_delta_minor)) : null,
          out ? el("small", { class: "hh-mod-out" }, " · ", t("why_stock")) : null));
        });
        groupBox.appendChild(el("fieldset", { class: "hh-group" + (ok ? " hh-group-ok" : " hh-group-need"), "data-testid": "group-" + g.id },
          el("legend", null, el("span", { class: "hh-group-name" }, name(g)),
            el("span", { class: "hh-group-rule" }, rule),
            g.min_choices > 0 ? el("span", { class: "hh-tag " + (ok ? "hh-tag-ok" : "hh-tag-need") }, ok ? "✓" : t("required")) : null),
          chipsBox));
      });
      refreshFoot();
    };
    var toggleMod = function (g, m) {
      var i = st.mods.indexOf(m.id);
      if (i >= 0) st.mods.splice(i, 1);
      else {
        if (g.max_choices === 1) {
          st.mods = st.mods.filter(function (id) { return !g.modifiers.some(function (x) { return x.id === id; }); });
        }
        st.mods.push(m.id);
      }
      renderGroups();
    };
    var valid = function () {
      if (noteLimit && (!noteLimit.ok() || !allergyLimit.ok())) return false;
      return groups.every(function (g) {
        var n = g.modifiers.filter(function (m) { return st.mods.indexOf(m.id) >= 0; }).length;
        return n >= g.min_choices && n <= g.max_choices;
      });
    };
    var noteLimit = null, allergyLimit = null; // set below, once the fields exist
    var row = el("div", { class: "hh-row2" });
    row.appendChild(field(t("quantity"), stepper(st.quantity, 1, 99, function (v) { st.quantity = v; refreshFoot(); }, "qty")));
    body.appendChild(row);
    if (guests) {
      var seats = [{ value: null, label: t("shared") }];
      for (var s = 1; s <= Math.min(guests, 60); s++) seats.push({ value: s, label: String(s) });
      body.appendChild(field(t("seat"), chips(seats, st.seat, function (v) { st.seat = v; }, "seat")));
    }
    var courseValues = [0, 1, 2, 3];
    if (courseValues.indexOf(item.course) < 0) courseValues.push(item.course);
    body.appendChild(field(t("course"), chips(courseValues.sort().map(function (v) {
      return { value: v, label: courseLabel(v) };
    }), st.course, function (v) { st.course = v; }, "course-chip")));
    var note = el("textarea", { rows: "2", value: st.note, "data-testid": "line-note", oninput: function () { st.note = this.value; } });
    var allergy = el("input", { type: "text", value: st.allergy, class: "hh-allergy-input", "data-testid": "line-allergy", oninput: function () { st.allergy = this.value; } });
    noteLimit = limited(note, LIMITS.note, function () { refreshFoot(); });
    allergyLimit = limited(allergy, LIMITS.allergy, function () { refreshFoot(); });
    body.appendChild(field(t("note"), note, null, noteLimit));
    body.appendChild(field(t("allergy"), allergy, null, allergyLimit));

    var price = el("span", { class: "hh-add-price" });
    var add = el("button", { type: "button", class: "hh-btn hh-btn-primary hh-add", "data-testid": "sheet-add",
      onclick: function () {
        if (!valid()) return;
        var d = draftFor(c.id, true);
        var fields = {
          quantity: st.quantity, modifier_ids: st.mods.slice(), seat: st.seat, course: st.course,
          note: st.note.trim(), allergy: st.allergy.trim(),
        };
        if (editing) {
          var target = d.lines.filter(function (l) { return l.id === editing.id; })[0];
          if (target) Object.assign(target, fields);
        } else d.lines.push(makeLine(item, fields));
        d.error = null;
        saveLocal();
        closeSheet();
        render();
        bumpCart();
      } }, el("span", null, editing ? t("update") : t("add")), price);
    var refreshFoot = function () {
      var unit = item.price_minor + st.mods.reduce(function (sum, id) { var m = modifierById(id); return sum + (m ? m.price_delta_minor : 0); }, 0);
      clear(price).appendChild(moneyEl(unit * st.quantity));
      add.disabled = !valid();
    };
    if (editing) {
      foot.appendChild(el("button", { type: "button", class: "hh-btn hh-btn-danger", "data-testid": "line-remove",
        onclick: function () {
          var d = S.drafts[c.id];
          if (d) d.lines = d.lines.filter(function (l) { return l.id !== editing.id; });
          // The line a refusal named (a dish 86'd) is gone: the draft may be sent again.
          if (d && d.error && d.error.line_ids && !d.lines.some(function (l) {
            return d.error.line_ids.indexOf(l.id) >= 0;
          })) d.error = null;
          dropDraftIfEmpty(d);
          closeSheet();
          render();
        } }, t("remove")));
    }
    if (canEightySix()) {
      foot.appendChild(el("button", { type: "button", class: "hh-btn hh-btn-small hh-86-small", "data-testid": "sheet-86",
        title: t("take_off"), onclick: function () { availabilitySheet(item); } }, "86"));
    }
    foot.appendChild(add);
    renderGroups();
  });
}
