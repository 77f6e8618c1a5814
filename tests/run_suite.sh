#!/bin/sh
# The suite on SQLite; then, where PostgreSQL is configured (always on CI), again on PostgreSQL.
# On CI, tests that need PostgreSQL, Redis or the browser must run: their skips become failures.
set -e
BIN=.venv/bin
if [ "${CI:-}" = "true" ]; then
  REQUIRE_SQLITE="redis,browser"
  REQUIRE_POSTGRES="postgres,redis,browser"
  export POS_TEST_POSTGRES_URL="${POS_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
  export POS_TEST_REDIS_URL="${POS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
fi
echo "== test suite on SQLite"
POS_TEST_REQUIRE="${REQUIRE_SQLITE:-}" POS_TEST_DATABASE_URL= $BIN/python -m pytest -q -p no:cacheprovider "$@"
if [ -n "${POS_TEST_POSTGRES_URL:-}" ]; then
  echo "== test suite on PostgreSQL ($POS_TEST_POSTGRES_URL)"
  POS_TEST_REQUIRE="${REQUIRE_POSTGRES:-}" POS_TEST_DATABASE_URL="$POS_TEST_POSTGRES_URL" \
    $BIN/python -m pytest -q -p no:cacheprovider "$@"
fi
