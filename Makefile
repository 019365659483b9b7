# Helsingborg kontaktcenter chat assistant. `make run` and `make test` set up whatever
# is missing (venv, packages, Swedish spaCy pipeline, database schema, trained model).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
STAMP     := $(VENV)/.installed
SPACY_SV  := models/spacy/sv_kontaktcenter
MODEL     := models/kontaktcenter.tar.gz
TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(SPACY_SV)/meta.json

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning,ignore::FutureWarning
CHROMIUM  ?= /usr/bin/chromium

.PHONY: help setup run shell test check lint typecheck validate unit browser bench clean db secrets constraints \
        cluster test-cluster haproxy

help:
	@echo "make run    - sätt upp det som saknas och starta hela tjänsten lokalt"
	@echo "make test   - sätt upp det som saknas och kör alla kontroller"
	@echo "make check  - snabbt: lint, typkontroll och enhetstester (ingen Chromium, PostgreSQL eller Rasa-server)"
	@echo "make shell  - chatta med assistenten i terminalen"
	@echo "make bench  - kör prestandamätningarna"
	@echo "make cluster - två Rasa-servrar bakom HAProxy mot maskinens PostgreSQL och Redis"
	@echo "make test-cluster - bara klustertestet (två Rasa-servrar, en dödas)"

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@PYTHON=$$(scripts/find_python.sh) || exit 1; \
	  if [ -x $(PY) ] && ! $(PY) -m pip --version >/dev/null 2>&1; then \
	    echo "$(VENV) är ofullständig (avbruten installation?): skapas om"; rm -rf $(VENV); fi; \
	  [ -x $(PY) ] || { echo "Skapar $(VENV) med $$PYTHON"; $$PYTHON -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip==24.0'
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $@

setup: $(STAMP) $(SPACY_SV)/meta.json db secrets

$(SPACY_SV)/meta.json: $(STAMP) scripts/build_spacy_sv.py
	$(PY) scripts/build_spacy_sv.py $(SPACY_SV)

db: $(STAMP)
	@$(BIN)/kontaktcenter db upgrade

secrets: $(STAMP)
	@$(PY) scripts/ensure_secrets.py var/secrets.env

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	$(BIN)/rasa train --quiet --fixed-model-name kontaktcenter --out models

run: setup $(MODEL)
	@scripts/run.sh

shell: setup $(MODEL)
	@set -a; . var/secrets.env; set +a; scripts/run.sh --shell

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

validate: $(STAMP) $(SPACY_SV)/meta.json
	$(BIN)/rasa data validate --fail-on-warnings --quiet

# Unit tests need no trained model, server, browser or PostgreSQL; they make their own
# SQLite databases under pytest's tmp dir, so only the packages are needed.
unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

# The inner loop: lint, type check and unit tests (the full suite is `make test`).
check: lint unit

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installerar Debians chromium för webbläsartesterna"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium saknas ($(CHROMIUM)): installera paketet 'chromium' (apt-get install chromium) eller sätt CHROMIUM=" >&2; exit 1; \
	  fi; \
	fi

# HAProxy in front of several Rasa servers (make cluster, tests/cluster): Debian's package.
haproxy:
	@if ! command -v haproxy >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installerar Debians haproxy för klustret"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	  else \
	    echo "HAProxy saknas: installera paketet 'haproxy' (apt-get install haproxy)" >&2; exit 1; \
	  fi; \
	fi

# The whole suite, the cluster test (tests/cluster) included.
test: setup $(MODEL) lint validate browser haproxy
	KC_CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests

# Two Rasa servers, two action servers, the web server and HAProxy (docs/operations.md).
cluster: setup $(MODEL) haproxy
	@scripts/cluster.sh

test-cluster: setup $(MODEL) haproxy
	$(BIN)/pytest tests/cluster

bench: setup $(MODEL)
	$(PY) bench/bench_calendar.py
	$(PY) bench/bench_dates.py
	$(PY) bench/bench_rest.py
	$(PY) bench/bench_stats.py
	$(PY) bench/bench_training.py
	$(PY) bench/bench_push.py
	$(PY) bench/profile_message.py
	$(PY) bench/bench_vs_stock.py
	$(PY) bench/bench_cluster.py

constraints: $(STAMP)
	@{ echo "# Full resolved set for rasa 3.6.21 on Python 3.10; regenerate with 'make constraints'."; \
	   $(PY) -m pip freeze --exclude-editable | grep -v '^kontaktcenter'; } > constraints.txt

clean:
	rm -rf results artifacts .pytest_cache .mypy_cache
