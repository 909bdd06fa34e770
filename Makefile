# Two commands do everything on a machine with only Python 3.11 and pip:
#   make demo   builds the warehouse from the shipped sample
#   make test   runs the test suite
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
# Use uv from PATH if there is one, otherwise bootstrap it with pip into .uv/ (git-ignored).
UV := $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
export DAGSTER_HOME := $(CURDIR)/warehouse/.dagster
export TQDM_DISABLE := 1
export GX_ANALYTICS_ENABLED := false
# Compile the environment's bytecode when it is installed: where PYTHONDONTWRITEBYTECODE is set (these CI
# machines), every process otherwise compiled each module it imported from source, for Great Expectations
# alone 5.5 s instead of 2 s (docs/performance.md).
export UV_COMPILE_BYTECODE := 1
# One "materialisation planned" event per asset for a range run, not one per partition: halves Dagster's
# bookkeeping of a backfill (dagster-io/dagster#29288; the price: a failed range run's partitions show as
# missing, not failed, in the UI). docs/performance.md has the figures.
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS := 1
# dg expects the project's environment to be the active one
export VIRTUAL_ENV := $(CURDIR)/.venv

.PHONY: demo test dev bench bench-live celery-test bench-partitions bench-scale check sample clean ui-test contract-docs docs postgresql lake-up lake-init lake-down lake-demo lake-test lake-bench \
	chromium superset superset-down superset-test superset-lock bi-driver bi-test

# Installers of what a target needs beyond Python (Debian packages, npm, Maven): tools/install/*.sh

.uv/bin/uv:
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked
	@touch $@

$(DAGSTER_HOME)/dagster.yaml: warehouse/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp warehouse/dagster.yaml $@

# The data docs' CSS, JavaScript and fonts, from npm, so that they render offline (etl/gate/offline_docs.py)
DOCS_ASSETS := etl/gate/docs_assets/node_modules/.installed
$(DOCS_ASSETS): etl/gate/docs_assets/package.json etl/gate/docs_assets/package-lock.json
	tools/install/docs-assets.sh
	@touch $@

demo: .venv/.synced $(DAGSTER_HOME)/dagster.yaml $(DOCS_ASSETS)  ## materialise every asset over every sample partition
	.venv/bin/python -m assets.demo

test: .venv/.synced $(DOCS_ASSETS)  ## lint, format check, then the whole suite, no network
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/python -m pytest

dev: .venv/.synced $(DAGSTER_HOME)/dagster.yaml  ## Dagster UI on this code location
	.venv/bin/dg dev --port $${PORT:-3000}

check: .venv/.synced $(DAGSTER_HOME)/dagster.yaml  ## the Definitions root loads
	.venv/bin/dg check defs

# Debian's chromium for the browser checks, and CJK fonts: board and index names are Chinese
chromium:
	@tools/install/apt.sh chromium fonts-wqy-microhei

ui-test: .venv/.synced $(DOCS_ASSETS) chromium  ## the Dagster UI in headless Debian chromium; screenshots in warehouse/ui/
	$(UV) sync --locked --group ui
	.venv/bin/python -m tools.ui_check
	.venv/bin/python -m tools.docs_check

bench: .venv/.synced  ## performance table (see README)
	.venv/bin/python -m tools.bench

bench-partitions: .venv/.synced  ## what a partition grain costs Dagster: a bare job per grain (session, month) and event log (docs/architecture.md)
	.venv/bin/python -m tools.bench_partitions --assets $${ASSETS:-5}

bench-live: .venv/.synced  ## one session of snapshot_job + daily_job against a fake 5,400-stock akshare on a simulated clock: requests and source time per function (docs/operations.md)
	.venv/bin/python -m tools.bench_live --stocks $${STOCKS:-5400}
	.venv/bin/python -m tools.bench_live --stocks $${STOCKS:-5400} --missed-day

bench-scale: .venv/.synced  ## YEARS (10) of the whole market, synthetic: one-run backfill, then a daily run (docs/performance.md)
	.venv/bin/python -m tools.bench_scale --years $${YEARS:-10}

contract-docs: .venv/.synced  ## docs/contract.md from the marts' DDL comments (warehouse/sql/30_marts.sql)
	.venv/bin/python -m etl.contract

docs: contract-docs  ## the generated pages: docs/contract.md, and the table list of docs/architecture.md (etl/catalog.py)
	.venv/bin/python -m etl.catalog

sample: .venv/.synced  ## rebuild warehouse/sample from ../shared/data/akshare-recorded
	.venv/bin/python -m etl.sample --recording ../shared/data/akshare-recorded

