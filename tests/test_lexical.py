"""The lexical index: abbreviations an article defines, and rows keyed to their chunks."""

import sqlite3

import pytest

from assistant import lexical
from assistant.records import Article
from assistant.service import Warta
from tests.conftest import REPO


@pytest.mark.parametrize("text, short, long", [
    ("Polres menggelar rapat koordinasi (rakor) bersama", "rakor", "rapat koordinasi"),
    ("bersama Forum Komunikasi Pimpinan Kota (Forkopimko).", "forkopimko", "Forum Komunikasi Pimpinan Kota"),
    ("menurut Komisi Pemilihan Umum (KPU) kemarin", "kpu", "Komisi Pemilihan Umum"),
    ("jelang Pemilihan Kepala Daerah (Pilkada) serentak", "pilkada", "Pemilihan Kepala Daerah"),
    ("Badan Penanggulangan Bencana Daerah (BPBD) DKI", "bpbd", "Badan Penanggulangan Bencana Daerah"),
])
def test_defined_abbreviations_are_found(text, short, long):
    assert lexical.abbreviations(text)[short] == long


def test_common_abbreviations_are_known_undefined_and_a_definition_wins():
    found = lexical.abbreviations("Rakor dihadiri Dandim 0503 dan Ketua PN Jakbar.")
    assert found["dandim"] == "komandan kodim" and found["pn"] == "pengadilan negeri"
    assert found["jakbar"] == "jakarta barat" and found["rakor"] == "rapat koordinasi"
    assert lexical.abbreviations("rapat kerja organisasi (rakor) digelar")["rakor"] == "rapat kerja organisasi"


@pytest.mark.parametrize("text", [
    "Ia datang bersama istrinya (Siti) ke kantor.",  # a name in brackets, not spelled by the words
    "harga naik dua kali (2x) lipat",
    "kata dia kepada wartawan (who) kemarin",  # stop words are never abbreviations
])
def test_brackets_that_define_nothing_are_ignored(text):
    assert lexical.abbreviations(text) == {}


def test_a_chunk_using_only_the_short_form_gets_the_full_words_once():
    expansions = {"rakor": "rapat koordinasi"}
    terms = lexical.index_terms("Rakor dihadiri Kapolres. Rakor berjalan lancar.", "", expansions).split()
    assert terms.count("rapat") == 1 and terms.count("koordinasi") == 1 and terms.count("rakor") == 2
    spelled = lexical.index_terms("rapat koordinasi (rakor) digelar", "", expansions).split()
    assert spelled.count("rapat") == 1


def test_lexical_rows_share_their_chunk_rowid(seeded_service):
    conn = seeded_service.index().conn
    unlinked = conn.execute("SELECT count(*) FROM chunks c LEFT JOIN lexical l ON l.rowid = c.rowid "
                            "WHERE l.chunk_id IS NOT c.chunk_id").fetchone()[0]
    assert unlinked == 0 and lexical.count(conn) == seeded_service.stats()["catalog_chunks"]


def test_replacing_an_article_leaves_no_stale_lexical_rows(fake_service):
    fake_service.ingest_articles([Article("a", "a", "Satu kalimat lama. Dua kalimat lama.")])
    fake_service.ingest_articles([Article("a", "a", "Kalimat baru sama sekali. Ini juga baru.")])
    conn = fake_service.index().conn
    assert [r[0] for r in conn.execute("SELECT terms FROM lexical")] and \
        not any("lama" in r[0] for r in conn.execute("SELECT terms FROM lexical"))


def test_an_index_of_an_older_lexical_format_is_rebuilt_on_open(seeded_service, fake_settings):
    index = seeded_service.index()
    chunk_ids = [r[0] for r in index.conn.execute("SELECT chunk_id FROM chunks")]
    expected = index.lexical_terms(chunk_ids)
    with index.transaction() as tx:  # what version 1 left: rows not keyed to chunks, no expansion
        tx.execute("DELETE FROM lexical")
        tx.executemany("INSERT INTO lexical(terms, chunk_id) VALUES (?, ?)",
                       [("x", cid) for cid in reversed(chunk_ids)])
        tx.execute("DELETE FROM meta WHERE key = 'lexical_format'")
    seeded_service.close()
    reopened = Warta(fake_settings)
    assert reopened.index().lexical_terms(chunk_ids) == expected
    stored = sqlite3.connect(fake_settings.index_dir / "catalog.sqlite").execute(
        "SELECT value FROM meta WHERE key = 'lexical_format'").fetchone()
    assert stored == (lexical.FORMAT,)
    reopened.close()


def test_the_seed_article_defines_its_abbreviations():
    text = (REPO / "data" / "articles" / "seed.md").read_text(encoding="utf-8")
    assert {"rakor", "forkopimko"} <= set(lexical.abbreviations(text))
