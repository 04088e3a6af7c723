#!/usr/bin/env bash
# `make run`: the development server and, beside it, a background-job worker (docs/deployment.md,
# "Background jobs"). Ctrl-C stops both; the worker first finishes the job it is running.
# The worker does not reload on code changes: restart `make run` after editing a tasks.py.
set -u
PY=${PY:-.venv/bin/python}
ADDRESS=${1:-127.0.0.1:8000}

"$PY" manage.py procrastinate worker &
worker=$!

stop_worker() {
    trap - EXIT INT TERM
    if kill -0 "$worker" 2>/dev/null; then
        kill -TERM "$worker" 2>/dev/null
        wait "$worker" 2>/dev/null
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "Callbot back-office on http://$ADDRESS/ (admin: http://$ADDRESS/admin/); a job worker runs beside it."
# In the foreground: Ctrl-C reaches the server (and its autoreloader) directly; then the EXIT trap stops the worker.
"$PY" manage.py runserver "$ADDRESS"
