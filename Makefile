SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000
DATA_DIR ?= $(or $(ADR_REGISTRY_DATA_DIR),var)
LOGS := $(DATA_DIR)/log

.PHONY: install run test check format

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

# API, worker and beat on the embedded defaults (SQLite and the file broker in
# $(DATA_DIR)); Ctrl-C stops all three. The worker and the beat write to $(LOGS).
REGISTRY := .venv/bin/adr-registry
run: install
	@mkdir -p $(LOGS)
	@ADR_REGISTRY_DATA_DIR=$(DATA_DIR) $(REGISTRY) migrate
	@echo "Logs: the API on this terminal, the worker in $(LOGS)/worker.log, the beat in $(LOGS)/beat.log"
	@export ADR_REGISTRY_DATA_DIR=$(DATA_DIR); \
	  $(REGISTRY) worker >$(LOGS)/worker.log 2>&1 & worker=$$!; \
	  $(REGISTRY) beat >$(LOGS)/beat.log 2>&1 & beat=$$!; \
	  trap 'kill -TERM $$worker $$beat 2>/dev/null; wait $$worker $$beat; echo "API, worker and beat stopped."' EXIT; \
	  $(REGISTRY) serve --host 127.0.0.1 --port $(PORT)

test: install
	$(UV) run --frozen pytest

check: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen lint-imports

format: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .
