# The whole set-up is `make demo` and `make test`; both build .venv on first use.
# python3.11 when present, else any python3 that is 3.11 or newer (PYTHON=… overrides).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
# the demo needs the package alone; the tests add the dev tools and every destination's driver
BASE_STAMP := $(VENV)/.installed-base
STAMP := $(VENV)/.installed
# dbt in a virtualenv of its own: its pins clash with the dev tools' (tests/test_dbt_package.py)
DBT_VENV := .venv-dbt
DBT_STAMP := $(DBT_VENV)/.installed

.PHONY: test test-fast lint types demo bench soak clean

$(BASE_STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: no python3 found; install Python 3.11 or newer" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "make: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); hs_extract needs 3.11 or newer (make PYTHON=/path/to/python3.11)" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(BASE_STAMP)

$(STAMP): $(BASE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,duckdb,s3,dagster,docs]'
	touch $(STAMP)

$(DBT_STAMP): pyproject.toml .ci/dbt-constraints.txt
	test -x $(DBT_VENV)/bin/python || $(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DBT_VENV)/bin/python -m pip install --quiet -e '.[dbt]' -c .ci/dbt-constraints.txt
	touch $(DBT_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check hs_extract tests bench examples
	$(BIN)/ruff format --check hs_extract tests bench examples
	$(BIN)/mypy

demo: $(BASE_STAMP)
	$(BIN)/hs-extract demo --out hs_demo

# four workers on two cores: most tests wait on sockets, a simulator or a database
test: lint $(DBT_STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n 4

# the developer's loop: unit, client-against-simulator and SQLite pipeline tests (markers
# the suite applies itself, tests/conftest.py), a few Hypothesis examples
test-fast: $(STAMP)
	HYPOTHESIS_PROFILE=dev $(BIN)/python -m pytest -n 4 -q \
		-m "not postgres and not duckdb and not subprocess and not slow"

# the crash campaign five times longer, on new seeded points, and the fault campaign
soak: $(STAMP)
	HS_CRASH_CASES=100 HS_CRASH_SEED=$$(date +%s) CI=true $(BIN)/python -m pytest -q \
		tests/test_crash_points.py tests/test_faults.py tests/test_pipeline_crash.py

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DBT_VENV) build *.egg-info .pytest_cache .ruff_cache
