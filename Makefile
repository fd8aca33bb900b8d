# The two commands of the README: `make maps` (the main job) and `make test`.
# Each creates .venv if missing and installs the project from the package registries.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: venv maps test lint format bench fidelity clean browser mutants


$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

maps: $(STAMP)
	$(BIN)/corridors validate
	$(BIN)/corridors maps --out-dir maps

# Debian's Chromium for the browser tests of the maps (Playwright drives /usr/bin/chromium),
# and poppler-utils (pdfinfo, pdftotext) for the test of the PDF brief.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "note: chromium or poppler-utils is missing and cannot be installed here; browser tests will skip"; fi; }

test: $(STAMP) lint browser
	$(BIN)/python -m pytest --cov=corridors --cov-report=term:skip-covered

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Mutation testing of the core modules ([tool.mutmut] in pyproject.toml); hours on 2 cores,
# so not part of make test. MUTANTS= limits the run, e.g. MUTANTS='corridors.analysis.timemodel*'.
mutants: $(STAMP)
	$(BIN)/mutmut run $(MUTANTS)
	$(BIN)/python benchmarks/mutants.py

# The validation table: modelled lengths against published ones (writes benchmarks/FIDELITY.md).
fidelity: $(STAMP)
	$(BIN)/corridors fidelity --out benchmarks/FIDELITY.md

clean:
	rm -rf $(VENV) geodata/cache
