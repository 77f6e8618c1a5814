#!/bin/sh
# The screens' JavaScript unit tests (tests/js/*.test.mjs) under Node's own test runner: no
# npm, no packages; they import the page modules of static/js as the browser gets them (plain
# .js files with import/export, which Node reads as modules since 20.19 and 22.7).
# Without such a node they are skipped with a message; on CI (CI=true) that fails the run.
if ! node -e 'import("./static/js/lib/i18n.js").catch(() => process.exit(1))' 2>/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "node 20.19 / 22.7 or newer is needed for the JavaScript tests (tests/js/)" >&2
    exit 1
  fi
  echo "== JavaScript unit tests skipped: no node 20.19 / 22.7 or newer on this machine"
  exit 0
fi
echo "== JavaScript unit tests (node --test tests/js/)"
exec node --test --test-reporter=spec tests/js/*.test.mjs
