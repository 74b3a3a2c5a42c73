# The two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
# Two installs, one venv: `make run` installs what the bot needs (requirements.lock); `make test`,
# `make lint` and `make bench` add the tools (requirements-dev.lock: ruff, mypy, pytest, Playwright).
# The dev lock pins the runtime packages at the same versions, so installing it satisfies both stamps.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench lock clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(RUN_STAMP)

$(DEV_STAMP): requirements-dev.lock requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(DEV_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/supportbot serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check app bot handlers playground tests bench
	$(BIN)/ruff format --check app bot handlers playground tests bench
	$(BIN)/mypy

pytest: $(DEV_STAMP)
	$(BIN)/python -m pytest

test: lint pytest

bench: $(DEV_STAMP)
	$(BIN)/python bench/kb_eval.py
	$(BIN)/python bench/desk.py
	$(BIN)/python bench/jobs.py
	$(BIN)/python bench/slack_load.py
	$(BIN)/python bench/thread_corpus.py

# Re-pin every dependency after editing pyproject.toml (needs network access to PyPI).
lock: $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
