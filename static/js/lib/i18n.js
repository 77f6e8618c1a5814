// The words a screen shows: its translated strings (rendered into the page by the server),
// with {name} placeholders filled in. Pure: no DOM, so `node --test tests/js/` runs it.

/** `text` with every {name} replaced by String(vars[name]). */
export function fill(text, vars) {
  let out = text;
  Object.keys(vars || {}).forEach((name) => {
    out = out.split("{" + name + "}").join(String(vars[name]));
  });
  return out;
}

/**
 * t(key, vars) over `strings`: the translation with its placeholders filled, else what
 * `fallback` says (another screen's strings), else the key itself. `t.has(key)` says whether
 * this screen has its own word.
 */
export function translator(strings, fallback) {
  const words = strings || {};
  const t = function (key, vars) {
    if (!words[key] && fallback) return fallback(key, vars);
    return fill(words[key] || key, vars);
  };
  t.has = (key) => !!words[key];
  return t;
}

/**
 * The server speaks English to the API; a known refusal (`err_<code>` among the strings) is
 * told in the page's language, anything else by its message, or "failed".
 */
export function errorText(t, error) {
  if (!error) return t("failed");
  const key = "err_" + error.code;
  return t.has(key) ? t(key) : error.message || t("failed");
}

/** "ar" on an Arabic page, else "en": the two languages the data carries names in. */
export function pageLanguage(doc) {
  return doc.documentElement.lang === "ar" ? "ar" : "en";
}
