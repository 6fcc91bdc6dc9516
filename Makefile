# Quickstart: `make run` (app with demo data) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app.py

.PHONY: run test test-pg test-pg-pass lint install assets browser translations messages migrate seed bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(MAKE) --no-print-directory assets translations browser

assets:
	@bash scripts/install-assets.sh

# Debian's Chromium for tests/browser (apt-get, only when /usr/bin/chromium is missing).
browser:
	@bash scripts/install-browser.sh

translations:
	$(BIN)/pybabel compile -f -d community/translations

# Extract every message (templates/_macros included) and merge it into each locale's catalog.
messages:
	$(BIN)/python scripts/messages.py

migrate:
	$(BIN)/flask db upgrade

seed:
	$(BIN)/flask demo seed --if-empty

# scripts/gunicorn_run.py prints the address once the server answers.
run: install migrate seed
	@echo "  Starting 共创社区 (its address is printed once it answers)…"
	$(BIN)/gunicorn -c scripts/gunicorn_run.py --worker-class gthread -w 1 --threads 100 -b $(HOST):$(PORT) --access-logfile - app:app

# The whole suite on SQLite, then the tests that use the `app` fixture (services and HTTP) again
# on a real PostgreSQL (they skip, saying why, when no server answers at TEST_POSTGRES_URL).
test: install lint
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) --no-print-directory test-pg-pass

test-pg: install test-pg-pass

test-pg-pass:
	TEST_DATABASE=postgresql $(BIN)/python -m pytest -n 2 -q

# Lint and import order (ruff), then the layers of docs/architecture.md (import-linter).
lint:
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) node_modules community/static/vendor
