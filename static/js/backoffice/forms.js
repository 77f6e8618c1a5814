// What every back-office form shares: the API with the session's token, the page's words
// (its own and the form words of admin/_form_strings.html), refusals shown next to their
// fields in the page's language, and the status line.
import "./nav.js";
import { NetError, request } from "../lib/api.js";
import { readJson } from "../lib/dom.js";
import { fieldMessages } from "../lib/field_errors.js";
import { errorText, translator } from "../lib/i18n.js";

export const t = translator(Object.assign({}, readJson("bo-form-i18n"), readJson("bo-i18n")));
const TOKEN = document.querySelector('meta[name="pos-token"]').content;

/** The API's answer {ok, status, data, error}; a NetError when none came. Signed out: to the
 *  back-office login, back to this page after. `options`: request()'s (a longer timeoutMs). */
export function api(method, path, body, options) {
  return request(method, path, body, Object.assign({ token: TOKEN }, options)).then((res) => {
    if (res.status === 401) {
      window.location.assign("/backoffice/login?next=" + encodeURIComponent(window.location.pathname));
      throw new NetError("signed out");
    }
    if (res.status >= 500) throw new NetError("server " + res.status);
    return res;
  });
}

/** Clear the messages shown next to the fields of `scope`. */
export function clearErrors(scope) {
  scope.querySelectorAll("[data-error-for]").forEach((node) => { node.textContent = ""; });
  scope.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
}

/** Show `fields` ({name: message}) next to their inputs in `scope`; a field with no place of
 *  its own (or none named) goes to the `_row` place. Returns whether anything was shown. */
export function showErrors(scope, fields, general) {
  clearErrors(scope);
  let shown = false;
  Object.keys(fields || {}).forEach((name) => {
    const place = scope.querySelector('[data-error-for="' + name + '"]') ||
      scope.querySelector('[data-error-for="_row"]');
    const input = scope.querySelector('[name="' + name + '"]');
    if (input) input.setAttribute("aria-invalid", "true");
    if (place) {
      place.textContent = (place.textContent ? place.textContent + " " : "") + fields[name];
      shown = true;
    }
  });
  if (general) {
    const place = scope.querySelector('[data-error-for="_row"]');
    if (place) {
      place.textContent = general;
      shown = true;
    }
  }
  return shown;
}

/** The refusal of an answer, next to its fields (translated) or as one line in `scope`. */
export function showRefusal(scope, res) {
  const fields = res.error && res.error.fields;
  if (fields && Object.keys(fields).length) return showErrors(scope, fieldMessages(t, fields));
  return showErrors(scope, {}, errorText(t, res.error));
}

/** The page's status line: what just happened (or went wrong). */
export function say(text, bad) {
  const box = document.querySelector("[data-testid=message]");
  if (!box) return;
  box.textContent = text;
  box.classList.toggle("is-error", !!bad);
}

/** What to tell the person when no answer came. */
export function noAnswer(err) {
  say(err instanceof NetError ? t("no_answer") : t("failed"), true);
}
