"""From the reader's spans to a cited draft: the short answer(s), each quoting its sentence.

The best span answers when its margin over "no answer" reaches the reader's calibrated
``null_margin``. The reader reads each retrieved chunk alone, so a span's margin is first lowered
by the reader's calibrated ``rank_penalty`` per retrieval rank of its chunk: a confident span in
the eighth chunk must clearly beat one in the first (the model card shows the calibration sets
with and without it). Other spans close to it (within ``band``) that say something else are given
too, each with its own citation, so "which players were left out?" gets every name the reader
is sure of. A span quotes the sentence(s) holding it, by absolute offsets, so the citation is
exact article text. A span inside a quotation answers with the whole quoted sentence: a "what did
X say" question wants the statement, not a fragment of it.
"""

from __future__ import annotations

import re

from assistant.answer.draft import Claim, Draft, Quote, display_quote
from assistant.answer.reader import SpanScore
from assistant.records import Hit

MAX_ANSWERS = 5
RELATED_COUNT = 3
_EDGE_PUNCTUATION = " \t\n,;:.!?\"'“”‘’«»—–-"
_OPENING_QUOTES = "“«„"
_BRACKETS = (("(", ")"), ("[", "]"))
_BRACKET_REACH = 60
"""How far past a span its closing bracket may be for the span to take it."""
_CLOSING_QUOTES = "”»"


def compose(spans: list[SpanScore], hits: list[Hit], null_margin: float, band: float,
            rank_penalty: float = 0.0) -> Draft:
    """A draft answering with the spans the reader is sure of, or an abstention with related passages."""
    chosen: list[tuple[Hit, int, int]] = []
    ranked = rank_adjusted(spans, rank_penalty)
    best = ranked[0][0] if ranked else None
    for margin, span in ranked:
        if margin < null_margin or margin < best - band or len(chosen) == MAX_ANSWERS:
            break
        placed = _placed(span, hits)
        if placed is not None and not any(_same_answer(placed, other) for other in chosen):
            chosen.append(placed)
    if not chosen:
        return Draft(abstained=True, related=related_quotes([span for _, span in ranked], hits), margin=best)
    return Draft(claims=[_claim(hit, start, end) for hit, start, end in chosen], margin=best)


def rank_adjusted(spans: list[SpanScore], rank_penalty: float) -> list[tuple[float, SpanScore]]:
    """(margin less ``rank_penalty`` per rank of the span's chunk, span), best first."""
    adjusted = [(span.margin - rank_penalty * span.passage, span) for span in spans]
    adjusted.sort(key=lambda item: (-item[0], item[1].passage, item[1].start))
    return adjusted


def _placed(span: SpanScore, hits: list[Hit]) -> tuple[Hit, int, int] | None:
    """The span in absolute article offsets, without surrounding punctuation and with its
    brackets closed (None if nothing is left)."""
    hit = hits[span.passage]
    start, end = _trimmed(hit.text, span.start, span.end)
    start, end = _trimmed(hit.text, *_brackets_closed(hit.text, start, end))
    if end <= start:
        return None
    return hit, hit.start + start, hit.start + end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + (len(piece) - len(piece.lstrip(_EDGE_PUNCTUATION))), end - (len(piece) - len(piece.rstrip(_EDGE_PUNCTUATION)))


def _brackets_closed(text: str, start: int, end: int) -> tuple[int, int]:
    """A span never shows half a bracket: "Kota (Forkopimko" takes its ")" when the passage closes
    it soon after, else ends before the "("; a stray ")" is dropped with what follows it."""
    for opening, closing in _BRACKETS:
        piece = text[start:end]
        if piece.count(opening) > piece.count(closing):
            close_at = text.find(closing, end, end + _BRACKET_REACH)
            if close_at >= 0 and opening not in text[end:close_at] and "\n" not in text[end:close_at]:
                end = close_at + 1
            else:
                end = start + piece.rfind(opening)
        elif piece.count(closing) > piece.count(opening):
            end = start + piece.find(closing)
    return start, end


def _same_answer(a: tuple[Hit, int, int], b: tuple[Hit, int, int]) -> bool:
    """Overlapping places in one article, or the same words anywhere."""
    (hit_a, start_a, end_a), (hit_b, start_b, end_b) = a, b
    if hit_a.doc_id == hit_b.doc_id and start_a < end_b and start_b < end_a:
        return True
    words_a, words_b = _words(_text(hit_a, start_a, end_a)), _words(_text(hit_b, start_b, end_b))
    return words_a <= words_b or words_b <= words_a


def _claim(hit: Hit, start: int, end: int) -> Claim:
    quote = _sentences_around(hit, start, end)
    span = _text(hit, start, end)
    if _inside_quotation(quote.text, start - quote.start, end - quote.start):
        return Claim(text=display_quote(quote.text), quotes=[quote], verbatim=True)
    return Claim(text=display_quote(span), quotes=[quote], verbatim=True)


def _sentences_around(hit: Hit, start: int, end: int) -> Quote:
    """The hit's sentence(s) from the one holding ``start`` to the one holding ``end``."""
    first = next((s for s, e in hit.sentences if s <= start < e), start)
    last = next((e for s, e in hit.sentences if s < end <= e), end)
    return Quote(hit, min(first, start), max(last, end))


def _inside_quotation(sentence: str, start: int, end: int) -> bool:
    """Whether ``sentence[start:end]`` lies between an opening and a closing quotation mark."""
    if sentence.count('"', 0, start) % 2 == 1 and '"' in sentence[end:]:
        return True
    opened = max(sentence.rfind(q, 0, start) for q in _OPENING_QUOTES)
    if opened < 0 or any(sentence.find(q, opened, start) >= 0 for q in _CLOSING_QUOTES):
        return False
    return any(q in sentence[end:] for q in _CLOSING_QUOTES)


def related_quotes(spans: list[SpanScore], hits: list[Hit]) -> list[Quote]:
    """The sentences of the best spans (below the bar), else the first sentence of each top hit."""
    quotes: list[Quote] = []
    for span in spans:
        placed = _placed(span, hits)
        if placed is not None:
            quote = _sentences_around(*placed)
            if all((q.hit.doc_id, q.start) != (quote.hit.doc_id, quote.start) for q in quotes):
                quotes.append(quote)
        if len(quotes) == RELATED_COUNT:
            return quotes
    for hit in hits:
        if len(quotes) == RELATED_COUNT:
            break
        if hit.sentences and all(q.hit.doc_id != hit.doc_id for q in quotes):
            quotes.append(Quote(hit, *hit.sentences[0]))
    return quotes


def _text(hit: Hit, start: int, end: int) -> str:
    return hit.text[start - hit.start : end - hit.start]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))
