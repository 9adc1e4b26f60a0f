"""The package reads as the pipeline and stays that way: imports point one way down the layers
(clients → evaluation → service → answer → retrieval → index → ingest → base), no import cycle,
no module over 400 lines (``python tools/import_layers.py`` prints the same)."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO

spec = importlib.util.spec_from_file_location("import_layers", REPO / "tools" / "import_layers.py")
layers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(layers)


def test_imports_point_down_the_layers():
    assert layers.violations(layers.graph()) == []


def test_no_import_cycle():
    assert layers.cycles(layers.graph()) == []


def test_no_module_is_over_400_lines():
    assert layers.long_modules() == []


def test_the_listing_reads_as_the_pipeline():
    packages = sorted(p.name for p in (REPO / "assistant").iterdir() if (p / "__init__.py").exists())
    assert packages == ["answer", "clients", "evaluation", "index", "ingest", "retrieval"]
    for package in packages:
        doc = (REPO / "assistant" / package / "__init__.py").read_text(encoding="utf-8")
        assert "May import" in doc, package


def test_the_checker_finds_an_upward_import_and_a_cycle():
    edges = {"assistant.index.store": {"assistant.answer.chain"}, "assistant.answer.chain": {"assistant.index.store"}}
    assert layers.violations(edges) == ["assistant.index.store (index) imports assistant.answer.chain (answer)"]
    assert layers.cycles(edges) == [["assistant.answer.chain", "assistant.index.store"]]
