"""The lexical index: what a chunk is indexed as, English questions through the glossary, and
rows keyed to their chunks."""

import sqlite3

from assistant.index import lexical
from assistant.records import Article
from assistant.service import Warta


def test_a_chunk_is_indexed_with_its_title_words_stemmed():
    terms = lexical.index_terms("Polisi menangkap kurir sabu di Medan.", "Kurir Sabu Ditangkap").split()
    assert terms.count("kurir") == 2 and "tangkap" in terms and "di" not in terms


def test_english_questions_are_known_through_the_glossary(news_service):
    analyzed = lexical.analyze(news_service.index().conn, "Who scored the winning goal for Persib?")
    assert "gol" in analyzed.known_terms and "cetak" in analyzed.known_terms and analyzed.coverage > 0.5
    indonesian = lexical.analyze(news_service.index().conn, "Siapa pencetak gol kemenangan Persib?")
    assert indonesian.coverage == 1.0


def test_lexical_rows_share_their_chunk_rowid(news_service):
    conn = news_service.index().conn
    unlinked = conn.execute("SELECT count(*) FROM chunks c LEFT JOIN lexical l ON l.rowid = c.rowid "
                            "WHERE l.chunk_id IS NOT c.chunk_id").fetchone()[0]
    assert unlinked == 0 and lexical.count(conn) == news_service.stats()["catalog_chunks"]


def test_replacing_an_article_leaves_no_stale_lexical_rows(fake_service):
    fake_service.ingest_articles([Article("a", "a", "Satu kalimat lama. Dua kalimat lama.")])
    fake_service.ingest_articles([Article("a", "a", "Kalimat baru sama sekali. Ini juga baru.")])
    conn = fake_service.index().conn
    assert [r[0] for r in conn.execute("SELECT terms FROM lexical")] and \
        not any("lama" in r[0] for r in conn.execute("SELECT terms FROM lexical"))


def test_an_index_of_an_older_lexical_format_is_rebuilt_on_open(news_service, fake_settings):
    index = news_service.index()
    chunk_ids = [r[0] for r in index.conn.execute("SELECT chunk_id FROM chunks")]
    expected = index.lexical_terms(chunk_ids)
    with index.catalog.transaction() as tx:  # what version 1 left: rows not keyed to chunks
        tx.execute("DELETE FROM lexical")
        tx.executemany("INSERT INTO lexical(terms, chunk_id) VALUES (?, ?)",
                       [("x", cid) for cid in reversed(chunk_ids)])
        tx.execute("DELETE FROM meta WHERE key = 'lexical_format'")
    news_service.close()
    reopened = Warta(fake_settings)
    assert reopened.index().lexical_terms(chunk_ids) == expected
    stored = sqlite3.connect(fake_settings.index_dir / "catalog.sqlite").execute(
        "SELECT value FROM meta WHERE key = 'lexical_format'").fetchone()
    assert stored == (lexical.FORMAT,)
    reopened.close()
