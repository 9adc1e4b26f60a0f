# Two commands for a fresh machine: `make run` (the chat on the bundled articles) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= index
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-fast test-unit install install-dev index browser-deps bench eval-ci audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

# pip (not uv/poetry) so torch comes from the local CPU wheel; see ../shared/STACK.md.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

index: install
	@test -f $(INDEX)/catalog.sqlite || $(BIN)/warta ingest data/articles --index $(INDEX)

run: index
	$(BIN)/python app.py

# Debian's Chromium for the browser tests (Playwright cannot download its own here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test: install-dev browser-deps
	$(BIN)/python -m pytest -q

# Unit tests only: no model, no browser (a few seconds).
test-fast: install-dev
	$(BIN)/python -m pytest -q -m "not integration and not browser and not slow"

bench: install-dev
	$(BIN)/python benchmarks/retrieval.py

audit: install-dev
	$(BIN)/pip-audit --skip-editable --progress-spinner off

clean:
	rm -rf $(INDEX)/* .pytest_cache .cache/bench-indexes
