# The developer workflow. `make test` and `make demo` are the contract: they work on a fresh machine
# with only Python 3.11 and the OS, installing everything they need into .venv/.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
TEST_PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard tests/plugins/*/pyproject.toml))
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto
# The cloud `make demo` runs on: aws (an emulator), or any cloud whose plugin registers a stand-in.
CLOUD ?= aws

.PHONY: install test demo bench lint clean checkov

install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt $(addsuffix /pyproject.toml,$(PLUGIN_DIRS) $(TEST_PLUGIN_DIRS))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -e . $(addprefix -e ,$(PLUGIN_DIRS) $(TEST_PLUGIN_DIRS))
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The demo runs the kops a user installs: kops-core and plugins/ as built distributions (not editable), without the
# test plugins, in a virtualenv of its own; it is rebuilt when their sources change.
DEMO_VENV := .venv-demo
DEMO_SOURCES := $(shell find core $(PLUGIN_DIRS) \( -name build -o -name tests -o -name __pycache__ \) -prune -o \
                  -type f \( -name '*.py' -o -name '*.j2' -o -name '*.yaml' -o -name '*.go' -o -name pyproject.toml \) -print)

# Each plugin with its stand-ins (its ``testing`` extra, where it has one), so `make demo CLOUD=NAME` can start them.
DEMO_PLUGINS := $(foreach d,$(PLUGIN_DIRS),'./$(d)$(if $(shell grep -l '^testing *=' $(d)/pyproject.toml),[testing])')

$(DEMO_VENV)/.installed: pyproject.toml $(DEMO_SOURCES)
	test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install -q --upgrade pip
	$(DEMO_VENV)/bin/python -m pip install -q . $(DEMO_PLUGINS)
	touch $@

demo: $(DEMO_VENV)/.installed
	CLOUD=$(CLOUD) $(DEMO_VENV)/bin/python demo/run.py

bench: install
	$(BIN)/python bench/run.py

lint: install
	$(BIN)/ruff check core plugins tests bench
	$(BIN)/mypy core

# Compliance scan: checkov on the Terraform written for upstream's privatecalico fixture and on upstream's
# own Terraform for it. Fails unless ours fails at most a third as many checks, in proportion. checkov
# lives in its own venv: its pins conflict with the project's and it is no test requirement.
CHECKOV_VENV := .venv-checkov
KOPS_FIXTURES ?= $(abspath ../shared/fixtures/kops)
CHECKOV_CLUSTER := privatecalico
CHECKOV_OUT := build/checkov

$(CHECKOV_VENV)/.installed:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install -q checkov
	touch $@

checkov: install $(CHECKOV_VENV)/.installed
	rm -rf $(CHECKOV_OUT) && mkdir -p $(CHECKOV_OUT)/home
	cp -r $(KOPS_FIXTURES)/update_cluster/$(CHECKOV_CLUSTER) $(CHECKOV_OUT)/upstream
	rm -f $(CHECKOV_OUT)/upstream/in-v1alpha2.yaml $(CHECKOV_OUT)/upstream/id_rsa.pub
	export PATH=$(abspath $(BIN)):$$PATH HOME=$(abspath $(CHECKOV_OUT))/home \
	    KOPS_STATE_STORE=file://$(abspath $(CHECKOV_OUT))/store && \
	  kops create -f $(KOPS_FIXTURES)/update_cluster/$(CHECKOV_CLUSTER)/in-v1alpha2.yaml >/dev/null && \
	  kops create sshpublickey $(CHECKOV_CLUSTER).example.com \
	    -i $(KOPS_FIXTURES)/update_cluster/$(CHECKOV_CLUSTER)/id_rsa.pub >/dev/null && \
	  kops update cluster $(CHECKOV_CLUSTER).example.com --target terraform --out $(CHECKOV_OUT)/ours --yes >/dev/null
	for side in ours upstream; do \
	  $(CHECKOV_VENV)/bin/checkov -d $(CHECKOV_OUT)/$$side --framework terraform --quiet --compact -o json \
	    > $(CHECKOV_OUT)/$$side.json 2>/dev/null; \
	  test -s $(CHECKOV_OUT)/$$side.json || exit 1; \
	done
	$(BIN)/python bench/checkov_compare.py $(CHECKOV_OUT)/ours.json $(CHECKOV_OUT)/upstream.json

clean:
	rm -rf $(VENV) $(DEMO_VENV) $(CHECKOV_VENV) build dist *.egg-info
