# The README's two commands: `make plan` and `make test`. Both set everything up from scratch.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup plan plan-json test lint bench clean deploy browser

$(STAMP): requirements.txt requirements-dev.txt functions/authorizer/requirements.txt functions/presigned_url/requirements.txt client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

## The offline plan of every stack (shared first, then every lob-*), under Pulumi mocks.
plan: $(STAMP)
	$(PY) -m tools.plan

plan-json: $(STAMP)
	$(PY) -m tools.plan --json plan.json

## Lint, format and types (pyproject.toml), then the tests.
test: lint
	$(PY) -m pytest

## Debian's chromium and chromium-driver for the sign-in page's browser test (tests/e2e/test_sign_in_page.py),
## installed with apt-get when missing; nothing is downloaded at test time. .ci/run runs it before the tests.
browser:
	.ci/install-browser

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy components functions policy contracts tools testkit bench client/src __main__.py

## Real accounts, with the Pulumi Automation API (needs the pulumi CLI, a backend login and AWS
## credentials): every stack in dependency order. make deploy ARGS="preview --stack lob-a"
deploy: $(STAMP)
	$(PY) -m tools.deploy $(or $(ARGS),up)

## A deployed system checked link by link, read-only, in every account (docs/doctor.md):
## make doctor ARGS="--role-arn shared=arn:aws:iam::111111111111:role/studio-access-doctor ..."
.PHONY: doctor
doctor: $(STAMP)
	$(PY) -m tools.doctor $(ARGS)

## The handlers' benchmarks; the JWT libraries compared with joserfc are installed for it only.
bench: $(STAMP)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) -m bench

clean:
	rm -rf $(VENV) plan.json .pytest_cache .hypothesis
