# The two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check-migrations ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.runtime.stamp: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev.stamp: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime.stamp

run: $(VENV)/.runtime.stamp
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo --keep-existing
	$(BIN)/python manage.py demo_admin
	@echo ""
	@echo "  rls_cms is serving at http://$(HOST):$(PORT)/"
	@echo "  Articles API:  http://$(HOST):$(PORT)/api/v1/articles/"
	@echo "  Demo article:  http://$(HOST):$(PORT)/api/v1/articles/what-causes-restless-legs-syndrome/"
	@echo "  API docs:      http://$(HOST):$(PORT)/api/docs/  (OpenAPI: /api/schema/)"
	@echo "  Admin:         http://$(HOST):$(PORT)/admin/  (user admin, password admin; development only)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev.stamp
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev.stamp
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: $(VENV)/.dev.stamp
	$(BIN)/python manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles .pytest_cache .ruff_cache
