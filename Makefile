# The two commands of the README: `make run` and `make test`.
# Each creates .venv and installs what it needs from pyproject.toml on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint install bench eval browser screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned to the CPU build, so nothing pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python app.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check rag evals tests app.py benchmarks
	$(BIN)/ruff format --check rag evals tests app.py benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

browser:
	scripts/install-browser.sh

test: lint browser
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules rag
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# While developing: no browser, no real model, no server or CLI in a subprocess (under a minute).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not integration and not slow" -q -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench $(ARGS)

eval: $(STAMP)
	$(BIN)/python -m evals.run $(ARGS)

# Retake the README's screenshots: the browser tests write them under build/screenshots/docs.
screenshots: $(STAMP) browser
	$(BIN)/python -m pytest -q tests/test_browser.py $(PYTEST_ARGS)
	cp build/screenshots/docs/*.png docs/screenshots/
