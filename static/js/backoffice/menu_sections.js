// The menu's sections (categories): names in both languages, the station and course their
// dishes get unless a dish says otherwise, taken off and brought back, new ones. A new section
// or one taken off redraws the page from the server (its dishes' rows are the server's).
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const page = document.getElementById("menu-page");
const KEPT = "pos-menu-section-message";

function optionalId(value) {
  return value === "" ? null : Number(value);
}

function reloadSaying(text) {
  sessionStorage.setItem(KEPT, text);
  window.location.reload();
}

page.querySelectorAll("[data-testid=section-form]").forEach((form) => {
  const id = form.dataset.sectionForm;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const f = form.elements;
    const body = {
      name: f.name.value.trim(), name_ar: f.name_ar.value.trim(),
      station_id: optionalId(f.station_id.value), default_course: Number(f.default_course.value),
    };
    if (!body.name) return showErrors(form, { name: t("fe_required") });
    api("PATCH", "/categories/" + id, body).then((res) => {
      if (!res.ok) return showRefusal(form, res);
      clearErrors(form);
      say(t("section_saved", { name: res.data.name }));
    }).catch(noAnswer);
  });
  form.querySelector("[data-action=section-active]").addEventListener("click", () => {
    const section = form.closest(".bo-cat");
    const active = !section.hasAttribute("data-inactive");
    const call = active ? api("DELETE", "/categories/" + id) : api("PATCH", "/categories/" + id, { active: true });
    call.then((res) => {
      if (!res.ok) return showRefusal(form, res);
      reloadSaying(t(res.data.active ? "section_restored" : "section_removed", { name: res.data.name }));
    }).catch(noAnswer);
  });
});

const addForm = page.querySelector("[data-testid=new-section-form]");
addForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const body = { name: addForm.elements.name.value.trim(), name_ar: addForm.elements.name_ar.value.trim() };
  if (!body.name) return showErrors(addForm, { name: t("fe_required") });
  api("POST", "/categories", body).then((res) => {
    if (!res.ok) return showRefusal(addForm, res);
    reloadSaying(t("section_added", { name: res.data.name }));
  }).catch(noAnswer);
});

const kept = sessionStorage.getItem(KEPT);
if (kept) {
  sessionStorage.removeItem(KEPT);
  say(kept);
}
