// The branch's settings, saved with one PATCH of what changed (the owner only). Percentages are
// typed as people say them (15, 12.5) and sent in basis points; tip suggestions as a list of
// them ("10, 15, 20", an Arabic comma too).
import { api, clearErrors, noAnswer, say, showErrors, showRefusal, t } from "./forms.js";

const form = document.querySelector("[data-testid=branch-form]");

function percent(text) {
  const s = String(text).trim().replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace("\u066b", ".");
  if (!/^\d+(\.\d{0,2})?$/.test(s)) return null;
  return Math.round(parseFloat(s) * 100);
}

function read() {
  const body = {};
  const errors = {};
  Array.from(form.elements).forEach((input) => {
    if (!input.name) return;
    if (input.type === "checkbox") body[input.name] = input.checked;
    else if ("percentList" in input.dataset) {
      const parts = input.value.split(/[,\u060c\s]+/).filter((x) => x);
      const tips = parts.map(percent);
      const bad = tips.some((bp) => bp === null || bp < 1 || bp > 5000) || tips.length > 4 || new Set(tips).size !== tips.length;
      if (bad) errors[input.name] = t("tips_bad");
      else body[input.name] = tips.sort((a, b) => a - b);
    } else if ("percent" in input.dataset) {
      const bp = percent(input.value);
      if (bp === null) errors[input.name] = t("percent_bad");
      else body[input.name] = bp;
    } else if (input.name === "business_day_cutoff_hour") {
      if (!/^\d+$/.test(input.value.trim())) errors[input.name] = t("fe_number");
      else body[input.name] = Number(input.value);
    } else body[input.name] = input.value.trim();
  });
  if (!body.name) errors.name = t("fe_required");
  if (body.currency !== undefined) body.currency = body.currency.toUpperCase();
  return { body, errors };
}

let saved = read().body;

if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { body, errors } = read();
    if (Object.keys(errors).length) return showErrors(form, errors);
    const changed = {};
    Object.keys(body).forEach((key) => { if (JSON.stringify(body[key]) !== JSON.stringify(saved[key])) changed[key] = body[key]; });
    if (!Object.keys(changed).length) return say(t("branch_saved"));
    api("PATCH", "/branch", changed).then((res) => {
      if (!res.ok) return showRefusal(form, res);
      clearErrors(form);
      saved = body;
      say(t("branch_saved"));
    }).catch(noAnswer);
  });
}
