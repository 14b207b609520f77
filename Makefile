# PianoZona — two commands for a newcomer: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist), at most four workers; `make test PYTEST_ARGS=` runs it in one.
PYTEST_ARGS ?= -n auto --maxprocesses 4

# Debian packages: WeasyPrint's libraries, gettext for the translations, Chromium for the
# browser tests. Installed only when missing and only when we are root (apt works as is).
APT_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext
APT_TEST := chromium

.PHONY: demo test test-fast e2e bench guasti lint audit messages sysdeps sysdeps-test migrate serve clean help

help:
	@echo "make demo   – prepara tutto, carica i dati dimostrativi e avvia http://$(HOST):$(PORT)"
	@echo "make test   – esegue l'intera suite di test"
	@echo "make bench  – esegue i benchmark (vedi BENCHMARKS.md)"
	@echo "make lint   – ruff e controllo delle migrazioni"
	@echo "make audit  – bandit sul codice e pip-audit sulle dipendenze installate (vedi SECURITY.md)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

define apt_install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installo i pacchetti Debian:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Attenzione: mancano i pacchetti Debian$$missing (installali con: sudo apt-get install$$missing)"; \
	  fi; \
	fi
endef

sysdeps:
	$(call apt_install_missing,$(APT_RUNTIME))

sysdeps-test: sysdeps
	$(call apt_install_missing,$(APT_TEST))

messages: $(STAMP) sysdeps
	@$(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput -v 0

demo: $(STAMP) sysdeps messages migrate
	DEBUG=true $(PY) manage.py crea_pki_sviluppo
	DEBUG=true $(PY) manage.py demo
	@echo ""
	@echo "PianoZona è in ascolto su http://$(HOST):$(PORT)/ (Ctrl+C per fermarlo)"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) sysdeps-test messages
	$(PY) manage.py makemigrations --check --dry-run -v 0 --settings=pianozona.settings_test
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) messages
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

e2e: $(STAMP) sysdeps-test messages
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

bench: $(STAMP) sysdeps
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Faults with real processes: a Celery worker killed with kill -9 in the middle of a PDF (needs
# DATABASE_URL=postgres://… for the test database), PostgreSQL restarted under gunicorn (a
# cluster of its own, PostgreSQL 15's initdb). Redis, PostgreSQL and the workers are the tests' own.
guasti: $(STAMP) sysdeps
	PIANOZONA_GUASTI=1 $(PY) -m pytest -p no:cacheprovider tests/guasti

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run --settings=pianozona.settings_test

# Security audit: bandit on the project's code (each accepted finding carries "# nosec <id>" and its reason),
# pip-audit on the installed packages against PyPI's vulnerability data (needs network access;
# --strict: a package that could not be checked fails the audit instead of passing unseen).
audit: $(STAMP)
	$(PY) -m bandit -q -r ambiti accordi tavoli risorse pianozona manage.py -x "*/migrations/*"
	$(PY) -m pip_audit --local --skip-editable --strict --progress-spinner off

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache
