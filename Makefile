# Two entry points, both safe on a fresh machine: `make demo` and `make test`.
# Each creates the virtual environment from the pinned requirements when it is missing or
# out of date, then runs.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all

.PHONY: demo test lint docs dag clean

$(STAMP): requirements.txt requirements-dev.txt requirements-cluster.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt \
		-r requirements-cluster.txt
	touch $(STAMP)

## demo: set up and run the built-in demo end to end (results/ and logs/).
demo: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

## test: set up and run the unit and workflow tests, lint and format checks included,
## plus the real SLURM cluster and S3 server tests (started by the tests themselves).
test: $(STAMP)
	bash tools/system-deps.sh
	$(BIN)/python -m pytest -q tests

## lint: snakemake --lint and snakefmt --check.
lint: $(STAMP)
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check .

## docs: regenerate docs/configuration.md (from the schema) and the format table of
## docs/inputs.md (from the format registry).
docs: $(STAMP)
	$(BIN)/python tools/config_docs.py
	$(BIN)/python tools/format_docs.py

## dag: draw the rule graph to docs/rulegraph.svg (needs graphviz's dot).
dag: $(STAMP)
	$(BIN)/snakemake --rulegraph | dot -Tsvg > docs/rulegraph.svg

clean:
	rm -rf results logs resources/demo .snakemake
