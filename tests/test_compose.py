"""Composing the reader's spans into cited answers: the rank penalty, on hand-made hits."""

from __future__ import annotations

from assistant.answer.compose import compose
from assistant.answer.reader import SpanScore
from assistant.records import Hit

FIRST = "Gol kemenangan Persib dicetak oleh Ciro Alves."
EIGHTH = "Kurir berinisial RS ditangkap polisi."


def hit(n: int, text: str) -> Hit:
    return Hit(chunk_id=f"doc{n}:0", doc_id=f"doc{n}", text=text, start=0, end=len(text),
               sentences=((0, len(text)),), score=1.0 - n / 10, rank=n)


def spans_in(hits: list[Hit], *answers: tuple[str, float]) -> list[SpanScore]:
    out = []
    for text, margin in answers:
        index = next(i for i, h in enumerate(hits) if text in h.text)
        start = hits[index].text.index(text)
        out.append(SpanScore(index, start, start + len(text), margin, 0.0))
    return sorted(out, key=lambda s: -s.margin)


def test_a_span_from_a_lower_ranked_chunk_must_beat_the_rank_penalty():
    hits = [hit(0, FIRST)] + [hit(n, f"Kalimat lain nomor {n}.") for n in range(1, 7)] + [hit(7, EIGHTH)]
    spans = spans_in(hits, ("Ciro Alves", 4.0), ("RS", 4.6))
    [claim] = compose(spans, hits, null_margin=1.0, band=0.5).claims
    assert claim.text == "RS"
    [claim] = compose(spans, hits, null_margin=1.0, band=0.5, rank_penalty=0.25).claims
    assert claim.text == "Ciro Alves" and claim.quotes[0].hit.doc_id == "doc0"


def test_the_rank_penalty_also_counts_against_the_abstention_margin():
    hits = [hit(0, FIRST), hit(1, EIGHTH)]
    spans = spans_in(hits, ("RS", 1.2))
    assert not compose(spans, hits, null_margin=1.0, band=0.5).abstained
    draft = compose(spans, hits, null_margin=1.0, band=0.5, rank_penalty=0.5)
    assert draft.abstained and draft.related[0].hit.doc_id == "doc1"


def test_a_span_never_shows_half_a_bracket():
    text = "Rapat dipimpin Forum Komunikasi Pimpinan Kota (Forkopimko) Jakarta Barat. Tamu hadir)."
    hits = [hit(0, text)]
    opened = text.index("Forum"), text.index("(Forkopimko") + len("(Forkopimko")
    [claim] = compose([SpanScore(0, *opened, 5.0, 0.0)], hits, null_margin=0.0, band=0.5).claims
    assert claim.text == "Forum Komunikasi Pimpinan Kota (Forkopimko)"
    stray = text.index("Tamu"), text.index("hadir)") + len("hadir)")
    [claim] = compose([SpanScore(0, *stray, 5.0, 0.0)], hits, null_margin=0.0, band=0.5).claims
    assert claim.text == "Tamu hadir"


def test_the_draft_carries_the_best_margin_answered_or_not():
    hits = [hit(0, FIRST)]
    spans = spans_in(hits, ("Ciro Alves", 2.0))
    assert compose(spans, hits, null_margin=1.0, band=0.5).margin == 2.0
    assert compose(spans, hits, null_margin=3.0, band=0.5).margin == 2.0
    assert compose([], hits, null_margin=1.0, band=0.5).margin is None
