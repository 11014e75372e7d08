SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8000

.PHONY: install run test check format

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

run: install
	$(UV) run --frozen adr-registry serve --host 127.0.0.1 --port $(PORT)

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
