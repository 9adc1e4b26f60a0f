"""Sentence splitting and chunking: the seed article, news idioms, and properties on any text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.loaders import load_articles
from assistant.ingest.chunking import MAX_SENTENCE_CHARS, chunk_article, split_sentences
from assistant.records import Article

SEED = Path(__file__).resolve().parents[1] / "data" / "articles" / "seed.md"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.fixture(scope="module")
def seed() -> Article:
    return load_articles([SEED]).articles[0]


def test_seed_sentences_are_whole(seed: Article) -> None:
    found = sentences(seed.text)
    long_one = next(s for s in found if s.startswith("Rakor dihadiri"))
    assert long_one.endswith("Ketua Bawaslu Kota Jakarta Barat Wanda Gunawan.")
    assert "Kombes M Syahduddi" in long_one
    assert "Dandim 0503/Jakarta Barat Kolonel Inf ES Putra Siregar" in long_one
    quote = next(s for s in found if s.startswith('"Operasi Mantap Praja Jaya 2024 ini'))
    assert quote.endswith('dapat berjalan dengan aman, tertib, dan lancar," ujar Syahduddi.')
    assert found[-2].endswith('harus terus ditingkatkan," pungkasnya.')
    assert found[-1] == "(mea/mea)"
    assert "Rakor digelar di kantor Wali Kota Jakarta Barat, Kembangan, Jakarta Barat, pada Selasa, 30 Juli 2024." in found
    assert len(found) == 21


def assert_split_at_marks(marked: str) -> None:
    """``marked`` has a ``|`` at every sentence boundary; the splitter must find exactly those."""
    text = marked.replace("|", " ")
    assert sentences(text) == [part.strip() for part in marked.split("|")]


@pytest.mark.parametrize(
    "marked",
    [
        '"Apakah semua siap?" tanya dia.|Semua mengangguk.',
        "Ia tiba pukul 12.30 WIB.|Rapat dimulai.",
        "Dana Rp 1.500.000 cair.|Bunga 3,5 persen.",
        "Versi v2.0 dirilis.|Unduh di https://contoh.id/a.b atau kirim ke info@contoh.id.|Terima kasih.",
        "Kantornya di Jl. Sudirman No. 5 dekat Kol. Ahmad.|Dia datang.",
        "Hadir Prof. Dr. Ir. H. Budi, S.H. dan Hj. Ani.|Acara usai.",
        "Dipimpin E. S. Putra dan M. Ali hari ini.|Lalu pulang.",
        "Ada buku, pena, dll. yang dibawa.|Selesai.",
        "Dia menunggu... lalu pergi.|Esoknya kembali.",
        "Baris pertama tanpa titik\n|Baris kedua",
        "Caranya begini.\n|1. Cuci bayam.|2. Masukkan air.",
        "Terbit 1 Okt. 2019 di Jakarta.|Lalu dicetak.",
        "Kapolres Kombes M Syahduddi hadir.|Dandim 0503/Jakarta Barat juga.",
    ],
)
def test_indonesian_idioms(marked: str) -> None:
    assert_split_at_marks(marked)


@pytest.mark.parametrize(
    "marked",
    [
        "Mr. Smith met Dr. Jones in St. Louis.|They talked.",
        '"Is it safe?" she asked.|Nobody knew!',
        "Apples, pears, etc. are sold here, e.g. at the market.|Prices rose 2.5 percent.",
        "Acme Inc. vs. Beta Ltd. went to court on Jan. 5.|The judge ruled.",
        'He said "we won."|Then he left.',
    ],
)
def test_english(marked: str) -> None:
    assert_split_at_marks(marked)


def test_overlong_sentence_is_cut_at_commas() -> None:
    text = ", ".join(f"bagian nomor {i} dari kalimat yang sangat panjang" for i in range(120)) + "."
    spans = split_sentences(text)
    assert len(spans) > 1
    assert all(end - start <= MAX_SENTENCE_CHARS for start, end in spans)
    assert all(text[end - 1] in ",." for _, end in spans)


def test_overlong_word_is_cut_hard() -> None:
    spans = split_sentences("x" * 2500, max_sentence_chars=1000)
    assert spans == [(0, 1000), (1000, 2000), (2000, 2500)]


def make_article(text: str) -> Article:
    return Article(doc_id="doc", title="Judul", text=text)


def test_seed_chunks(seed: Article) -> None:
    chunks = chunk_article(seed, max_chars=700, overlap_sentences=1)
    assert len(chunks) > 3
    for index, chunk in enumerate(chunks):
        assert chunk.chunk_id == f"{seed.doc_id}::{seed.content_hash[:12]}::{index:04d}"
        assert chunk.index == index and chunk.doc_id == seed.doc_id
        assert chunk.text == seed.text[chunk.start : chunk.end]
        assert len(chunk.text) <= 700 or len(chunk.sentences) == 1
    for previous, current in zip(chunks, chunks[1:]):
        assert current.sentences[0] in previous.sentences or current.start > previous.end
        assert current.sentences[-1][1] > previous.sentences[-1][1]
    assert chunks == chunk_article(seed, max_chars=700, overlap_sentences=1)


def test_long_sentence_is_its_own_chunk() -> None:
    text = "Pendek. " + "Panjang " * 120 + "sekali. Penutup."
    chunks = chunk_article(make_article(text), max_chars=200)
    assert [len(c.sentences) for c in chunks] == [1, 1, 1]


def test_overlap_zero_and_empty_text() -> None:
    text = " ".join(f"Kalimat nomor {i}." for i in range(50))
    chunks = chunk_article(make_article(text), max_chars=100, overlap_sentences=0)
    assert sum(len(c.sentences) for c in chunks) == 50
    assert chunk_article(make_article(""), max_chars=100) == []


news_text = st.lists(
    st.one_of(
        st.text(min_size=0, max_size=40),
        st.sampled_from(['"', "“", "”", ".", "...", "?", "!", "…", ",", " ", "\n", "\n\n"]),
        st.sampled_from(["Kombes", "M.", "Jl.", "3,5", "1.500", " tanya dia.", "Ia", "S.H."]),
    ),
    max_size=60,
).map("".join)


def assert_sentence_spans_valid(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end


@settings(max_examples=300, deadline=None)
@given(news_text, st.integers(min_value=1, max_value=300))
def test_sentence_spans_properties(text: str, limit: int) -> None:
    spans = split_sentences(text, max_sentence_chars=limit)
    assert_sentence_spans_valid(text, spans)
    assert all(end - start <= limit for start, end in spans)
    visible_in_spans = "".join("".join(text[start:end].split()) for start, end in spans)
    assert visible_in_spans == "".join(text.split())  # no word is lost between sentences


@settings(max_examples=300, deadline=None)
@given(news_text, st.integers(min_value=1, max_value=400), st.integers(min_value=0, max_value=3))
def test_chunk_properties(text: str, max_chars: int, overlap: int) -> None:
    article = make_article(text)
    chunks = chunk_article(article, max_chars=max_chars, overlap_sentences=overlap)
    in_chunks = set()
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.sentences and chunk.sentences[0][0] == chunk.start and chunk.sentences[-1][1] == chunk.end
        assert all(chunk.start <= start < end <= chunk.end for start, end in chunk.sentences)
        in_chunks.update(chunk.sentences)
    assert in_chunks == set(split_sentences(text))
    assert [c.start for c in chunks] == sorted({c.start for c in chunks})
