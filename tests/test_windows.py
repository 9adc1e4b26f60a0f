"""The reader reads each article's hits with the text around them: whole sentences, exact
offsets, merged where they meet, the speaker named before "Dia ..." in sight."""

from __future__ import annotations

from assistant.answer.windows import article_passages
from assistant.ingest.chunking import chunk_article
from assistant.records import Article, Hit

SPEAKER = "Wakil Wali Kota Jakarta Barat, Hendra Hidayat, hadir dalam rapat itu."
STATEMENT = "Dia juga mencatat adanya tantangan, seperti potensi konflik horizontal di daerah."
FILLER = [f"Kalimat pengisi nomor {n} tentang persiapan pemilihan di kota ini." for n in range(12)]
TEXT = " ".join(FILLER[:6] + [SPEAKER] + FILLER[6:8] + [STATEMENT] + FILLER[8:])
ARTICLE = Article(doc_id="rakor", title="Rakor", text=TEXT)
OTHER = Article(doc_id="lain", title="Lain", text="Berita lain tentang banjir. " * 10)


def hits(article: Article, chunk_size: int = 160) -> list[Hit]:
    return [Hit(chunk_id=c.chunk_id, doc_id=c.doc_id, text=c.text, start=c.start, end=c.end, sentences=c.sentences,
                score=1.0, rank=c.index) for c in chunk_article(article, max_chars=chunk_size)]


def texts(doc_id: str) -> str | None:
    return {"rakor": TEXT, "lain": OTHER.text}.get(doc_id)


def test_a_statement_chunk_is_read_with_the_sentence_naming_its_speaker():
    statement_hit = next(h for h in hits(ARTICLE) if STATEMENT in h.text and SPEAKER not in h.text)
    [passage] = article_passages([statement_hit], texts, window_chars=500)
    assert SPEAKER in passage.text and STATEMENT in passage.text
    assert TEXT[passage.start:passage.end] == passage.text
    assert all(passage.start <= s < e <= passage.end for s, e in passage.sentences)
    assert passage.text[:1].isupper() and passage.text.endswith(".")  # whole sentences


def test_hits_of_one_article_merge_and_keep_the_rank_of_the_best():
    article_hits = hits(ARTICLE)
    other = Hit(chunk_id="lain:0", doc_id="lain", text=OTHER.text[:50], start=0, end=50, sentences=((0, 27),),
                score=1.0, rank=1)
    retrieved = [article_hits[3], other, article_hits[2]]
    retrieved = [Hit(**{**h.__dict__, "rank": rank}) for rank, h in enumerate(retrieved)]
    passages = article_passages(retrieved, texts, window_chars=400)
    assert [p.doc_id for p in passages] == ["rakor", "lain"]
    assert [p.rank for p in passages] == [0, 1]
    assert passages[0].chunk_id == article_hits[3].chunk_id


def test_no_window_or_no_article_text_reads_the_chunks_as_retrieved():
    retrieved = hits(ARTICLE)[:2]
    assert article_passages(retrieved, texts, window_chars=0) == retrieved
    assert article_passages(retrieved, None, window_chars=800) == retrieved
    assert article_passages(retrieved, lambda doc_id: None, window_chars=800) == retrieved
