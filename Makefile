# Palpate: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 found: $PYTHON, python3.13, python3.12, pyenv's, python3.
FIND_PYTHON = for c in "$$PYTHON" python3.13 python3.12 \
	  $$(command -v pyenv >/dev/null 2>&1 && for v in 3.13 3.12; do p=$$(pyenv prefix $$(pyenv versions --bare 2>/dev/null | grep "^$$v" | tail -1) 2>/dev/null) && echo "$$p/bin/python3"; done) \
	  python3; do \
	  [ -n "$$c" ] || continue; \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$c"; exit 0; fi; \
	done; exit 1

.PHONY: help install deps run test test-fast screenshots lint migrate seed bench clean
help:
	@echo "make run   - install, migrate SQLite, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test  - the whole suite (PostgreSQL if one answers on 127.0.0.1:5432, else SQLite)"
	@echo "make lint  - ruff, Django checks, migrations check"

$(STAMP): requirements.txt
	@py=$$($(FIND_PYTHON)) || { echo "Palpate needs Python 3.12 or newer. Install it (Debian/Ubuntu: apt-get install python3.12 python3.12-venv; macOS: brew install python@3.12) or set PYTHON=/path/to/python3.12."; exit 1; }; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

install: $(STAMP) var/dev.env

# Debian packages (chromium, the PDF libraries) and the local PostgreSQL/Redis the suite uses:
# installed or started when this runs as root, otherwise the exact command to run is printed
# and nothing else runs.
deps:
	@scripts/ensure-deps

# Development settings for manage.py in this checkout (config/devenv.py), written by every
# install: the README's commands (and `makemigrations --check`) then work as written, with no
# hand-set variables. A process with DATABASE_URL set ignores the file.
var/dev.env: | $(STAMP)
	$(PY) -m config.devenv $@

migrate: install var/dev.env
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

run: seed
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Database for the tests: DATABASE_URL if set, else PostgreSQL on 127.0.0.1:5432 if it answers,
# else SQLite. Browser tests need Debian's chromium (scripts/ensure-deps installs it).
test: install
	@scripts/ensure-deps
	@if [ -z "$$DATABASE_URL" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
	  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/palpate; fi; \
	if [ -z "$$CELERY_TEST_BROKER_URL" ] && $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null; then \
	  export CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/1; fi; \
	if [ -z "$$DATABASE_URL" ]; then echo "make test: database SQLite (no PostgreSQL answered on 127.0.0.1:5432)"; \
	else echo "make test: database $$(echo $$DATABASE_URL | sed -E 's#//[^@]*@#//#')"; fi; \
	PALPATE_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

# The suite without the browser tests, on whatever database the environment names.
test-fast: install
	@scripts/ensure-deps
	PALPATE_TESTING=1 $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# Refresh the committed screenshots (docs/screenshots) from the browser tests.
screenshots: install
	@scripts/ensure-deps
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots PALPATE_TESTING=1 $(PY) -m pytest -m browser -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PALPATE_TESTING=1 $(PY) manage.py check
	PALPATE_TESTING=1 $(PY) manage.py makemigrations --check --dry-run

bench: install
	@scripts/ensure-deps wrk time
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