# The lake deployment (docs/scale-out.md): DuckLake with its catalog in a local PostgreSQL, Dagster's storage in
# the same cluster, ASHARE_WRITERS (2) steps at once. Debian's postgresql is installed with apt when missing.
LAKE_HOME := $(CURDIR)/warehouse/lake
LAKE_ENV := set -a && . $(LAKE_HOME)/env.sh && set +a
# stop the cluster whatever the recipe's outcome, and keep that outcome
LAKE_RUN = trap '.venv/bin/python -m etl.lake.local down' EXIT &&

postgresql:
	@tools/install/apt.sh postgresql

lake-up: .venv/.synced postgresql  ## start a local lake (PostgreSQL on 127.0.0.1; S3=1: data on a local S3 endpoint)
	.venv/bin/python -m etl.lake.local up $(if $(S3),--s3)
	$(MAKE) --no-print-directory lake-init

lake-init: .venv/.synced  ## once per lake, before any run: its catalog and every table (the local lake's, or ASHARE_WAREHOUSE's)
	if [ -z "$$ASHARE_WAREHOUSE" ] && [ -f $(LAKE_HOME)/env.sh ]; then $(LAKE_ENV); fi && .venv/bin/python -m etl.lake init

lake-down: .venv/.synced  ## stop the local lake (its data stay under warehouse/lake/)
	.venv/bin/python -m etl.lake.local down

lake-demo: lake-up  ## make demo on the lake, two writer processes; stops the lake at the end
	$(LAKE_RUN) $(LAKE_ENV) && .venv/bin/python -m assets.demo

lake-test: .venv/.synced postgresql  ## the lake against a real PostgreSQL (tests/lake/); stops it at the end
	.venv/bin/python -m pytest -n 0 -m lake tests/lake

celery-test: .venv/.synced postgresql  ## Celery for real: redis on 127.0.0.1, two dagster-celery workers, one killed mid-step; the run ends identical to the file demo (tests/lake/test_celery.py)
	@tools/install/apt.sh redis-server
	.venv/bin/python -m pytest -n 0 -s -m celery tests/lake/test_celery.py

lake-bench: lake-up  ## YEARS (1) of synthetic market on the lake with 1 and 2 writers (docs/performance.md)
	$(LAKE_RUN) $(LAKE_ENV) && .venv/bin/python -m tools.bench_lake --years $${YEARS:-1}

# The DuckDB JDBC driver DBeaver and Metabase use, matching the pinned duckdb, from Maven (tools/bi/lib/, git-ignored)
bi-driver: .venv/.synced
	@tools/install/jdbc-driver.sh .venv/bin/python

bi-test: bi-driver  ## the published marts through the DuckDB JDBC driver (DBeaver's, Metabase's): docs/bi.md's queries, a held reader vs a publish
	.venv/bin/python -m tools.bi_check

# Superset in its own environment (its pins stay out of uv.lock): docs/superset.md
SUPERSET_VENV := .superset-venv
$(SUPERSET_VENV)/.synced: warehouse/superset/requirements.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(SUPERSET_VENV)
	VIRTUAL_ENV=$(CURDIR)/$(SUPERSET_VENV) $(UV) pip sync --quiet --require-hashes warehouse/superset/requirements.txt
	@touch $@

warehouse/bi/marts.duckdb:
	$(MAKE) --no-print-directory demo

# the demo's published file, built when missing (on a lake, `etl.superset up` exports the published snapshot)
superset: .venv/.synced $(SUPERSET_VENV)/.synced $(if $(ASHARE_WAREHOUSE),,warehouse/bi/marts.duckdb)  ## Superset with the dividend-vs-AI dashboard on http://127.0.0.1:8088
	.venv/bin/python -m etl.superset up

superset-down: .venv/.synced  ## stop Superset
	.venv/bin/python -m etl.superset down

superset-test: .venv/.synced $(SUPERSET_VENV)/.synced chromium  ## the dashboard in headless chromium, every chart drawn; screenshots in warehouse/ui/
	$(UV) sync --locked --group ui
	.venv/bin/python -m tools.superset_check $(if $(MARTS),--marts $(MARTS))

superset-lock: | $(UV)  ## recompile warehouse/superset/requirements.txt from requirements.in
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		warehouse/superset/requirements.in -o warehouse/superset/requirements.txt

clean:
	-[ -d warehouse/lake ] && .venv/bin/python -m etl.lake.local down --purge
	-[ -d warehouse/superset/state ] && .venv/bin/python -m etl.superset down
	rm -rf warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.lock warehouse/landing warehouse/.dagster warehouse/bench \
		warehouse/bi warehouse/reports warehouse/ui warehouse/superset/state
