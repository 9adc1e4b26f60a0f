# Two commands for a fresh machine: `make run` (the chat on the bundled articles) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= index
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test test-fast install install-dev index browser-deps bench reader reader-stage1 reader-calibrate eval-ci audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

# pip (not uv/poetry) so torch comes from the local CPU wheel (a plain torch pulls a multi-GB CUDA build).
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

# A small evaluation that fails on a quality regression against the committed baselines.
eval-ci: install-dev
	$(BIN)/warta eval data/questions/seed.jsonl --corpus data/articles --out runs/ci-seed --quiet
	$(BIN)/warta eval --compare benchmarks/baselines/seed.summary.json runs/ci-seed
	$(BIN)/warta eval data/questions/ci_facqa50.jsonl --format facqa --out runs/ci-facqa50 --quiet
	$(BIN)/warta eval --compare benchmarks/baselines/ci_facqa50.summary.json runs/ci-facqa50

bench: install-dev
	$(BIN)/python benchmarks/retrieval.py

# Train the reader: the public-set adapter (data/reader/stage1, `make reader-stage1`) continued on
# Warta's news questions (data/reader/news_qa) with a replay of the public sets, saving the
# learning curve's snapshots under .cache/reader-news; then calibrate its window, abstention margin,
# rank penalty and confidence through the whole pipeline. A rerun resumes from the checkpoint;
# a GPU is used when present. Writes assistant/answer/reader/weights/. About 70 min of training
# and 30 min of calibration on 2 CPU cores (the learning curve between them: about 25 min).
READER_NEWS_ARGS := --init-from data/reader/stage1 --train-from-layer 9 --public-share 0.3 --max-tokens 256 \
	--stride 96 --batch-size 16 --lr 3e-4 --epochs 1 --schedule constant --max-null-windows 1 --negatives 0.2 \
	--curve 1000,2000,4000 --work .cache/reader-news
reader: install-dev
	$(BIN)/python -m assistant.answer.reader.train $(READER_NEWS_ARGS)
	$(BIN)/python -m assistant.answer.reader.curve .cache/reader-news
	$(BIN)/python -m assistant.evaluation.calibrate_reader

# The first stage alone, from e5 (about 2 h 45 min on 2 CPU cores): public sets only.
reader-stage1: install-dev
	$(BIN)/python -m assistant.answer.reader.train --no-news --max-tokens 192 --stride 64 \
		--work .cache/reader-stage1 --out data/reader/stage1

reader-calibrate: install-dev
	$(BIN)/python -m assistant.evaluation.calibrate_reader

# Known vulnerabilities in the installed dependencies: reported, and fatal when a fix exists.
audit: install-dev
	@mkdir -p .cache && rm -f .cache/pip-audit.json
	-$(BIN)/pip-audit --skip-editable --progress-spinner off -f json -o .cache/pip-audit.json
	$(BIN)/python tools/check_audit.py .cache/pip-audit.json

clean:
	rm -rf $(INDEX)/* .pytest_cache .cache/bench-indexes
