# Referral Desk: `make run` to try it, `make test` to check it, `make serve` in production. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-fast lint format install worker bench

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt '.[dev]'
	@touch $@

install: $(VENV)/.installed

# Links in messages point at the address being served unless SITE_URL says otherwise. `exec`:
# SIGTERM to make reaches bin/run-dev itself (no shell in between), which stops both children.
run: export SITE_URL ?= http://$(HOST):$(PORT)
# Production is the default (see README); these development targets opt out of it.
run worker: export DEBUG ?= true
test test-fast: export DEBUG = true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo --if-empty
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) exec bin/run-dev

# Production on this host (README, "Running in production"): DEBUG stays off, SECRET_KEY,
# ALLOWED_HOSTS, SITE_URL and DATABASE_URL come from the environment; gunicorn runs
# WEB_CONCURRENCY processes beside the worker. SIGTERM stops both.
serve: install
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) exec bin/serve

worker: install
	$(PY) manage.py worker

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser and not postgres"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every figure of issue 12 in one run on PostgreSQL, printed as one table (bench/run_all.py).
# Not part of `make test`. Needs wrk (Debian/Ubuntu: apt-get install wrk) and a database it may
# empty: BENCH_DATABASE_URL (the analytics data set is built once in BENCH_ANALYTICS_DATABASE_URL).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/referral_desk_bench
BENCH_ANALYTICS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/referral_desk_bench_analytics
bench: install
	@command -v wrk >/dev/null || { echo "wrk is missing; install it: sudo apt-get install wrk"; exit 1; }
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) \
	BENCH_ANALYTICS_DATABASE_URL=$(BENCH_ANALYTICS_DATABASE_URL) $(PY) bench/run_all.py
