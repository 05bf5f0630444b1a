# InsureMall developer entry points. `make` (or `make help`) lists the targets.
#
# Every public target installs what it needs first. Installs are recorded in stamp files that depend on
# the manifests, so a second run is fast and a changed requirements/package file triggers a re-install:
#   .venv/.installed                <- requirements/{runtime,dev,lock}.txt   (our Python deps)
#   .tools/sam/.installed           <- tools/sam-requirements.txt, tools/sam-lock.txt (SAM CLI, own venv)
#   tools/node_modules/.installed   <- tools/package.json, tools/package-lock.json (asl-validator, lighthouse, axe-core)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

PORT ?= 8080
SQL ?=
SCHEDULE ?=
DATE ?=
TEMPLATE ?= infra/template.yaml
ASL_FILES ?= $(wildcard infra/statemachines/*.asl.json)
# Test folders that exist (git does not keep empty folders, so a fresh clone may lack one).
UNIT_TESTS := $(wildcard tests/unit tests/integration)
E2E_TESTS := $(wildcard tests/e2e)

VENV := .venv
VENV_PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
PY_REQS := requirements/runtime.txt requirements/dev.txt requirements/lock.txt

SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM_REQS := tools/sam-requirements.txt tools/sam-lock.txt

NODE_DIR := tools/node_modules
NODE_STAMP := $(NODE_DIR)/.installed
ASL_VALIDATOR := $(NODE_DIR)/.bin/asl-validator

CHROMIUM := /usr/bin/chromium

# Same import roots as the Lambda runtime (function code + common layer) and pytest's `pythonpath`.
PY_PATH := PYTHONPATH=$(CURDIR)/functions:$(CURDIR)/layers/common/python:$(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

# Offline-friendly environment for SAM CLI: it wants a region and credentials even for local work.
SAM_ENV := env -u AWS_PROFILE -u AWS_SESSION_TOKEN AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing SAM_CLI_TELEMETRY=0

# This machine's pip config points at extra file:// indexes that do not exist; drop pip's noise about them.
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }

say = @printf '==> %s\n' "$(1)"

# Pick python3.11, else python3 if it is 3.11 or newer (evaluated in the recipe, only when needed).
define find_python
py=""; \
for cand in python3.11 python3; do \
  if command -v "$$cand" >/dev/null 2>&1 && \
     "$$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then \
    py="$$cand"; break; \
  fi; \
done; \
if [ -z "$$py" ]; then echo "error: Python 3.11+ not found (need python3.11 or python3 >= 3.11 on PATH)" >&2; exit 1; fi
endef

.PHONY: help venv run test lint lint-ruff lint-cfn lint-sam lint-asl bench lighthouse fire deploy clean \
	sam-tools node-tools browser sam-lock contract unit lint-imports query

help: ## List the targets
	@echo "InsureMall make targets:"
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PORT=$(PORT) (run), SCHEDULE=<name> (fire), OPEN_BROWSER=0 (run: no browser tab), TEMPLATE=$(TEMPLATE)"

# ---------------------------------------------------------------------------------------------------------
# Setup (internal targets; the public ones depend on them)

venv: $(VENV_STAMP)

$(VENV_STAMP): $(PY_REQS)
	@$(find_python); \
	if [ -x $(VENV_PY) ] && ! $(VENV_PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then \
	  echo "==> $(VENV) is broken or older than Python 3.11: recreating it"; rm -rf $(VENV); \
	fi; \
	if [ ! -x $(VENV_PY) ]; then \
	  echo "==> creating virtual environment in $(VENV) ($$("$$py" --version))"; \
	  "$$py" -m venv $(VENV); \
	fi
	$(call say,upgrading pip in $(VENV))
	@$(VENV_PY) -m pip install --quiet --upgrade pip $(PIP_QUIET)
	$(call say,installing pinned Python dependencies (requirements/dev.txt with requirements/lock.txt))
	@$(VENV_PY) -m pip install --quiet -r requirements/dev.txt -c requirements/lock.txt $(PIP_QUIET)
	@touch $@

sam-tools: $(SAM_STAMP)

# SAM CLI pins its own boto3/cfn-lint/etc., which clash with ours, so it lives in its own venv.
$(SAM_STAMP): $(SAM_REQS)
	@$(find_python); \
	if [ ! -x $(SAM_VENV)/bin/python ]; then \
	  echo "==> creating SAM CLI virtual environment in $(SAM_VENV)"; \
	  mkdir -p $(dir $(SAM_VENV)); "$$py" -m venv $(SAM_VENV); \
	fi
	$(call say,installing pinned SAM CLI into $(SAM_VENV) (tools/sam-requirements.txt; takes ~45 s the first time))
	@$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip $(PIP_QUIET)
	@$(SAM_VENV)/bin/python -m pip install --quiet -r tools/sam-requirements.txt -c tools/sam-lock.txt $(PIP_QUIET)
	@touch $@

# Regenerate tools/sam-lock.txt after bumping aws-sam-cli in tools/sam-requirements.txt.
sam-lock:
	$(call say,resolving tools/sam-requirements.txt from scratch into $(SAM_VENV))
	@$(find_python); rm -rf $(SAM_VENV); mkdir -p $(dir $(SAM_VENV)); "$$py" -m venv $(SAM_VENV)
	@$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip $(PIP_QUIET)
	@$(SAM_VENV)/bin/python -m pip install --quiet -r tools/sam-requirements.txt $(PIP_QUIET)
	@{ echo "# Full pip freeze of .tools/sam (constraints for tools/sam-requirements.txt). Regenerate with:"; \
	   echo "#   make sam-lock"; \
	   $(SAM_VENV)/bin/python -m pip freeze --all | grep -viE '^(pip|setuptools|wheel)=='; } > tools/sam-lock.txt
	@touch $(SAM_STAMP)
	$(call say,wrote tools/sam-lock.txt)

node-tools: $(NODE_STAMP)

$(NODE_STAMP): tools/package.json tools/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found: install Node.js 20+ (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	$(call say,installing pinned npm tools into $(NODE_DIR) (npm ci --prefix tools))
	@npm ci --prefix tools --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's Chromium for the Playwright browser test (Playwright's own browser download cannot work here).
browser:
	@if [ -x $(CHROMIUM) ]; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> installing Debian's chromium (for the browser e2e test)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; \
	  echo "==> $$($(CHROMIUM) --version 2>/dev/null || echo chromium) installed"; \
	else \
	  echo "==> WARNING: $(CHROMIUM) is missing and cannot be installed automatically (needs root and apt-get)."; \
	  echo "    Install it yourself (Debian/Ubuntu: sudo apt-get install chromium); the browser e2e test needs it."; \
	fi

# ---------------------------------------------------------------------------------------------------------
# Public targets

run: $(VENV_STAMP) ## Run the local platform (storefront + API on embedded AWS); PORT=8080, OPEN_BROWSER=0 for no tab
	$(call say,starting the local platform on port $(PORT) (Ctrl-C to stop))
	@# The trap keeps bash alive when Ctrl-C reaches python (the whole foreground group gets SIGINT), so an
	@# interrupted run ends with status 0 and make prints no "*** Interrupt" / "Error 130".
	@trap ':' INT; \
	$(PY_PATH) $(if $(OPEN_BROWSER),OPEN_BROWSER='$(OPEN_BROWSER)') $(VENV_PY) -m local.platform --port $(PORT) || rc=$$?; \
	case "$${rc:-0}" in 0|130) exit 0 ;; *) exit "$$rc" ;; esac

unit: $(VENV_STAMP) ## Domain and use-case tests only: no embedded AWS, a few seconds
	@$(VENV)/bin/pytest tests/unit

test: $(VENV_STAMP) ## Lint, then unit+integration tests, then e2e tests (installs chromium if missing and root)
	@failed=""; summary=""; \
	stage() { local name="$$1" t0=$$SECONDS rc=0; shift; "$$@" || rc=$$?; \
	  if [ $$rc -eq 0 ]; then summary+="$$(printf '    %-18s ok      %4ds' "$$name" $$((SECONDS - t0)))"$$'\n'; \
	  else failed+=" $$name"; \
	    summary+="$$(printf '    %-18s FAILED  %4ds  (exit %d%s)' "$$name" $$((SECONDS - t0)) $$rc \
	      "$$( [ $$rc -eq 5 ] && echo ': pytest collected no tests')")"$$'\n'; fi; }; \
	stage lint $(MAKE) lint; \
	if [ -n "$(UNIT_TESTS)" ]; then \
	  echo "==> running unit and integration tests ($(UNIT_TESTS))"; \
	  stage unit+integration $(VENV)/bin/pytest --durations=10 $(UNIT_TESTS); \
	else echo "==> no tests/unit or tests/integration folder: skipped"; fi; \
	if [ -n "$(E2E_TESTS)" ]; then \
	  $(MAKE) browser; \
	  echo "==> running end-to-end tests ($(E2E_TESTS))"; \
	  stage e2e $(VENV)/bin/pytest --durations=20 $(E2E_TESTS); \
	else echo "==> no tests/e2e folder: skipped"; fi; \
	printf '==> make test summary\n%s' "$$summary"; \
	if [ -n "$$failed" ]; then echo "==> FAILED:$$failed"; exit 1; fi; \
	echo "==> all checks passed"

# `make lint` runs every checker (-k, two at a time, output kept per checker) and fails if any failed.
lint: ## ruff, import-linter, cfn-lint, sam validate --lint and asl-validator; zero errors required
	@$(MAKE) -k -j2 --output-sync=target lint-ruff lint-imports lint-cfn lint-sam lint-asl || { echo "==> lint FAILED"; exit 1; }
	$(call say,lint passed)

lint-ruff: $(VENV_STAMP)
	$(call say,ruff check)
	@$(VENV)/bin/ruff check .

# The boundaries between capabilities (.importlinter): one-way dependencies, doors through api.py, pure domains.
lint-imports: $(VENV_STAMP)
	$(call say,import-linter (.importlinter))
	@$(PY_PATH) $(VENV)/bin/lint-imports --no-logo --no-cache

lint-cfn: $(VENV_STAMP)
	$(call say,cfn-lint $(TEMPLATE))
	@$(VENV)/bin/cfn-lint $(TEMPLATE)

lint-sam: $(SAM_STAMP)
	$(call say,sam validate --lint --template $(TEMPLATE))
	@$(SAM_ENV) $(SAM) validate --lint --template $(TEMPLATE)

lint-asl: $(VENV_STAMP) $(NODE_STAMP)
	$(call say,asl-validator on the substituted state machine definitions)
	@if [ -z "$(strip $(ASL_FILES))" ]; then echo "    no infra/statemachines/*.asl.json: nothing to validate"; exit 0; fi
	@$(VENV_PY) tools/validate_asl.py --template $(TEMPLATE) --validator $(ASL_VALIDATOR) $(ASL_FILES)

contract: $(VENV_STAMP) ## Rebuild the request contract the functions check bodies against, from infra/openapi.yaml
	@$(VENV_PY) tools/build_contract.py

bench: $(VENV_STAMP) ## Run the benchmarks (python -m bench), then the storefront audit (make lighthouse)
	$(call say,running benchmarks)
	@$(PY_PATH) $(VENV_PY) -m bench
	@$(MAKE) lighthouse

# Lighthouse and axe-core on the storefront pages, on a local platform it starts itself; a report (exit 0)
# unless LIGHTHOUSE_ARGS=--strict. Scores go to bench/results/storefront.{json,md}.
LIGHTHOUSE_ARGS ?=
lighthouse: $(VENV_STAMP) $(NODE_STAMP) browser ## Storefront audit: Lighthouse, axe-core, home weight (LIGHTHOUSE_ARGS=--strict)
	$(call say,auditing the storefront: Lighthouse and axe-core in $(CHROMIUM) (about 3 minutes))
	@$(PY_PATH) $(VENV_PY) tools/storefront_audit.py $(LIGHTHOUSE_ARGS)

fire: $(VENV_STAMP) ## Fire a template schedule on the running local platform: make fire SCHEDULE=<name> [DATE=yyyy-mm-dd] [PORT=8080]
	@if [ -z "$(SCHEDULE)" ]; then \
	  echo "usage: make fire SCHEDULE=<name> [PORT=$(PORT)]   (needs 'make run' in another terminal)" >&2; \
	  echo "schedules on the platform at port $(PORT):" >&2; \
	  $(PY_PATH) PORT='$(PORT)' $(VENV_PY) -m local.fire >&2 || true; exit 2; \
	fi
	$(call say,firing schedule $(SCHEDULE) on the local platform at port $(PORT))
	@$(PY_PATH) PORT='$(PORT)' $(VENV_PY) -m local.fire '$(SCHEDULE)' $(DATE)

# The analysts' lake of the running local platform (make run), mirrored into .local-data/lake and queried
# with DuckDB (a dev dependency); the table is Athena's: `events`, partitions type and dt (China day).
query: export QUERY_SQL = $(SQL)
query: $(VENV_STAMP) ## SQL over the local lake with DuckDB: make query SQL="select ... from events where type = 'PolicyIssued'" [PORT=8080]
	@$(PY_PATH) PORT='$(PORT)' $(VENV_PY) -m local.query "$$QUERY_SQL"

# Deploying needs real AWS credentials (AWS_PROFILE or AWS_* variables), and python3 (3.11+, with pip) and
# make on PATH for `sam build` (BuildMethod: makefile; the layer's wheels are cross-installed for the
# Lambda runtime/arm64, so no Docker). It cannot reach AWS from the development sandbox. Settings come from samconfig.toml
# (given explicitly: with --template infra/..., SAM would otherwise look for infra/samconfig.toml).
# The NoEcho parameter PaymentWebhookSecret must be supplied at deploy time, e.g.
#   make deploy DEPLOY_ARGS='--parameter-overrides Stage=prod DeletionProtection=true PaymentWebhookSecret=...'
DEPLOY_ARGS ?=
deploy: $(SAM_STAMP) ## sam build + sam deploy with samconfig.toml (needs AWS credentials)
	$(call say,sam build --template $(TEMPLATE))
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL SAM_CLI_TELEMETRY=0 \
		$(SAM) build --template $(TEMPLATE) --config-file $(CURDIR)/samconfig.toml
	$(call say,sam deploy (stack from samconfig.toml))
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL SAM_CLI_TELEMETRY=0 $(SAM) deploy --template-file .aws-sam/build/template.yaml \
		--config-file $(CURDIR)/samconfig.toml $(DEPLOY_ARGS)

clean: ## Remove .venv, .tools, .aws-sam and tools/node_modules
	$(call say,removing .venv .tools .aws-sam tools/node_modules)
	@rm -rf $(VENV) .tools .aws-sam $(NODE_DIR)
