# Lantern: `make run` to start, `make test` to test. `make help` lists everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV := . scripts/env.sh &&
VENV := .venv/bin

.PHONY: safety-eval
safety-eval: train proxy ## Score the safety evaluation sets end to end over HTTP (SET=eval/safety/<name>; results/safety_eval_*.md)
	@$(ENV) $(VENV)/python -m bench.safety_eval $(SET)

.PHONY: safety-case
safety-case: install ## Check the hazard log (safety_case/hazards.yml) and write docs/safety-case.md
	@$(VENV)/python -m safety_case

.PHONY: routing-eval
routing-eval: train proxy ## Score a routing evaluation set end to end over HTTP (SET=eval/routing/<name>; results/routing_eval_*.md)
	@$(ENV) $(VENV)/python -m bench.routing_eval $(SET)

.PHONY: help install lock train proxy run shell test test-safety test-browser validate lint content-report nlu-report bench bench-load web browser clean purge-intakes

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: ## Create .venv (Python 3.10) and install the locked dependencies
	@scripts/bootstrap.sh

lock: install ## Re-resolve requirements.in and rewrite requirements.lock
	$(VENV)/python -m pip install --quiet -r requirements.in
	$(VENV)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

train: install ## Train the model if domain, config or data changed
	@scripts/train.sh

proxy: ## Install Debian's nginx (the front proxy of make run) when it is missing
	@scripts/install_proxy.sh

web: ## Install the web pages' JavaScript dependencies (npm ci when the lock changed)
	@scripts/install_web.sh

browser: ## Install Debian's chromium for the browser tests (apt-get) when it is missing
	@scripts/install_browser.sh

.PHONY: services
services: ## Install Debian's postgresql and redis-server for the scale-out tests (apt-get) when missing
	@scripts/install_services.sh

run: train web proxy ## Start Lantern: nginx in front, Rasa and action servers, supervised (REST, socket.io, widget, kiosk)
	@scripts/run.sh

shell: train ## Chat in the terminal (Rasa shell) with its own action server; runs beside make run
	@scripts/shell.sh

validate: install ## Check training data and domain (no training needed)
	@$(ENV) $(VENV)/rasa data validate --domain domain --data data --config config.yml --fail-on-warnings --quiet

lint: install ## ruff and mypy
	$(VENV)/ruff check actions lantern tests scripts bench safety_case
	$(VENV)/ruff format --check actions lantern tests scripts bench safety_case
	$(VENV)/mypy actions lantern bench safety_case

test: train web browser services proxy ## Run every test (lint, data validation, unit, safety, stories, servers, browser)
	@$(MAKE) --no-print-directory lint validate
	@$(ENV) $(VENV)/python -m pytest --ignore=tests/browser
	@$(ENV) $(VENV)/python -m pytest tests/browser

test-browser: train web browser ## Only the browser tests (widget, kiosk)
	@$(ENV) $(VENV)/python -m pytest tests/browser

test-safety: train ## Only the safety suite
	@$(ENV) $(VENV)/python -m pytest tests/safety

content-report: install ## Table of every vetted answer: words, grade, sources, review age
	@$(VENV)/python -m actions.content_report

nlu-report: train ## Routing accuracy on the held-out sets (writes results/nlu_report.md)
	@$(ENV) $(VENV)/python -m bench.nlu_report

bench: nlu-report ## All reports: NLU routing, safety screen, risk stage cost, speed/memory/training vs. baseline (results/*.md; ~30 min)
	@$(ENV) $(VENV)/python -m bench.safety_report
	@$(ENV) $(VENV)/python -m bench.risk_cost
	@$(ENV) $(VENV)/python -m bench.perf_report

bench-load: install ## REST load on a running `make run` (1, 10, 50 conversations; no report)
	@$(ENV) $(VENV)/python -m bench.load --url http://localhost:$$LANTERN_PORT

purge-intakes: install ## Delete intake records older than LANTERN_INTAKE_RETENTION_DAYS (default 30)
	@$(ENV) $(VENV)/python -m lantern.intake.store purge

clean: ## Remove the trained model and runtime state (not .venv)
	rm -rf models results var .pytest_cache
