// The back office's staff: add a person (the server makes their PIN and shows it once),
// a new PIN, a new role, deactivate and reactivate, an owner's or manager's email and password,
// two-factor turned off for a lost phone, without a reload; refusals next to their field in
// the page's language.
import { el } from "../lib/dom.js";
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("staff-page");
const BACK_OFFICE = ["owner", "manager"];

const ROLES = JSON.parse(document.getElementById("bo-i18n").textContent).roles || {};

function roleName(role) {
  return ROLES[role] || role;
}

function showPin(name, pin) {
  const box = page.querySelector("[data-testid=issued-pin]");
  box.textContent = "";
  box.appendChild(el("span", null, t("pin_issued", { name: name, pin: pin })));
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

function issuePin(row) {
  api("POST", "/staff/" + row.dataset.staff + "/pin").then((res) => {
    if (!res.ok) return showRefusal(row, res);
    clearErrors(row);
    row.querySelector("[data-testid=has-pin]").textContent = t("yes");
    showPin(row.dataset.name, res.data.pin);
  }).catch(noAnswer);
}

function toggleActive(row) {
  const active = !row.hasAttribute("data-inactive");
  const call = active ? api("DELETE", "/staff/" + row.dataset.staff) : api("PATCH", "/staff/" + row.dataset.staff, { active: true });
  call.then((res) => {
    if (!res.ok) return showRefusal(row, res);
    clearErrors(row);
    row.toggleAttribute("data-inactive", !res.data.active);
    row.querySelector("[data-testid=status]").textContent = t(res.data.active ? "active" : "inactive");
    row.querySelector("[data-action=active]").textContent = t(res.data.active ? "deactivate" : "reactivate");
    say(t(res.data.active ? "reactivated" : "deactivated", { name: res.data.name }));
  }).catch(noAnswer);
}

// An owner turns off someone's two-factor sign-in (a lost phone); they are signed out.
function resetTotp(row, button) {
  if (!window.confirm(t("totp_confirm", { name: row.dataset.name }))) return;
  api("DELETE", "/staff/" + row.dataset.staff + "/totp").then((res) => {
    if (!res.ok) return showRefusal(row, res);
    clearErrors(row);
    row.querySelector("[data-testid=has-totp]").hidden = true;
    button.remove();
    say(t("totp_reset", { name: row.dataset.name }));
  }).catch(noAnswer);
}

function changeRole(row, select) {
  api("PATCH", "/staff/" + row.dataset.staff, { role: select.value }).then((res) => {
    if (!res.ok) {
      showRefusal(row, res);
      select.value = select.dataset.saved || select.value;
      return;
    }
    clearErrors(row);
    select.dataset.saved = res.data.role;
    say(t("role_changed", { name: res.data.name, role: roleName(res.data.role) }));
  }).catch(noAnswer);
}

function add(form) {
  const body = { name: form.elements.name.value.trim(), role: form.elements.role.value };
  const errors = {};
  if (!body.name) errors.name = t("fe_required");
  if (BACK_OFFICE.includes(body.role)) {
    if (form.elements.email.value.trim()) body.email = form.elements.email.value.trim();
    if (form.elements.password.value) {
      body.password = form.elements.password.value;
      if (body.password.length < 10) errors.password = t("password_short");
    }
  }
  if (Object.keys(errors).length) return showErrors(form, errors);
  api("POST", "/staff", body).then((res) => {
    if (!res.ok) return showRefusal(form, res);
    clearErrors(form);
    form.reset();
    showBackOfficeFields(form);
    const person = res.data;
    const row = newRow(person);
    page.querySelector("[data-testid=staff-table] tbody").appendChild(row);
    say(t("added", { name: person.name }));
    issuePin(row);
  }).catch(noAnswer);
}

// The column names a phone shows above each cell (the table's head is hidden there).
const LABELS = Array.from(document.querySelectorAll("[data-testid=staff-table] thead th")).map((th) => th.textContent);

function newRow(person) {
  const roleSelect = page.querySelector("[data-testid=new-role]").cloneNode(true);
  roleSelect.name = "role";
  roleSelect.dataset.testid = "role";
  roleSelect.value = person.role;
  roleSelect.dataset.saved = person.role;
  return el("tr", { "data-staff": String(person.id), "data-name": person.name, "data-testid": "staff-row" },
    el("td", { "data-label": LABELS[0] }, el("bdi", null, person.name)),
    el("td", { "data-label": LABELS[1] }, roleSelect, el("span", { class: "bo-error", "data-error-for": "role" })),
    el("td", { class: "small", "data-label": LABELS[2] }, t("pin") + ": ", el("span", { "data-testid": "has-pin" }, t("no"))),
    el("td", { "data-testid": "status", "data-label": LABELS[3] }, t("active")),
    el("td", { class: "bo-actions" },
      el("button", { type: "button", class: "button", "data-action": "pin", "data-testid": "new-pin" }, t("new_pin")),
      el("button", { type: "button", class: "button button-quiet", "data-action": "active", "data-testid": "toggle-active" }, t("deactivate")),
      el("span", { class: "bo-error", "data-error-for": "_row" })));
}

function showBackOfficeFields(form) {
  const backOffice = BACK_OFFICE.includes(form.elements.role.value);
  form.querySelectorAll("[data-for-back-office]").forEach((node) => { node.hidden = !backOffice; });
}

page.querySelectorAll("select[name=role][data-testid=role]").forEach((s) => { s.dataset.saved = s.value; });
page.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  const row = button && button.closest("tr[data-staff]");
  if (!row) return;
  if (button.dataset.action === "pin") issuePin(row);
  else if (button.dataset.action === "active") toggleActive(row);
  else if (button.dataset.action === "totp") resetTotp(row, button);
});
page.addEventListener("change", (event) => {
  const row = event.target.closest("tr[data-staff]");
  if (row && event.target.matches("select[name=role]")) changeRole(row, event.target);
  const form = event.target.closest("[data-testid=add-staff]");
  if (form && event.target.name === "role") showBackOfficeFields(form);
});
page.querySelector("[data-testid=add-staff]").addEventListener("submit", (event) => {
  event.preventDefault();
  add(event.target);
});

