#!/bin/sh
# Install Debian's Chromium for the browser tests where this machine allows it (root + apt).
# Elsewhere the browser tests skip and say why; on CI (CI=true) a skip fails the run instead.
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser tests (apt-get)"
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core fonts-noto-core >/dev/null 2>&1 \
    || echo "chromium could not be installed: the browser tests will be skipped"
else
  echo "chromium is not installed and this user cannot apt-get it: browser tests will skip"
  echo "  (as root: apt-get install chromium fonts-noto-core)"
fi
exit 0
