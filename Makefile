# The two commands users need: `make dev` and `make test`. Everything else supports them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Find Python 3.13 (the Lambda runtime we target): $PYTHON, python3.13 on PATH, or pyenv's 3.13.x.
PYTHON ?= $(shell for p in "$$(pyenv prefix 3.13 2>/dev/null | head -n1)/bin/python3.13" \
	$$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 2>/dev/null) \
	"$$(command -v python3.13 2>/dev/null)" /usr/bin/python3.13 /usr/local/bin/python3.13; do \
	[ -x "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: help dev test unit lint build bench browser-deps checkov clean deploy-web

help:
	@echo "make dev    - local stack: moto server + resources from template.yaml + HTTP API on 127.0.0.1:$${PORT:-3000}"
	@echo "make test   - install everything and run the whole test suite"
	@echo "make lint   - ruff, mypy, cfn-lint, sam validate --lint"
	@echo "make build  - sam build"
	@echo "make bench  - benchmarks"
	@echo "make deploy-web STACK=name - after sam deploy: upload web/ and write /config.json (docs/deploy.md)"
	@echo "make checkov - checkov on template.yaml; fails on a failing check docs/security.md does not list"

$(PY):
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then \
		echo "error: Python 3.13 not found. Install it (e.g. 'pyenv install 3.13.0') or run 'make PYTHON=/path/to/python3.13'." >&2; \
		exit 1; fi
	"$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Debian's chromium for the browser tests (playwright cannot download its own browser here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium (apt-get)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

dev: $(STAMP)
	$(VENV)/bin/comments-dev

test: $(STAMP) browser-deps lint
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/comments/comments cli/comments_cli dev/comments_dev
	$(VENV)/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint --template template.yaml --region us-east-1

build: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam build --template template.yaml

bench: $(STAMP)
	$(PY) -m bench

# After `sam deploy`: the widget and the console to the stack's web bucket, /config.json from its outputs.
deploy-web: $(STAMP)
	@if [ -z "$(STACK)" ]; then echo "usage: make deploy-web STACK=<the stack name sam deploy used>" >&2; exit 2; fi
	$(VENV)/bin/comments-deploy-web --stack "$(STACK)" $(if $(REGION),--region "$(REGION)") $(if $(PROFILE),--profile "$(PROFILE)")

# checkov in a virtualenv of its own: in .venv it would downgrade boto3, botocore and packaging.
CHECKOV := .venv-checkov/bin/checkov
$(CHECKOV): $(PY)
	"$(PYTHON)" -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet 'checkov>=3.2,<4'

checkov: $(STAMP) $(CHECKOV)
	@mkdir -p build
	$(CHECKOV) -f template.yaml --framework cloudformation --skip-download -o json --quiet > build/checkov.json || true
	$(PY) .ci/checkov_gate.py build/checkov.json docs/security.md

clean:
	rm -rf $(VENV) .venv-checkov .aws-sam .pytest_cache .ruff_cache .mypy_cache .dev-state
