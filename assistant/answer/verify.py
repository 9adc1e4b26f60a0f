"""Verification: every answer sentence must be backed by the quotes it cites, for every backend.

Support (0..1) is the larger of two views: the share of the sentence's stemmed content words
found in its quotes, and the embedder's similarity (which is what lets an English sentence be
checked against an Indonesian quote). Two things no similarity can excuse: a number, or a name,
in the sentence that its quotes do not contain. Unsupported sentences leave the answer text but
stay on record in ``Answer.sentences``.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.answer.draft import Claim
from assistant.index.glossary import translations
from assistant.ingest.text import bare_name, content_terms, stopwords, words
from assistant.index.embedding_cache import EmbeddingCache

SUPPORT_MIN = 0.5
"""A sentence with less support than this is removed from the answer."""
PREDICATE_MIN = 2 / 3
"""Share of a claim's words other than names (what it says happened) its quotes must hold."""
COSINE_FLOOR = 0.80
COSINE_FULL = 0.90
"""e5 cosines between a sentence and its quote map linearly from FLOOR (no support) to FULL (1.0)."""

COMMON_CAPITALIZED_WORDS = frozenset(
    """i the a an what who whom whose when where why how which did does do is are was were has have
    according tell and or but in on at of for about mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december""".split()
)
"""Capitalized in English sentences without being names the quotes must hold."""

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALIZED_RE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w'’-]+")
_CAPITALIZED_ANYWHERE_RE = re.compile(r"\b[A-Z][\w'’-]*")


def check_claims(claims: list[Claim], vectors: EmbeddingCache | None) -> None:
    """Set ``support`` and ``supported`` on every claim."""
    # embedding is slow: only claims that their quotes' words do not already support need it
    to_embed = [c for c in claims if c.quotes and not c.verbatim and vectors is not None
                and _needs_embedding(c.text, [q.text for q in c.quotes])]
    cosines = _best_cosines(to_embed, vectors) if to_embed else {}
    for claim in claims:
        if not claim.quotes:
            claim.support = 0.0
        elif claim.verbatim:
            claim.support = 1.0
        else:
            quotes = [q.text for q in claim.quotes]
            claim.support = support(claim.text, quotes, cosines.get(id(claim)))
        claim.supported = claim.support >= SUPPORT_MIN


def support(claim: str, quotes: list[str], cosine: float | None = None) -> float:
    """How well ``quotes`` back ``claim``, 0..1; 0 when a number or name in it is not quoted.

    The lexical view is the share of the claim's words found in the quotes (English words count
    when a glossary translation is there), and nothing unless the quotes hold ``PREDICATE_MIN`` of
    its words that are not names: "Bojan Hodak mencetak gol" is not backed by a sentence that
    only says Bojan Hodak praised his players, nor "The election was cancelled" by one
    about the election. Then only the embedder's view can support it."""
    quoted = " ".join(quotes)
    if not numbers_of(claim) <= numbers_of(quoted) or missing_names(claim, quoted):
        return 0.0
    terms = set(content_terms(claim))
    quoted_terms = set(content_terms(quoted))
    found = (terms & quoted_terms) | _translated_terms_found(claim, quoted_terms)
    lexical = len(found & terms) / len(terms) if terms else 0.0
    predicate = terms - set(content_terms(" ".join(_CAPITALIZED_ANYWHERE_RE.findall(claim))))
    if predicate and len(predicate & found) / len(predicate) < PREDICATE_MIN:
        lexical = 0.0
    dense = 0.0
    if cosine is not None:
        dense = float(np.clip((cosine - COSINE_FLOOR) / (COSINE_FULL - COSINE_FLOOR), 0.0, 1.0))
    return max(lexical, dense)


def _translated_terms_found(claim: str, quoted_terms: set[str]) -> set[str]:
    """Stems of the claim's English glossary phrases whose Indonesian words the quotes hold."""
    found: set[str] = set()
    for phrase, targets in translations(claim):
        if any(set(content_terms(t)) <= quoted_terms for t in targets):
            found.update(content_terms(phrase))
    return found


def _needs_embedding(claim: str, quotes: list[str]) -> bool:
    """Only a claim that passes the number/name checks but lacks lexical support can gain from a cosine."""
    quoted = " ".join(quotes)
    if not numbers_of(claim) <= numbers_of(quoted) or missing_names(claim, quoted):
        return False
    return support(claim, quotes) < SUPPORT_MIN


def numbers_of(text: str) -> set[str]:
    """Numbers with their digit grouping removed: "5,000" and "5.000" are both "5000"."""
    return {re.sub(r"[.,]", "", n) for n in _NUMBER_RE.findall(text)}


def missing_names(claim: str, quoted: str) -> list[str]:
    """Capitalized words inside the claim (not sentence-initial, not common English words a
    translation would add) that its quotes never contain."""
    have = set(words(quoted))
    missing = []
    for match in _CAPITALIZED_RE.finditer(claim):
        word = bare_name(match.group())
        lower = word.lower()
        if lower in COMMON_CAPITALIZED_WORDS or lower in stopwords():
            continue
        if not set(words(word)) <= have:
            missing.append(word)
    return missing


def _best_cosines(claims: list[Claim], vectors: EmbeddingCache) -> dict[int, float]:
    out = {}
    for claim in claims:
        quote_vectors = vectors.documents([q.text for q in claim.quotes])
        out[id(claim)] = float(np.max(quote_vectors @ vectors.query(claim.text)))
    return out
