// The API speaks English in its field messages (marshmallow's and its own); a page tells them
// in its language, next to the field. Pure: no DOM, so `node --test tests/js/` runs it.

// [pattern, key of the page's strings, names of the pattern's groups]
const KNOWN = [
  [/^Missing data for required field\.$/, "fe_required", []],
  [/^Field may not be null\.$/, "fe_required", []],
  [/^Must be greater than or equal to (-?\d+) and less than or equal to (-?\d+)\.$/, "fe_range", ["min", "max"]],
  [/^Must be greater than or equal to (-?\d+)\.$/, "fe_min", ["min"]],
  [/^Must be less than or equal to (-?\d+)\.$/, "fe_max", ["max"]],
  [/^Length must be between (\d+) and (\d+)\.$/, "fe_length", ["min", "max"]],
  [/^Longer than maximum length (\d+)\.$/, "fe_too_long", ["max"]],
  [/^Shorter than minimum length (\d+)\.$/, "fe_too_short", ["min"]],
  [/^already in use$/, "fe_taken", []],
  [/^Not a valid (integer|number)\.$/, "fe_number", []],
  [/^Not a valid email address\.$/, "fe_email", []],
  [/^Must be one of: /, "fe_choice", []],
  [/^(no such|unknown) /, "fe_unknown", []],
  [/^required for an? /, "fe_required", []],
  [/^must be another printer$/, "fe_backup_self", []],
  [/^overlaps table (.+)$/, "fe_overlap", ["label"]],
  [/^ISO 4217 code$/, "fe_iso", []],
  [/^must be below late_after_s/, "fe_warn_order", []],
  [/^must be at most max_choices/, "fe_min_max", []],
  [/^required$/, "fe_required", []],
  [/^at most (\d+) characters$/, "fe_too_long", ["max"]],
  [/^a price like 12\.50, from 0 to 1000000$/, "fe_csv_price", []],
  [/^no station with code '(.*)'$/, "fe_csv_station", ["code"]],
  [/^a whole number from (\d+) to (\d+)$/, "fe_range", ["min", "max"]],
  [/^yes or no$/, "fe_csv_yes_no", []],
  [/^a new dish needs its category$/, "fe_csv_category", []],
  [/^this dish is on an earlier line of the file$/, "fe_csv_twice", []],
  [/^more cells than columns$/, "fe_csv_cells", []],
  [/^unknown column '(.*)'$/, "fe_csv_unknown", ["name"]],
  [/^missing column '(.*)'$/, "fe_csv_missing", ["name"]],
  [/^a column appears twice$/, "fe_csv_double", []],
  [/^not UTF-8$/, "fe_csv_encoding", []],
  [/^up to 32 digits and capital letters$/, "fe_vat_number", []],
];

/** One field message in the page's language (`t` over its strings), else as the API said. */
export function fieldMessage(t, message) {
  const text = String(message);
  for (const [pattern, key, names] of KNOWN) {
    const match = pattern.exec(text);
    if (match && t.has(key)) {
      const vars = {};
      names.forEach((name, i) => { vars[name] = match[i + 1]; });
      return t(key, vars);
    }
  }
  return text;
}

/** {field: "message, message"} of an error envelope's `fields`, each told by fieldMessage;
 *  nested messages (a list's item) join under their field. */
export function fieldMessages(t, fields) {
  const out = {};
  Object.keys(fields || {}).forEach((name) => {
    out[name] = flatten(fields[name]).map((m) => fieldMessage(t, m)).join(" ");
  });
  return out;
}

function flatten(value) {
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (value && typeof value === "object") return Object.values(value).flatMap(flatten);
  return [String(value)];
}
