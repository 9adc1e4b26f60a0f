"""Ingestion and the index with the fake embedder: idempotent, replacing, deduplicating, recoverable."""

import json

import pytest

from assistant.errors import IndexMismatch, IndexMissing
from assistant.records import Article, Filters
from assistant.service import Warta
from tests.conftest import NEWS_DIR


def _article(doc_id, text, **meta):
    return Article(doc_id=doc_id, title=meta.pop("title", doc_id), text=text, **meta)


def test_ingest_twice_adds_nothing(news_service, fake_settings):
    before = news_service.stats()
    report = news_service.ingest([NEWS_DIR])
    after = news_service.stats()
    assert report.chunks_added == 0 and report.articles_unchanged >= 1
    assert before["chunks"] == after["chunks"] == after["lexical_chunks"] == after["catalog_chunks"]


def test_changed_article_replaces_its_chunks(fake_service):
    fake_service.ingest_articles([_article("a", "Satu kalimat. Dua kalimat.")])
    first = fake_service.stats()["chunks"]
    report = fake_service.ingest_articles([_article("a", "Kalimat baru sama sekali. Ini juga baru.")])
    assert report.articles_replaced == 1
    stats = fake_service.stats()
    assert stats["articles"] == 1 and stats["chunks"] == stats["lexical_chunks"] == first
    texts = [h.text for h in fake_service.retrieve("kalimat baru", k=5)]
    assert all("Dua kalimat" not in t for t in texts)


def test_duplicate_content_under_another_id_is_skipped(fake_service):
    fake_service.ingest_articles([_article("a", "Isi yang sama persis.")])
    report = fake_service.ingest_articles([_article("b", "Isi yang sama persis.", title="a")])
    assert report.duplicates == 1 and report.articles_added == 0
    assert fake_service.stats()["articles"] == 1


def test_interrupted_ingestion_is_cleaned_up_on_next_run(fake_service):
    fake_service.ingest_articles([_article("a", "Artikel pertama lengkap.")])
    index = fake_service.index()
    half = _article("b", "Artikel kedua yang terputus.")
    index.begin_articles([half], [])  # crash after step 1: pending, never served
    assert all(h.doc_id != "b" for h in fake_service.retrieve("artikel kedua terputus", k=5))
    report = fake_service.ingest_articles([half])
    assert report.recovered == 1 and report.articles_added == 1
    stats = fake_service.stats()
    assert stats["articles"] == 2 and stats["pending_articles"] == 0
    assert stats["chunks"] == stats["lexical_chunks"] == stats["catalog_chunks"]


def test_hits_carry_exact_offsets(news_service):
    for hit in news_service.retrieve("Siapa pencetak gol kemenangan Persib?", k=8):
        assert news_service.article(hit.doc_id).text[hit.start:hit.end] == hit.text
        for start, end in hit.sentences:
            assert hit.start <= start < end <= hit.end


def test_filters_by_date_and_source(fake_service):
    fake_service.ingest_articles([
        _article("old", "Banjir melanda kota.", date="2019-01-05", source="kompas"),
        _article("new", "Banjir melanda kota lagi tahun ini.", date="2024-02-01", source="detik"),
    ])
    assert {h.doc_id for h in fake_service.retrieve("banjir", k=5, filters=Filters(date_from="2020-01-01"))} == {"new"}
    assert {h.doc_id for h in fake_service.retrieve("banjir", k=5, filters=Filters(sources=("kompas",)))} == {"old"}
    assert {h.doc_id for h in fake_service.retrieve("banjir", k=5, filters=Filters(date_to="2019-12-31"))} == {"old"}


def test_missing_index_is_a_clear_error(fake_service):
    with pytest.raises(IndexMissing, match="warta ingest"):
        fake_service.retrieve("anything")


def test_folder_that_is_not_an_index_is_refused(fake_settings, tmp_path):
    (fake_settings.index_dir).mkdir(parents=True)
    (fake_settings.index_dir / "notes.txt").write_text("my notes")
    with pytest.raises(IndexMismatch, match="not a Warta index"):
        Warta(fake_settings).ingest_articles([_article("a", "Teks.")])


def test_index_of_another_model_is_refused(news_service, fake_settings):
    other_model = type(news_service.embedder)()
    other_model.model_id = "another-model"
    other = Warta(fake_settings, embedder=other_model)
    with pytest.raises(IndexMismatch, match="another-model"):
        other.retrieve("banjir")


def test_ingest_report_is_json(news_service):
    report = news_service.ingest([NEWS_DIR])
    assert json.loads(json.dumps(report.to_dict()))["articles_unchanged"] >= 1
