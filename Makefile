# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run   - virtualenv, install, migrate, demo data, serve on the embedded default
#   make test  - the test suite (CI=true: real PostgreSQL, Redis, Celery worker, Chromium)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

ifeq ($(CI),true)
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/retorno
export REDIS_URL ?= redis://127.0.0.1:6379/15
endif

.PHONY: run test lint format messages clean requirements backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

# requirements*.txt are compiled from requirements*.in with hashes; edit the .in files, then run this.
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-find-links --no-emit-index-url
requirements: $(VENV)/.dev-deps
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Retorno Productivo is running at http://$(HOST):$(PORT)/"
	@echo "  Admin (officers, approvers, analysts): http://$(HOST):$(PORT)/admin/"
	@echo "  Embedded default: SQLite (db.sqlite3), Celery eager, emails printed here."
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# One archive (pg_dump + stored files) into BACKUP_DIR; its path is the last line printed.
backup: $(VENV)/.run-deps
	@$(BIN)/python manage.py backup

# make restore FILE=var/backups/retorno-....tar [FORCE=1 to replace a database that is not empty]
restore: $(VENV)/.run-deps
	@test -n "$(FILE)" || { echo "usage: make restore FILE=path/to/backup.tar [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy applicants loans portal
	$(BIN)/bandit -q -c pyproject.toml -r applicants loans portal --severity-level high
	$(BIN)/python scripts/pip_audit.py

format: $(VENV)/.dev-deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemessages -l es -l en --no-location --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests --ignore=benchmarks
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 test-db.sqlite3 staticfiles var
