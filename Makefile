# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Development settings for every target but `serve` and `worker`, which always run the production settings.
export DJANGO_SETTINGS_MODULE ?= callbot_site.settings.local

.PHONY: run worker test contract stop db migrate lint bench bench-smoke serve browsers pgbouncer bench-growth clean

$(VENV)/.installed: pyproject.toml requirements.lock clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]' -e clients/python
	touch $@

# The embedded PostgreSQL, unless DATABASE_URL points elsewhere.
db: $(VENV)/.installed
	@if [ -z "$$DATABASE_URL" ]; then $(PY) scripts/localdb.py start; fi

migrate: db
	$(PY) manage.py migrate --noinput

# The development server and a job worker beside it (scripts/run_dev.sh); Ctrl-C stops both.
run: migrate
	$(PY) manage.py load_demo_data
	PY=$(PY) scripts/run_dev.sh 127.0.0.1:8000

# gunicorn + WhiteNoise with the production settings (docs/deployment.md): DEBUG off, and SECRET_KEY and
# ALLOWED_HOSTS required (environment or .env), checked first, in one line. Without DATABASE_URL (environment
# or .env) it serves the embedded database, whose URLs are exported from .localdb/database.env here: the
# production settings never read .localdb themselves.
PRODUCTION_ENV = if [ -z "$$DATABASE_URL" ] && ! grep -Eqs '^(export )?DATABASE_URL=.' .env; then \
	    $(PY) scripts/localdb.py start && set -a && . ./.localdb/database.env && set +a || exit 1; \
	fi; \
	$(PY) -c 'import sys; sys.tracebacklimit = 0; import callbot_site.settings.production' || exit 1

serve: export DJANGO_SETTINGS_MODULE = callbot_site.settings.production
serve: $(VENV)/.installed
	@$(PRODUCTION_ENV); \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput --verbosity 0 && \
	exec $(VENV)/bin/gunicorn callbot_site.wsgi:application -c python:callbot_site.logging_gunicorn

# The background-job worker with the production settings and the environment of `serve` (docs/deployment.md,
# "Background jobs"); run one or more beside `serve`. Stops gracefully on SIGTERM/Ctrl-C.
worker: export DJANGO_SETTINGS_MODULE = callbot_site.settings.production
worker: $(VENV)/.installed
	@$(PRODUCTION_ENV); \
	exec $(PY) manage.py procrastinate worker

browsers:
	@scripts/install_chromium.sh

# Debian's pgbouncer for the PgBouncer tests and bench rows; without it they are skipped with the reason printed.
pgbouncer:
	-@scripts/install_pgbouncer.sh

# pytest-xdist workers: the suite mostly waits (servers, worker processes, Chromium, a 2-minute outage), so more
# workers than cores pay. Whole files go to one worker (schemathesis' tests spread out: tests/conftest.py); each
# worker has its own test databases (…_gw0, …_gw1), copies of a migrated template kept between runs
# (tests/database_templates.py). The bench's smoke run is one of the tests (tests/bench/test_smoke.py).
PYTEST_WORKERS ?= 4

test: db browsers pgbouncer
	$(VENV)/bin/lint-imports --no-logo
	DJANGO_SETTINGS_MODULE=callbot_site.settings.test $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile  # pytest-django prefers the environment to pyproject

# The full bench installs its peer baseline first (dlt, the `bench` extra; not needed by bench-smoke).
bench: db pgbouncer
	$(PY) -m pip install --quiet -c requirements.lock -e '.[bench]'
	$(PY) -m bench

# Cost as the data grows: 10k / 100k / 1M (8 min on a quiet machine, ~30 loaded); writes bench/results/growth.md.
bench-growth: db
	$(PY) -m bench --growth

# schemathesis with every check against a seeded local server (docs/api.md, "An exact contract"); ~5 min.
contract: db
	$(PY) scripts/contract_check.py

# Also a test (tests/bench/test_smoke.py), run by `make test` beside the others.
bench-smoke: db
	BENCH_DB_SUFFIX=_smoke $(PY) -m bench --smoke

stop: $(VENV)/.installed
	$(PY) scripts/localdb.py stop

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

clean: stop
	rm -rf .localdb $(VENV)
