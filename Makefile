# The developer workflow. `make test` and `make demo` are the contract: they work on a fresh machine
# with only Python 3.11 and the OS, installing everything they need into .venv/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
TEST_PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard tests/plugins/*/pyproject.toml))
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto

.PHONY: install test demo bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt $(addsuffix /pyproject.toml,$(PLUGIN_DIRS) $(TEST_PLUGIN_DIRS))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -e . $(addprefix -e ,$(PLUGIN_DIRS) $(TEST_PLUGIN_DIRS))
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: install
	$(BIN)/python demo/run.py

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check core plugins tests bench
	$(BIN)/mypy core

clean:
	rm -rf $(VENV) build dist *.egg-info
