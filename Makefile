# glmocr-cli: `make demo` converts samples/ into out/; `make test` runs the test suite.
# Developers: `make test-fast` (no process, Ray, serve, Tesseract, oracle or GPU-bench tests; < 3 min),
# `make lint` (ruff, format check, import layers, mypy baseline), `make fmt` (format and apply safe lint fixes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint fmt fmt-check mypy docs bench bench-decoder clean

install: $(STAMP)

# torch is pinned to the CPU build available here; a bare `torch` would pull GBs of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[glm,tables,dev]"
	touch $(STAMP)

demo: install
	$(BIN)/glmocr convert samples -o out --layout-vis
	@echo "Outputs in out/ (Markdown, JSON, HTML per document; images/ and layout/ beside them)."

test: install
	$(BIN)/python -m pytest -q --durations=25

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow" --durations=25

lint: install
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory fmt-check
	$(BIN)/lint-imports --no-cache
	$(MAKE) --no-print-directory mypy

fmt-check: install
	$(BIN)/ruff format --check .

# mypy's errors may only shrink: tools/mypy-baseline.txt (`$(BIN)/python tools/mypy_baseline.py --update`)
mypy: install
	$(BIN)/python tools/mypy_baseline.py

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# docs/cli.md is written from the options table (glmocr_cli/config.py); tests/test_cli_reference.py checks it.
docs: install
	$(BIN)/python -m glmocr_cli.cli.reference > docs/cli.md

bench: install
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/tables.py

# Our GLM-OCR decoder and MTP on the real-size architecture (random weights; builds a 2.7 GB
# checkpoint in the temp folder once; about 20 minutes on 2 cores).
bench-decoder: install
	$(BIN)/python bench/decode.py
	$(BIN)/python bench/mtp.py

clean:
	rm -rf out .pytest_cache .ruff_cache .mypy_cache
