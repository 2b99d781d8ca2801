# filmbot: `make run` and `make test` set everything up on a fresh machine (Python 3.11+ and make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: help setup run demo test lint format poll check-config clean

help:
	@echo "make run           set up and run the bot (console when no Discord/Slack credentials)"
	@echo "make test          set up and run the whole test suite"
	@echo "make demo          run the bot offline on the sample feeds in examples/feeds/"
	@echo "make lint          ruff lint and format check, mypy --strict on bot/"
	@echo "make check-config  validate feeds.yaml and the environment"
	@echo "make clean         remove the virtualenv and caches (keeps ./data)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "filmbot needs Python 3.11 or newer; this is " + sys.version.split()[0] + ". Install it, or run: make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/filmbot run

demo: $(STAMP)
	rm -f data/demo.db data/demo.db-wal data/demo.db-shm
	$(BIN)/filmbot run --config examples/demo.yaml --db data/demo.db

test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-config: $(STAMP)
	$(BIN)/filmbot check-config

poll: $(STAMP)
	$(BIN)/filmbot poll --once

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
