"""The whole pipeline on a freshly built index with the real e5 model and trained reader,
through the CLI (over the seed article and the short news fixtures: quick to build)."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration


def _warta(*args, index_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["WARTA_INDEX_DIR"] = str(index_dir)
    return subprocess.run([sys.executable, "-m", "assistant.clients.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    index = tmp_path_factory.mktemp("cli-index")
    first = _warta("ingest", "data/articles/seed.md", "tests/fixtures/news", "--json", index_dir=index)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["chunks_added"] > 0
    return index


def test_reingesting_adds_nothing(index_dir):
    again = _warta("ingest", "data/articles/seed.md", "tests/fixtures/news", "--json", index_dir=index_dir)
    report = json.loads(again.stdout)
    assert report["chunks_added"] == 0 and report["articles_unchanged"] >= 1
    stats = json.loads(_warta("stats", "--json", index_dir=index_dir).stdout)
    assert stats["chunks"] == stats["lexical_chunks"] > 0


def test_search_finds_the_passage_first(index_dir):
    out = _warta("search", "Who scored Persib's winning goal?", "--json", index_dir=index_dir)
    hits = json.loads(out.stdout)
    assert "Ciro Alves" in hits[0]["text"]


@pytest.mark.parametrize("question, expected", [
    ("Who scored Persib's winning goal?", "Ciro Alves"),
    ("Berapa kilogram sabu yang dibawa kurir itu?", "5 kilogram"),
    ("How many residents were evacuated?", "1,200"),
])
def test_ask_answers_with_a_cited_span(index_dir, question, expected):
    out = _warta("ask", question, "--json", index_dir=index_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    answer = json.loads(out.stdout)
    assert not answer["abstained"] and "[1]" in answer["text"]
    assert expected in answer["text"] + " ".join(c["quote"] for c in answer["citations"])


def test_unanswerable_question_exits_with_the_abstain_code(index_dir):
    out = _warta("ask", "How many voters are registered in West Jakarta?", index_dir=index_dir)
    assert out.returncode == 10, out.stdout


def test_search_without_index_is_a_clear_error(tmp_path):
    out = _warta("search", "rakor", index_dir=tmp_path / "nothing")
    assert out.returncode == 3 and "warta ingest" in out.stderr and "Traceback" not in out.stderr
