"""What the reader reads: the retrieved chunks of each article widened with the text around them.

A chunk read alone loses what the sentences before it say: "Dia juga mencatat ..." names its
speaker two sentences earlier, in another chunk. So the hits of one article are read together:
each hit grows to about ``window_chars`` characters of whole sentences around it (more before
it than after, where speakers and offices are named), overlapping ones merge, and every merged
range becomes one passage, ranked by its best hit. A passage is a ``Hit`` over exact article
offsets, so citations work on it as on a chunk.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from assistant.ingest.chunking import split_sentences
from assistant.records import Hit

BEFORE_SHARE = 0.6
"""Of the added context, this share goes before the hit."""


def article_passages(hits: list[Hit], article_text: Callable[[str], str | None] | None,
                     window_chars: int) -> list[Hit]:
    """The passages to read for these hits (the hits themselves when ``window_chars`` is 0 or an
    article's text is not at hand), best first."""
    if not window_chars or article_text is None or not hits:
        return list(hits)
    by_article: dict[str, list[Hit]] = {}
    for hit in hits:
        by_article.setdefault(hit.doc_id, []).append(hit)
    passages: list[Hit] = []
    for doc_id, group in by_article.items():
        text = article_text(doc_id)
        if not text or any(text[h.start:h.end] != h.text for h in group):
            passages += group  # the index changed under us: read the chunks as retrieved
            continue
        passages += _widened(group, text, window_chars)
    passages.sort(key=lambda p: p.rank)
    return [replace(p, rank=rank) for rank, p in enumerate(passages)]


def _widened(group: list[Hit], text: str, window_chars: int) -> list[Hit]:
    sentences = split_sentences(text)
    ranges = sorted(((*_around(hit, len(text), window_chars, sentences), hit) for hit in group),
                    key=lambda item: item[:2])
    merged: list[tuple[int, int, Hit]] = []
    for start, end, hit in ranges:
        if merged and start <= merged[-1][1]:
            first_start, first_end, best = merged[-1]
            merged[-1] = (first_start, max(end, first_end), best if best.rank <= hit.rank else hit)
        else:
            merged.append((start, end, hit))
    return [replace(best, text=text[start:end], start=start, end=end,
                    sentences=tuple((s, e) for s, e in sentences if start <= s and e <= end))
            for start, end, best in merged]


def _around(hit: Hit, length: int, window_chars: int, sentences: list[tuple[int, int]]) -> tuple[int, int]:
    """The hit's range grown to about ``window_chars``, cut at sentence boundaries outward."""
    extra = max(0, window_chars - (hit.end - hit.start))
    start = max(0, hit.start - int(extra * BEFORE_SHARE))
    end = min(length, hit.end + (extra - (hit.start - start)))
    start = max(0, min(start, end - window_chars))
    start = next((s for s, e in sentences if s <= start < e), start)
    end = next((e for s, e in sentences if s < end <= e), end)
    return min(start, hit.start), max(end, hit.end)
