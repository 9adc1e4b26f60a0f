"""Warta against a real `chroma run` server: several processes share one server's articles."""

import os
import subprocess
import sys

import pytest

from assistant.index import lexical
from assistant.records import Article
from assistant.service import Warta
from assistant.settings import Settings
from tests.conftest import NEWS_DIR, REPO
from tests.news import SPORTS

pytestmark = pytest.mark.integration


def _service(url, tmp_path, name, collection):
    return Warta(Settings.from_env(index_dir=tmp_path / name, chroma_url=url, collection=collection,
                                   embedding_model="fake"))


def test_two_services_share_one_server(chroma_url, tmp_path):
    first = _service(chroma_url, tmp_path, "first", "shared")
    second = _service(chroma_url, tmp_path, "second", "shared")
    first.ingest([NEWS_DIR])
    second.ingest_articles([Article("banjir", title="Banjir", text="Banjir besar melanda Kota Bekasi pada Senin pagi.")])
    for service in (first, second):
        stats = service.stats()
        assert stats["articles"] == 5 and stats["chroma"] == chroma_url  # the 4 news fixtures and banjir
        assert stats["chunks"] == stats["lexical_chunks"] == stats["catalog_chunks"]
    assert first.retrieve("banjir bekasi", k=1)[0].doc_id == "banjir"
    assert second.retrieve("gol kemenangan Persib Ciro Alves", k=1)[0].doc_id == SPORTS
    second.index().sync(force=True)
    index = second.index()
    lexical_only = index.lexical_search(lexical.analyze(index.conn, "Ciro"), 3, None)
    assert lexical_only, "the lexical side must see the other process's article"


def test_a_replaced_article_reaches_the_other_process(chroma_url, tmp_path):
    writer = _service(chroma_url, tmp_path, "writer", "replace")
    reader = _service(chroma_url, tmp_path, "reader", "replace")
    writer.ingest_articles([Article("x", title="Cabai", text="Harga cabai naik tajam.")])
    assert reader.retrieve("cabai", k=1)[0].text == "Harga cabai naik tajam."
    writer.ingest_articles([Article("x", title="Cabai", text="Harga cabai turun lagi.")])
    reader.index().sync(force=True)
    assert reader.retrieve("cabai", k=1)[0].text == "Harga cabai turun lagi."
    assert reader.stats()["chunks"] == 1


def test_a_separate_process_sees_the_articles(chroma_url, tmp_path):
    writer = _service(chroma_url, tmp_path, "w", "procs")
    writer.ingest_articles([Article("gempa", title="Gempa", text="Gempa bermagnitudo 5,2 mengguncang Cianjur.")])
    env = {**os.environ, "WARTA_CHROMA_URL": chroma_url, "WARTA_COLLECTION": "procs",
           "WARTA_EMBEDDING_MODEL": "fake", "WARTA_READER": "fake", "WARTA_INDEX_DIR": str(tmp_path / "other-process")}
    out = subprocess.run([sys.executable, "-m", "assistant.clients.cli", "search", "gempa cianjur", "--k", "1"],
                         env=env, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert "Gempa" in out.stdout
