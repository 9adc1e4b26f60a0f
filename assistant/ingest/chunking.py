"""Sentence splitting for Indonesian and English news, and chunks of whole sentences.

Citations quote whole sentences by their character offsets, so sentence spans must be right
for news prose: a quote with its attribution (``"...pantas menang," ujar Hodak.``) is one
sentence, ranks and abbreviations (``Kombes``, ``AKBP``, ``Jl.``, ``S.H.``, ``dll.``) and
initials (``M.``) never end one, and numbers, URLs and e-mails are never split because a
sentence only ends at ``.``, ``!``, ``?`` or ``…`` followed by whitespace.
"""

from __future__ import annotations

import re

from assistant.records import Article, Chunk

MAX_SENTENCE_CHARS = 1000

# Lower-case, without the final period; a token is compared as written before the period.
ABBREVIATIONS = frozenset(
    """
    kombes akbp akp iptu ipda aiptu aipda bripka brigpol briptu bripda kol letkol mayjen
    brigjen irjen komjen jend kapt lettu letda serka sertu pelda kopda inf kav czi cpl
    m jl jln no dr drs dra prof h hj ir kh st ny nn tn sdr sdri bpk
    s.h m.h s.e m.m s.t s.kom s.pd s.sos m.si s.ip m.a s.ag s.psi s.ked s.farm ph.d m.sc b.sc
    dll dsb dst tsb yth a.n u.p u.b hlm kab kec kel prov rp tel telp
    etc e.g i.e mr mrs ms vs v mt ft inc ltd co corp dept est gov approx fig jr sr no nos op
    jan feb mar apr jun jul aug agu agt sep sept oct okt nov nop dec des
    """.split()
)
_TERMINAL = re.compile(r"(?:[.!?]+|…)[.!?…]*[\"'”’»)\]]*(?=\s|$)")
_LINE = re.compile(r"[^\n\r\u2028\u2029]+")
_INITIAL = re.compile(r"[A-Z]")
_TOKEN_LEAD = "\"'“‘«([{"
_VISIBLE = re.compile(r"\S")
_LIST_NUMBER = re.compile(r"\d{1,2}\.")


def split_sentences(text: str, max_sentence_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text``, sorted, trimmed, non-empty.

    A line break always ends a sentence. A sentence longer than ``max_sentence_chars`` (scraped
    text with few periods) is cut at a comma, semicolon or colon, else at a space.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for end in _sentence_ends(text, line.start(), line.end()):
            _add_trimmed(text, start, end, spans, max_sentence_chars)
            start = end
        _add_trimmed(text, start, line.end(), spans, max_sentence_chars)
    return spans


def _sentence_ends(text: str, line_start: int, line_end: int) -> list[int]:
    """Offsets right after each terminal punctuation that really ends a sentence in the line.
    A list number ("2. Masukkan bayam...") stays with the sentence it numbers."""
    ends = []
    start = line_start
    for match in _TERMINAL.finditer(text, line_start, line_end):
        is_list_number = match.end() - start <= 6 and _LIST_NUMBER.fullmatch(text[start : match.end()].strip())
        if not is_list_number and _ends_sentence(text, match, line_start, line_end):
            ends.append(match.end())
            start = match.end()
    return ends


def _ends_sentence(text: str, match: re.Match[str], line_start: int, line_end: int) -> bool:
    visible = _VISIBLE.search(text, match.end(), line_end)
    if visible is None:
        return True
    following = visible.group()
    if following.islower() or following in ",;:":
        return False  # '"...?" tanya dia', 'dll. dan', 'etc., and': the sentence goes on
    if match.group()[0] != ".":
        return True
    token_start = max(text.rfind(" ", line_start, match.start()), text.rfind("\t", line_start, match.start())) + 1
    token = text[token_start : match.start()].lstrip(_TOKEN_LEAD)
    if match.group() != "." or not token:
        return True  # an ellipsis or a period inside quotes/brackets
    return not (token.lower() in ABBREVIATIONS or _INITIAL.fullmatch(token))


def _add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]], limit: int) -> None:
    """Append the span without its surrounding whitespace, cut into pieces of at most ``limit``."""
    limit = max(limit, 1)
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    start += len(piece) - len(piece.lstrip())
    end = start + len(stripped)
    while end - start > limit:
        cut = _cut_point(text, start, start + limit)
        head_end = start + len(text[start:cut].rstrip())
        if head_end > start:
            spans.append((start, head_end))
        start = _VISIBLE.search(text, cut, end).start()  # end - 1 is visible, so one is found
    if end > start:
        spans.append((start, end))


def _cut_point(text: str, start: int, limit_end: int) -> int:
    """Where to cut an over-long sentence: after the last comma-like mark in its second half,
    else at the last space, else at the limit."""
    half = start + (limit_end - start) // 2
    for pattern in (",;:", " \t"):
        position = max(text.rfind(mark, half, limit_end) for mark in pattern)
        if position > start:
            return position + 1
    return limit_end


def chunk_article(article: Article, max_chars: int = 700, overlap_sentences: int = 1) -> list[Chunk]:
    """Whole consecutive sentences up to ``max_chars`` per chunk, each chunk repeating the last
    ``overlap_sentences`` of the previous one so an answer spanning the seam is still found."""
    sentences = split_sentences(article.text)
    prefix = f"{article.doc_id}::{article.content_hash[:12]}::"
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first + 1  # exclusive; one sentence always fits, however long
        while last < len(sentences) and sentences[last][1] - sentences[first][0] <= max_chars:
            last += 1
        start, end = sentences[first][0], sentences[last - 1][1]
        chunks.append(
            Chunk(
                chunk_id=f"{prefix}{len(chunks):04d}",
                doc_id=article.doc_id,
                index=len(chunks),
                start=start,
                end=end,
                text=article.text[start:end],
                sentences=tuple(sentences[first:last]),
            )
        )
        if last == len(sentences):
            break
        first = _next_first(sentences, first, last, max_chars, overlap_sentences)
    return chunks


def _next_first(sentences: list[tuple[int, int]], first: int, last: int, max_chars: int, overlap: int) -> int:
    """First sentence of the next chunk: the overlap, dropped where it would crowd out the next
    new sentence, and always past the previous chunk's first sentence."""
    candidate = max(first + 1, last - max(overlap, 0))
    while candidate < last and sentences[last][1] - sentences[candidate][0] > max_chars:
        candidate += 1
    return candidate
