# The two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test bench lighthouse lint format check-migrations ci clean

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
	@echo "  Reader page:   http://$(HOST):$(PORT)/articles/what-causes-restless-legs-syndrome/"
	@echo "  Articles API:  http://$(HOST):$(PORT)/api/v1/articles/"
	@echo "  Demo article:  http://$(HOST):$(PORT)/api/v1/articles/what-causes-restless-legs-syndrome/"
	@echo "  API docs:      http://$(HOST):$(PORT)/api/docs/  (OpenAPI: /api/schema/)"
	@echo "  Admin:         http://$(HOST):$(PORT)/admin/  (user admin, password admin; development only)"
	@echo "  A task worker runs beside the server (moderator emails); it stops with it."
	@echo ""
	@$(BIN)/python manage.py tasks_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production: gunicorn with DEBUG off (SECRET_KEY and ALLOWED_HOSTS required;
# see the README's Production section). Task workers run apart:
# `manage.py tasks_worker` (the database queue, or RQ with REDIS_URL).
serve: $(VENV)/.runtime.stamp
	DEBUG=$${DEBUG:-false} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-false} $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	DEBUG=$${DEBUG:-false} $(BIN)/gunicorn -c rls_cms/gunicorn.conf.py rls_cms.wsgi

# axe-core for the accessibility test and Lighthouse for `make lighthouse`, from
# the npm registry, pinned by the lock file (one npm ci installs both).
E2E_AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(E2E_AXE): tests/e2e/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the accessibility test in tests/e2e will be skipped."; \
	fi

# Spectral, openapi-typescript, openapi-fetch and TypeScript for the contract
# tests (tests/contract), pinned by their lock file.
CONTRACT_TOOLS := tests/contract/node_modules/.bin/tsc
$(CONTRACT_TOOLS): tests/contract/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/contract --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the contract tests in tests/contract will be skipped."; \
	fi

test: $(VENV)/.dev.stamp $(E2E_AXE) $(CONTRACT_TOOLS)
	@[ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || \
		echo "Chromium not found: the browser tests in tests/e2e will be SKIPPED (apt-get install -y chromium)."
	$(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/.bench.stamp: bench/requirements.txt $(VENV)/.dev.stamp
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@

# gunicorn driven by wrk at 100, 10,000 and 100,000 articles (about 6 minutes),
# then the editor's admin pages (about a minute), the moderators' side:
# 40,000 disallowed terms and 100,000 pending comments (about 4 minutes), and
# the cache's set and get at 1,000 to 100,000 entries (about a minute);
# BENCH_ARGS="--sizes 100,1000 --full 1000" for a quick look. See bench/README.md.
bench: $(VENV)/.bench.stamp
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/admin_pages.py $(ADMIN_BENCH_ARGS)
	$(BIN)/python bench/moderation.py $(MODERATION_BENCH_ARGS)
	$(BIN)/python bench/cache.py $(CACHE_BENCH_ARGS)
	$(BIN)/python bench/housekeeping.py $(HOUSEKEEPING_BENCH_ARGS)

# Lighthouse (tests/e2e's npm packages) on the reader pages, served by gunicorn
# as in production: 2 pages x mobile and desktop x 3 runs (about 3 minutes);
# exits 1 when a score misses its target. LIGHTHOUSE_ARGS="--runs 1 --no-check"
# for a quick look. See bench/README.md.
lighthouse: $(VENV)/.runtime.stamp $(E2E_AXE)
	$(BIN)/python bench/lighthouse.py $(LIGHTHOUSE_ARGS)

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
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles .cache .pytest_cache .ruff_cache
