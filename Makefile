# The two commands: `make run` (set up, seed demo data, serve) and `make test` (set up, run the whole suite).
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
VAR_DIR ?= var
export VAR_DIR HOST PORT

PY := $(VENV)/bin/python

.PHONY: run test lint setup migrate clean axe compat bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { echo "python3-venv is missing: apt-get install python3-venv"; exit 1; }
	@command -v qemu-img >/dev/null || echo "note: qemu-img not found (apt-get install qemu-utils); image import needs it"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

migrate: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py load_metadefs -v0
	$(PY) manage.py run_console --host $(HOST) --port $(PORT)

# Side by side with OpenStack Glance (../shared/peers/glance, in GLANCE_VENV) on the same work; prints the ratios
# with their goals. Each server gets a temporary folder of its own. BENCH_ARGS: e.g. --size-mib 256 --rounds 1.
bench: migrate
	$(PY) bench/vs_glance.py $(BENCH_ARGS)

# Tests keep their files (test database, broker folder) apart from the data `make run` serves.
test: override VAR_DIR := $(VAR_DIR)/test
test: setup axe lint
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) -m pytest $(PYTEST_ARGS)

# The compat tier: OpenStack Tempest's image v2 API tests against a live server, Tempest in its own venv (PyPI).
# The run starts from an empty data folder of its own (VAR_DIR/tempest), outside which Tempest's venv lives.
TEMPEST_VENV ?= var/tempest-venv
compat: override VAR_DIR := $(VAR_DIR)/tempest
compat: setup
	@test -x $(TEMPEST_VENV)/bin/tempest || { $(PYTHON) -m venv $(TEMPEST_VENV) && \
		$(TEMPEST_VENV)/bin/pip install --quiet 'tempest==47.0.0'; }
	TEMPEST_VENV=$(abspath $(TEMPEST_VENV)) $(PY) tests/compat/tempest/run_tempest.py

# axe-core (npm, test only) for the browser accessibility tests; without npm they are skipped with the reason.
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser/axe --no-audit --no-fund --silent && touch $@; \
	else echo "note: npm not found (apt-get install npm); the accessibility tests will be skipped"; fi

# The house rules that a machine can check: lint, format and the layer contracts (pyproject.toml).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) var .pytest_cache
