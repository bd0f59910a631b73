# The portal's commands. `make run` and `make test` work on a fresh clone with only Python 3.12.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 8000
# Worker processes `make run` starts, each running CELERY_WORKER_CONCURRENCY tasks in threads: one
# per core, since a process's threads share one core for their Python work (decision 107).
WORKER_PROCESSES ?= 2
PYTEST_ARGS ?=
# Test processes (pytest-xdist), one per core; each test file runs whole in one of them, so a
# file's module fixtures (one Chromium, one simulator) start once. 0 runs everything in this one.
TEST_PROCESSES ?= 2

.PHONY: install run test lint format bench bench-pages bench-ports bench-escalations bench-builds bench-load bench-bulk bench-bulk-ports bench-reconcile lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 12) else f"Python 3.12 is needed; $(PYTHON) is {sys.version.split()[0]}")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

run: install
	mkdir -p var/sim
# Every process writes its metrics here (expoe_portal/metrics.py); emptied at each start.
	rm -rf var/metrics && mkdir -p var/metrics
	$(BIN)/python manage.py migrate --noinput
# The throttles' counts live in the database without Redis (settings: CACHES).
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "EXPO.e provisioning portal: http://127.0.0.1:$(PORT)/  (health: /healthz, metrics: /metrics, API docs: /api/v1/docs/)"
	@echo "Starting web, worker, beat and the BroadWorks, Akixi and Call Cabinet simulators; stop with Ctrl-C."
	PATH="$(BIN):$$PATH" PORTAL_PORT=$(PORT) PROMETHEUS_MULTIPROC_DIR="$(CURDIR)/var/metrics" \
		$(BIN)/honcho --procfile Procfile start --concurrency worker=$(WORKER_PROCESSES)

test: install lint
	$(BIN)/pytest --numprocesses $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

# ruff; the layering of DESIGN.md as import-linter contracts (pyproject.toml); types (mypy).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (docs/benchmarks.md says what each measures). The in-process ones run on SQLite as they
# are, or on PostgreSQL with DATABASE_URL; bench-builds and bench-load need PostgreSQL and Redis
# (DATABASE_URL, REDIS_URL): a real worker, gunicorn and Locust are other processes.
bench: bench-pages bench-ports bench-escalations bench-builds bench-load bench-bulk bench-bulk-ports bench-reconcile

bench-pages: install
	$(BIN)/python bench/run.py

bench-reconcile: install
	$(BIN)/python bench/reconcile.py

bench-ports: install
	$(BIN)/python bench/ports.py

bench-escalations: install
	$(BIN)/python bench/escalations.py

bench-builds: install
	$(BIN)/python bench/builds.py

bench-load: install
	$(BIN)/python bench/load.py

bench-bulk: install
	$(BIN)/python bench/bulk.py

bench-bulk-ports: install
	$(BIN)/python bench/bulk_ports.py

# Re-pin every dependency from pyproject.toml (needs the registry).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.12 -o requirements.lock

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .grimp_cache
