#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a browser download). Install it when it is
# missing and this machine allows it; otherwise the browser tests skip with a printed reason.
set -u
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed: browser tests will be skipped."
else
  echo "chromium missing and not installable here (needs root and apt-get): browser tests will be skipped."
fi
exit 0
