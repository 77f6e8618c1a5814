// Kitchen stations: names and the minutes after which tickets turn amber and red, typed as
// minutes and sent in seconds; the server keeps amber before red.
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

function seconds(text) {
  const s = String(text).trim().replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace("\u066b", ".");
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  return Math.round(parseFloat(s) * 60);
}

document.querySelectorAll("[data-testid=station-form]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const f = form.elements;
    const body = { name: f.name.value.trim(), name_ar: f.name_ar.value.trim() };
    const errors = {};
    if (!body.name) errors.name = t("fe_required");
    ["warn_after_s", "late_after_s"].forEach((name) => {
      const value = seconds(f[name].value);
      if (value === null) errors[name] = t("minutes_bad");
      else body[name] = value;
    });
    if (!errors.warn_after_s && !errors.late_after_s && body.warn_after_s >= body.late_after_s) {
      errors.warn_after_s = t("fe_warn_order");
    }
    if (Object.keys(errors).length) return showErrors(form, errors);
    api("PATCH", "/stations/" + form.dataset.station, body).then((res) => {
      if (!res.ok) return showRefusal(form, res);
      clearErrors(form);
      say(t("station_saved", { name: res.data.name }));
    }).catch(noAnswer);
  });
});
