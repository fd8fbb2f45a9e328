# KommunalCampus: `make run` starts everything, `make test` runs all tests.
# Both create whatever is missing: venvs, model folders, the trained Rasa model.

SHELL := /bin/bash
PY311 ?= $(shell command -v python3.11 2>/dev/null || echo /root/.pyenv/versions/3.11.7/bin/python)
PY310 ?= $(shell test -x /root/.pyenv/versions/3.10.13/bin/python && echo /root/.pyenv/versions/3.10.13/bin/python || command -v python3.10)
APP_PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
E5_DIR := var/models/multilingual-e5-small
SPACY_DIR := var/models/spacy-de
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run test setup models rasa-model db lint bench clean browser

run: setup
	$(APP_PY) -m campus.cli.run

test: lint setup browser
	$(APP_PY) -m pytest

setup: .venv/.installed .venv-rasa/.installed models rasa-model db

.venv/.installed: requirements/app.txt
	test -x .venv/bin/python || $(PY311) -m venv .venv
	.venv/bin/pip install --quiet --upgrade "pip==26.3"
	.venv/bin/pip install --quiet -r requirements/app.txt
	touch $@

.venv-rasa/.installed: requirements/rasa.txt
	test -x .venv-rasa/bin/python || $(PY310) -m venv .venv-rasa
	.venv-rasa/bin/pip install --quiet --upgrade "pip==26.3"
	.venv-rasa/bin/pip install --quiet -r requirements/rasa.txt
	touch $@

models: .venv/.installed .venv-rasa/.installed
	$(APP_PY) -m embeddings.model_builder $(E5_DIR)
	.venv-rasa/bin/python -m nlu.spacy_builder $(SPACY_DIR)

rasa-model: models
	$(APP_PY) bot/train_if_changed.py $(RASA)

db: models
	$(APP_PY) -m campus.cli.prepare

# Browser tests drive Debian's Chromium (no browser download by a test tool).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# ruff (style), mypy (strict types), import-linter (the layers in pyproject.toml); `make test` runs it first.
lint: .venv/.installed
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/lint-imports

bench: setup
	$(APP_PY) bench/turn_latency.py

clean:
	rm -rf var/models/rasa var/logs
