// Option groups and their options: names in both languages, how many a guest picks (the least
// never above the most), each option's price (a minus price takes off); one PATCH per save.
// Which dishes offer a group: ticked in one list, saved in one PUT. A new option or group, or a
// group taken off or brought back, redraws the page from the server.
import { parseMoney } from "../lib/money.js";
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("options-page");
const EXP = Number(page.dataset.exponent);
const KEPT = "pos-options-message";

function whole(text) {
  return /^\d+$/.test(String(text).trim()) ? Number(text) : NaN;
}

/** A price that may be below zero ("-2.50"), in minor units, or null. */
function signedPrice(text) {
  const s = String(text).trim().replace("\u2212", "-");
  const minus = s.startsWith("-");
  const amount = parseMoney(minus ? s.slice(1) : s, EXP);
  return amount === null ? null : (minus ? -amount : amount);
}

function readOption(scope) {
  const body = { name: scope.querySelector("[name=name]").value.trim(), name_ar: scope.querySelector("[name=name_ar]").value.trim() };
  const errors = {};
  if (!body.name) errors.name = t("fe_required");
  const price = signedPrice(scope.querySelector("[name=price_delta_minor]").value);
  if (price === null) errors.price_delta_minor = t("price_bad");
  else body.price_delta_minor = price;
  return { body, errors };
}

/** A group's names and how many a guest picks (the least never above the most). */
function readGroup(form) {
  const f = form.elements;
  const body = { name: f.name.value.trim(), name_ar: f.name_ar.value.trim(), min_choices: whole(f.min_choices.value), max_choices: whole(f.max_choices.value) };
  const errors = {};
  if (!body.name) errors.name = t("fe_required");
  ["min_choices", "max_choices"].forEach((name) => { if (Number.isNaN(body[name])) errors[name] = t("fe_number"); });
  if (!Object.keys(errors).length && body.min_choices > body.max_choices) errors.min_choices = t("fe_min_max");
  return { body, errors };
}

page.querySelectorAll("[data-testid=group-form]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, errors } = readGroup(form);
    if (Object.keys(errors).length) return showErrors(form, errors);
    api("PATCH", "/modifier-groups/" + form.dataset.group, body).then((res) => {
      if (!res.ok) return showRefusal(form, res);
      clearErrors(form);
      say(t("group_saved", { name: res.data.name }));
    }).catch(noAnswer);
  });
});

function redraw(message) {
  sessionStorage.setItem(KEPT, message);
  window.location.reload();
}

page.querySelectorAll("[data-dishes-for]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const ids = Array.from(form.querySelectorAll("input[name=item]:checked")).map((box) => Number(box.value));
    const section = form.closest("[data-testid=option-group]");
    api("PUT", "/modifier-groups/" + form.dataset.dishesFor + "/items", { item_ids: ids }).then((res) => {
      if (!res.ok) return showRefusal(form, res);
      clearErrors(form);
      section.querySelector("[data-testid=dish-count]").textContent = String(res.data.item_ids.length);
      say(t("dishes_saved", { name: section.querySelector("[data-testid=group-form] [name=name]").value }));
    }).catch(noAnswer);
  });
});

const addGroup = page.querySelector("[data-testid=add-group]");
addGroup.addEventListener("submit", (event) => {
  event.preventDefault();
  const { body, errors } = readGroup(addGroup);
  if (Object.keys(errors).length) return showErrors(addGroup, errors);
  // The code is made from the name ("Choose your side" -> "choose-your-side"); a name with no
  // Latin letters gets a numbered one.
  const slug = body.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24);
  body.code = (slug || "group") + "-" + Date.now().toString(36).slice(-5);
  api("POST", "/modifier-groups", body).then((res) => {
    if (!res.ok) return showRefusal(addGroup, res);
    redraw(t("group_added", { name: res.data.name }));
  }).catch(noAnswer);
});

page.addEventListener("click", (event) => {
  const groupButton = event.target.closest("[data-action=group-active]");
  if (groupButton) {
    const section = groupButton.closest("[data-testid=option-group]");
    const id = section.dataset.groupId;
    const name = section.querySelector("[data-testid=group-form] [name=name]").value;
    const off = !section.hasAttribute("data-inactive");
    const call = off ? api("DELETE", "/modifier-groups/" + id) : api("PATCH", "/modifier-groups/" + id, { active: true });
    call.then((res) => {
      if (!res.ok) return showRefusal(section.querySelector("[data-testid=group-form]"), res);
      redraw(t(off ? "group_removed" : "group_restored", { name: name }));
    }).catch(noAnswer);
    return;
  }
  const button = event.target.closest("[data-action]");
  const row = button && button.closest("tr[data-option]");
  if (!row) return;
  const id = row.dataset.option;
  if (button.dataset.action === "save-option") {
    const { body, errors } = readOption(row);
    if (Object.keys(errors).length) return showErrors(row, errors);
    api("PATCH", "/modifiers/" + id, body).then((res) => {
      if (!res.ok) return showRefusal(row, res);
      clearErrors(row);
      row.dataset.name = res.data.name;
      say(t("option_saved", { name: res.data.name }));
    }).catch(noAnswer);
  } else if (button.dataset.action === "option-active") {
    const active = !row.hasAttribute("data-inactive");
    const call = active ? api("DELETE", "/modifiers/" + id) : api("PATCH", "/modifiers/" + id, { active: true });
    call.then((res) => {
      if (!res.ok) return showRefusal(row, res);
      row.toggleAttribute("data-inactive", !res.data.active);
      button.textContent = t(res.data.active ? "remove" : "restore");
    }).catch(noAnswer);
  }
});

page.querySelectorAll("[data-testid=add-option]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, errors } = readOption(form);
    if (Object.keys(errors).length) return showErrors(form, errors);
    body.group_id = Number(form.dataset.addOption);
    api("POST", "/modifiers", body).then((res) => {
      if (!res.ok) return showRefusal(form, res);
      sessionStorage.setItem(KEPT, t("option_added", { name: res.data.name }));
      window.location.reload();
    }).catch(noAnswer);
  });
});

const kept = sessionStorage.getItem(KEPT);
if (kept) {
  sessionStorage.removeItem(KEPT);
  say(kept);
}
