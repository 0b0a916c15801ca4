# dothi — two commands on a fresh machine: `make run` (install + nightly refresh on the sample), `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_WAREHOUSE := $(CURDIR)/var/lint/warehouse.duckdb
# Trust the platform's certificate store (where this workplace's registry proxy CA is installed).
export UV_SYSTEM_CERTS := 1

.PHONY: install run refresh test lint ui lock clean browser bench-sample spark-check

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Exact pins from requirements.lock; the project itself is installed editable on top, without deps.
# Bytecode is compiled at install: every refresh starts Python (and dbt) processes that import dagster, dbt
# and GX; without .pyc files (PYTHONDONTWRITEBYTECODE, read-only venvs) each compiles them again (~35 % of
# import time).
$(STAMP): requirements.lock pyproject.toml | $(UV)
	test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/dothi refresh --sample

refresh: install
	$(BIN)/dothi refresh

test: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q

# One tool a line: make stops at the first that reports a finding (config: pyproject.toml).
# One tool per line; each fails on any finding. sqlfluff's dbt templater and dbt-bouncer read dbt's manifest:
# they compile against an empty throwaway warehouse, never the real one.
lint: install
	mkdir -p $(dir $(LINT_WAREHOUSE))
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd dbt_project && DOTHI_WAREHOUSE=$(LINT_WAREHOUSE) ../$(BIN)/dbt parse --quiet --profiles-dir . --target-path target
	DOTHI_WAREHOUSE=$(LINT_WAREHOUSE) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests
	$(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml

# The benchmark harness at the sample scale (larger scales: see benchmarks/README.md).
bench-sample: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m benchmarks.run --scale sample --no-write

# The same dbt project on Spark (issue 16): its own venv from requirements-spark.lock (dbt-spark, pyspark; the
# shared packages at main's pins), Debian's Java 17 when none is installed, then tests/spark: both adapters
# build two nights of the sample from the raw Parquet hand-off and every mart must match (README, "Beyond
# one machine"). Not part of `make install`/`make test`.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

$(SPARK_STAMP): requirements-spark.lock pyproject.toml | $(UV)
	test -x $(SPARK_VENV)/bin/python || $(UV) venv --quiet --python $(PYTHON) $(SPARK_VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(SPARK_VENV)/bin/python requirements-spark.lock
	$(UV) pip install --quiet --python $(SPARK_VENV)/bin/python --no-deps -e .
	touch $(SPARK_STAMP)

spark-check: $(SPARK_STAMP)
	command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless)
	PATH="$(CURDIR)/$(SPARK_VENV)/bin:$$PATH" $(SPARK_VENV)/bin/pytest -q -s -m spark --basetemp=var/spark-check tests/spark

ui: install
	$(BIN)/dothi ui

# Headless Chromium for the dashboard test (Debian's package; needs root). CI runs it before `make test`.
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Re-pin after changing dependencies in pyproject.toml (no index URLs are recorded).
lock: $(UV)
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
	$(UV) pip compile pyproject.toml --extra dev --extra spark --python-version 3.11 -c requirements.lock \
		-o requirements-spark.lock

clean:
	rm -rf $(VENV) $(SPARK_VENV) $(TOOLS) var dbt_project/target dbt_project/logs
