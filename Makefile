# The two commands: `make run` (serve the portal with its worker and beat) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := portal.settings

.PHONY: run test lint format bench faults screenshots install install-dev messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py init_dev_pki
	$(BIN)/python manage.py loaddemo
	@echo "Portal: http://127.0.0.1:$(PORT)/   (Ctrl-C stops the web server, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) $(BIN)/honcho -f Procfile start

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

# Recovery from each delivery fault of issue 14 (PostgreSQL, Redis, redis-server), measured.
faults: $(VENV)/.installed-dev
	$(BIN)/python -m tests.bench faults

# The README's pictures (docs/screenshots/), taken again by the browser tests: the story needs
# PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL) and Chromium.
screenshots: $(VENV)/.installed-dev
	README_SCREENSHOTS=1 REQUIRE_SERVICES=1 $(BIN)/pytest tests/e2e/test_story.py \
		tests/e2e/test_accessibility.py -k "sample_letter or phone" $(PYTEST_ARGS)

# The catalogue tools need no production secret.
messages: export DEBUG ?= 1
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l vi --ignore=.venv

clean:
	rm -rf var/celery var/mail
