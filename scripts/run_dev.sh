#!/usr/bin/env bash
# `make run`: the development server and, beside it, a background-job worker (docs/deployment.md,
# "Background jobs"). Ctrl-C stops both; the worker first finishes the job it is running.
# The worker does not reload on code changes: restart `make run` after editing a tasks.py.
#
# Both run in the background and this script waits for them: Ctrl-C reaches the script alone (a script's
# background commands ignore it), which stops both with SIGTERM (Django's autoreloader exits on it, the worker
# stops gracefully). Left to the server, a Ctrl-C arriving just after it started was sometimes lost.
set -u
PY=${PY:-.venv/bin/python}
ADDRESS=${1:-127.0.0.1:8000}

"$PY" manage.py procrastinate worker &
worker=$!
echo "Callbot back-office on http://$ADDRESS/ (admin: http://$ADDRESS/admin/); a job worker runs beside it."
"$PY" manage.py runserver "$ADDRESS" &
server=$!

stop_both() {
    trap - EXIT INT TERM
    kill -TERM "$server" "$worker" 2>/dev/null
    wait "$server" "$worker" 2>/dev/null
}
trap stop_both EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait "$server"  # returns at once when a signal is trapped; the EXIT trap then stops both
