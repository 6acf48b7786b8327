# 法搜 (fasou) — developer entry points. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export FASOU_DATA_DIR ?= $(CURDIR)/data

.PHONY: help install run serve import test test-pg test-slow test-all lint format bench bench-editor bench-backends clean sources crawl

help:
	@echo "make run        install, import the starter corpus, index, serve on $(HOST):$(PORT)"
	@echo "make test       lint + the test suite without slow suites"
	@echo "make test-pg    the test suite (not slow) with the catalog on a real PostgreSQL"
	@echo "make test-slow  the slow suites (large corpora, kill-and-resume, clusters)"
	@echo "make bench      benchmarks under bench/ (prints medians)"
	@echo "make bench-editor  tagging latency, 50k bulk tag/undo, the larger API fuzzing run"
	@echo "make bench-backends  tantivy vs Elasticsearch: bulk docs/s, search p50/p95, top-10 parity"
	@echo "(Elasticsearch tests start real nodes with scripts/es-test-node: Java 17+, Maven once)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

import: $(STAMP)
	$(BIN)/fasou import starter

run: import
	$(BIN)/fasou serve --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(BIN)/fasou serve --host $(HOST) --port $(PORT)

SITE_PORT ?= 8800
sources: $(STAMP)  ## the local source site (all five sources) for crawling offline
	$(BIN)/fasou sources serve --port $(SITE_PORT)

crawl: $(STAMP)  ## crawl every source from the local source site (start `make sources` first)
	FASOU_CRAWL_SITE_URL=http://127.0.0.1:$(SITE_PORT) $(BIN)/fasou crawl run \
		flk court_cases videos legal_services pufa_articles

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/pytest -m "not slow" -q

# Every data dir's catalog in its own database on a throw-away server (scripts/pg-test-server).
test-pg: $(STAMP)
	FASOU_TEST_DATABASE=postgresql $(BIN)/pytest -m "not slow" -q

test-slow: $(STAMP)
	$(BIN)/pytest -m slow -q

test-all: lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/index_throughput.py
	$(BIN)/python bench/search_latency.py
	$(BIN)/python bench/crawl_throughput.py

bench-editor: $(STAMP)
	$(BIN)/python bench/bulk_tagging.py
	$(BIN)/python bench/api_fuzz.py

bench-backends: $(STAMP)
	$(BIN)/python bench/backend_compare.py
	$(BIN)/python bench/backend_parity.py

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