// Pairing a kitchen screen: the code it shows, the kitchen login it works as.
const pairForm = page.querySelector("[data-testid=pair-form]");
pairForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const f = pairForm.elements;
  const body = { code: f.code.value.trim(), staff_id: Number(f.staff_id.value), device_name: f.device_name.value.trim() };
  const errors = {};
  if (!body.code) errors.code = t("fe_required");
  if (!body.staff_id) errors.staff_id = t("fe_required");
  if (Object.keys(errors).length) return showErrors(pairForm, errors);
  api("POST", "/auth/screen-pairings", body).then((res) => {
    if (!res.ok) {
      if (res.status === 404) return showErrors(pairForm, { code: t("err_pairing_not_found") });
      return showRefusal(pairForm, res);
    }
    clearErrors(pairForm);
    pairForm.reset();
    say(t("paired"));
  }).catch(noAnswer);
});
if ("open" in pairForm.dataset) pairForm.scrollIntoView({ block: "start" });


// Owners' and managers' back-office email and password (an owner sets anyone's, a manager
// their own); the server signs the person out everywhere when the password changes.
const signInForm = page.querySelector("[data-testid=sign-in-form]");
if (signInForm) {
  const f = signInForm.elements;
  f.staff_id.addEventListener("change", () => {
    f.email.value = f.staff_id.selectedOptions[0].dataset.email || "";
    f.password.value = "";
    clearErrors(signInForm);
  });
  signInForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {};
    const errors = {};
    const email = f.email.value.trim();
    if (email !== (f.staff_id.selectedOptions[0].dataset.email || "")) body.email = email || null;
    if (f.password.value) {
      body.password = f.password.value;
      if (body.password.length < 10) errors.password = t("password_short");
    }
    if (Object.keys(errors).length) return showErrors(signInForm, errors);
    if (!Object.keys(body).length) return showErrors(signInForm, { password: t("fe_required") });
    const id = f.staff_id.value;
    api("PATCH", "/staff/" + id, body).then((res) => {
      if (!res.ok) return showRefusal(signInForm, res);
      clearErrors(signInForm);
      f.staff_id.selectedOptions[0].dataset.email = res.data.email || "";
      f.password.value = "";
      const row = page.querySelector('tr[data-staff="' + id + '"]');
      if (row && res.data.has_password) row.querySelector("[data-testid=has-password]").hidden = false;
      say(t("sign_in_saved", { name: res.data.name }));
    }).catch(noAnswer);
  });
}
