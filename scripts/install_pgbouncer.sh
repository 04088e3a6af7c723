#!/usr/bin/env bash
# The PgBouncer tests and bench rows drive Debian's pgbouncer (scripts/pgbouncer.py starts it in front of the
# embedded cluster). Install it when it is missing and this machine allows it; otherwise say how and exit 1
# (the PgBouncer tests then skip with a printed reason).
set -u
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's pgbouncer for the connection-pooling tests…"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq pgbouncer >/dev/null 2>&1 \
     || (apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null); then
    exit 0
  fi
  echo "pgbouncer could not be installed: the PgBouncer tests will be skipped."
else
  echo "pgbouncer missing: install it with \`sudo apt-get install -y pgbouncer\` (Debian/Ubuntu);" \
       "until then the PgBouncer tests are skipped."
fi
exit 1
