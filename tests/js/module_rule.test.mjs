// node --test: the screens' module rule (docs/architecture.md, "Screens"): lib/ imports only
// lib/, the bill widget only lib/ and itself, a screen's folder never another screen's; and
// no module puts text into innerHTML (the DOM is built with el()).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const JS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "static", "js");
const SCREENS = ["backoffice", "cashier", "handheld", "kds"];

function modules(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === "vendor" ? [] : modules(path);
    return name.endsWith(".js") ? [path] : [];
  });
}

function area(path) {
  const rel = relative(JS, path).split("/");
  if (rel.length === 1) return "entry:" + rel[0].replace(/\.js$/, "");
  return rel[0];
}

const imports = modules(JS).map((path) => {
  const source = readFileSync(path, "utf8");
  const targets = [...source.matchAll(/^import\s+(?:[^;"]*?\sfrom\s+)?"(\.\.?\/[^"]+)";/gm)]
    .map((m) => normalize(join(dirname(path), m[1])));
  return { path, source, targets };
});

test("shared modules import only shared modules, screens never each other", () => {
  const wrong = [];
  for (const { path, targets } of imports) {
    const from = area(path);
    for (const target of targets) {
      const to = area(target);
      const allowed = from === "lib" ? to === "lib"
        : from === "billpay" || from === "entry:billpay" ? ["lib", "billpay"].includes(to)
          : !(SCREENS.includes(to) && to !== from && from !== "entry:" + to);
      if (!allowed) wrong.push(`${relative(JS, path)} -> ${relative(JS, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("every relative import names a file that exists", () => {
  const missing = imports.flatMap(({ path, targets }) => targets.filter((target) => {
    try {
      return !statSync(target).isFile();
    } catch (err) {
      return true;
    }
  }).map((target) => `${relative(JS, path)} -> ${relative(JS, target)}`));
  assert.deepEqual(missing, []);
});

test("no module writes HTML from strings", () => {
  const html = imports.filter(({ source }) => /^(import|export) /m.test(source))
    .filter(({ source }) => /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML/.test(source))
    .map(({ path }) => relative(JS, path));
  assert.deepEqual(html, []);
});
