"""Evidence selection: from retrieved chunks to scored candidate sentences, with their speakers.

The hits of one article are merged back into reading order so a sentence like "Dia juga ..."
or '"...," imbuhnya.' can be attributed to the person named a few sentences earlier, even when
that person sits in another chunk. Sentences are scored by lexical overlap (stemmed, idf-weighted),
the embedder's similarity to the question (only for the best lexical candidates, and cached,
because embedding is the slow part), the kind of answer they hold, and the hit's retrieval rank.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.language import (
    QUOTE,
    SPEECH_VERB_RE,
    TITLE_WORDS,
    QuestionAnalysis,
    is_anaphoric,
    kind_scores,
    phrase_match,
)
from assistant.records import Hit
from assistant.textproc import content_terms, stopwords

# Score weights; the kind weight is high because a sentence without the asked-for kind of
# answer (a date for "when") cannot answer, however similar it is.
W_DENSE = 1.0
W_LEXICAL = 1.0
W_KIND = 0.8
W_RETRIEVAL = 0.2
W_SPEAKER = 1.0
EMBED_TOP = 12
"""How many pre-scored sentences get an embedding per question (the rest keep dense 0)."""
MAX_GAP_CHARS = 3
"""Two sentences this close (whitespace apart) are consecutive in the article."""

RANK_WORDS = frozenset(
    "Kombes AKBP AKP Kompol Iptu Ipda Aiptu Brigjen Irjen Komjen Jenderal Kolonel Letkol Mayor "
    "Mayjen Letjen Inf Kav Laksamana Marsekal Dr Prof Ir H Hj KH".split()
)
_TITLES = frozenset(TITLE_WORDS) - RANK_WORDS
_PRONOUNS = frozenset("dia ia beliau mereka he she they it this that".split())
_PLACE_WORDS = frozenset("Barat Timur Utara Selatan Tengah West East North South Central Kota Metro Raya".split())
_CAP_TOKEN = r"(?:[A-Z][\w'’.-]*|\d+[\w/]*)"
_SPEECH_THEN_NAME_RE = re.compile(
    r"\b(?:ujar|kata|ungkap|tutur|jelas|imbuh|tambah|lanjut|pungkas|terang|tegas|sebut|papar|ucap|said|told|added)"
    rf"\s+(?P<name>[A-Z][\w'’.-]*(?:\s+{_CAP_TOKEN})*)"
)
_SUBJECT_THEN_VERB_RE = re.compile(
    r"^(?:(?:Sementara itu|Selain itu|Di sisi lain|Meanwhile|However|Namun),?\s+)?"
    rf"(?P<subject>[A-Z][\w'’./-]*(?:,?\s+{_CAP_TOKEN})*)\s*,?\s+(?:juga\s+)?(?P<verb>[a-z]+)\b"
)
_NAME_THEN_SAID_RE = re.compile(rf"(?P<name>[A-Z][\w'’.-]*(?:\s+{_CAP_TOKEN})*)\s+(?:said|says|told|added)\b")


@dataclass(frozen=True)
class Person:
    """A speaker as the article introduces them: "Hendra Hidayat", "Wakil Wali Kota Jakarta Barat"."""

    name: str
    office: str | None = field(default=None, compare=False)
    introduced_at: int | None = field(default=None, compare=False)
    """Position (in the merged reading order) of the sentence naming the office, when found."""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.office})" if self.office else self.name


@dataclass
class Candidate:
    """One sentence of a hit that might answer the question, with its score parts."""

    hit: Hit
    start: int
    end: int
    text: str
    position: int
    follows_previous: bool
    speaker: Person | None = None
    kinds: dict[str, float] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)
    score: float = 0.0


class VectorCache:
    """Sentence and query embeddings kept across questions: sentences repeat between questions
    about the same articles, and embedding is the slow part of answering."""

    def __init__(self, embedder, max_items: int = 8192):
        self.embedder = embedder
        self.max_items = max_items
        self._documents: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._remember(self._queries, text, np.asarray(self.embedder.embed_query(text), dtype=np.float32))
        return self._queries[text]

    def remember_hits(self, hits: list[Hit]) -> None:
        """Take sentence vectors a retriever already has (``hit.extra["sentence_vectors"]``, one
        per sentence span, computed at ingestion), so answering embeds no article text."""
        for hit in hits:
            given = hit.extra.get("sentence_vectors")
            if given is not None and len(given) == len(hit.sentences):
                for (_, _, text), vector in zip(hit.sentence_texts(), given):
                    if text not in self._documents:
                        self._remember(self._documents, text, np.asarray(vector, dtype=np.float32))

    def documents(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._documents))
        if missing:
            for text, vector in zip(missing, self.embedder.embed_documents(missing)):
                self._remember(self._documents, text, np.asarray(vector, dtype=np.float32))
        return np.stack([self._documents[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)

    def _remember(self, store: OrderedDict, key: str, vector: np.ndarray) -> None:
        norm = float(np.linalg.norm(vector)) or 1.0
        store[key] = vector / norm
        store.move_to_end(key)
        while len(store) > self.max_items:
            store.popitem(last=False)


def reading_order(hits: list[Hit]) -> list[Candidate]:
    """Every distinct sentence of the hits, per article in text order; the best-ranked hit holding
    a sentence is the one it will be cited from."""
    seen: dict[tuple[str, int, int], Candidate] = {}
    for hit in hits:
        for start, end, text in hit.sentence_texts():
            key = (hit.doc_id, start, end)
            if key not in seen and text.strip():
                seen[key] = Candidate(hit=hit, start=start, end=end, text=text, position=0, follows_previous=False)
    doc_order = list(dict.fromkeys(h.doc_id for h in hits))
    ordered = sorted(seen.values(), key=lambda c: (doc_order.index(c.hit.doc_id), c.start))
    for i, cand in enumerate(ordered):
        cand.position = i
        prev = ordered[i - 1] if i else None
        cand.follows_previous = bool(
            prev and prev.hit.doc_id == cand.hit.doc_id and 0 <= cand.start - prev.end <= MAX_GAP_CHARS
        )
    return ordered


def attribute_speakers(sentences: list[Candidate]) -> None:
    """Give each sentence its speaker: named in it ("ujar Syahduddi", "X mengatakan ..."), or, for
    "Dia ..."/"..., imbuhnya", the last speaker of the consecutive sentences before it."""
    current: Person | None = None
    for cand in sentences:
        if not cand.follows_previous:
            current = None
        named = _named_speaker(cand.text)
        if named:
            current = describe_person(named, sentences, cand.hit.doc_id, cand.position)
            cand.speaker = current
        elif current and is_anaphoric(cand.text):
            cand.speaker = current
    for cand, after in zip(reversed(sentences[:-1]), reversed(sentences[1:])):
        opens_quote = cand.text.count('"') % 2 == 1 or cand.text.count("“") > cand.text.count("”")
        if cand.speaker is None and opens_quote and after.follows_previous and after.speaker:
            cand.speaker = after.speaker


def _named_speaker(sentence: str) -> str | None:
    """The name of whoever a sentence says is speaking or thinking, if it names them."""
    match = _SPEECH_THEN_NAME_RE.search(sentence) or _NAME_THEN_SAID_RE.search(sentence)
    if match:
        return _clean_name(match.group("name"))
    match = _SUBJECT_THEN_VERB_RE.search(sentence)
    if match and SPEECH_VERB_RE.fullmatch(match.group("verb")):
        subject = match.group("subject")
        parts = [p.strip() for p in subject.split(",")]
        tokens = parts[-1].split()
        is_person = any(t in _TITLES or t in RANK_WORDS for t in subject.split()) or len(tokens) <= 3
        if not is_person:
            return None
        last_office = max((i for i, t in enumerate(tokens) if t in _TITLES or t in _PLACE_WORDS), default=-1)
        return _clean_name(" ".join(tokens[last_office + 1 :]))
    return None


def _clean_name(name: str) -> str | None:
    """A name without trailing punctuation, or None for pronouns and connectives ("Ia", "Sebabnya")."""
    name = name.strip().rstrip(".,;:")
    lower = [w.lower() for w in name.split()]
    if not lower or lower[0] in stopwords() or lower[0].endswith("nya") or lower[0] in _PRONOUNS:
        return None
    return name


def describe_person(name: str, sentences: list[Candidate], doc_id: str, near: int) -> Person:
    """Full name and office of a person named (maybe partly) in an article, from the mention with
    a title before it ("Kapolres Metro Jakarta Barat Kombes M Syahduddi") closest before ``near``."""
    key = name.split()[0]
    mentions = []
    for cand in sentences:
        if cand.hit.doc_id != doc_id:
            continue
        for match in re.finditer(rf"\b{re.escape(key)}\b", cand.text):
            full, office = _mention_at(cand.text, match.start())
            mentions.append(Person(name=full, office=office, introduced_at=cand.position if office else None))
    titled = [m for m in mentions if m.office]
    if titled:
        before = [m for m in titled if m.introduced_at <= near]
        return max(before, key=lambda m: m.introduced_at) if before else min(titled, key=lambda m: m.introduced_at)
    return max(mentions, key=lambda m: len(m.name), default=Person(name=name, office=None, introduced_at=None))


def _mention_at(text: str, start: int) -> tuple[str, str | None]:
    """Name (with ranks and initials) and office around the name starting at ``start``."""
    right = re.match(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’-]*)*", text[start:])
    name_tokens = right.group().split() if right else [text[start:].split()[0]]
    name_tokens = [t for t in name_tokens[:4]]
    before = text[:start].split()
    while before and (before[-1] in RANK_WORDS or re.fullmatch(r"[A-Z]{1,3}\.?", before[-1])):
        name_tokens.insert(0, before.pop())
    office_tokens: list[str] = []
    for token in reversed(before):
        bare = token.rstrip(",")
        if not (bare[:1].isupper() or re.fullmatch(r"\d+[\w/]*", bare)) or (token.endswith(",") and office_tokens):
            break
        office_tokens.insert(0, bare)
    while office_tokens and office_tokens[0] not in _TITLES:
        office_tokens.pop(0)
    name = " ".join(name_tokens).rstrip(",.")
    return name, (" ".join(office_tokens) or None)


SPEAKER_MIN_MATCH = 0.5
"""Share of a speaker phrase's words (or office terms) a person's name and office must hold."""


def match_speaker(phrase: str, people: list[Person]) -> Person | None:
    """The person a question's speaker phrase means ("the Wakil Wali Kota", "the deputy mayor"
    → Hendra Hidayat), by shared words with their name and office."""
    scored = [(phrase_match(phrase, p.label), p) for p in people]
    best = max(scored, key=lambda sp: sp[0], default=(0.0, None))
    return best[1] if best[0] >= SPEAKER_MIN_MATCH else None


def score_candidates(
    sentences: list[Candidate],
    analysis: QuestionAnalysis,
    vectors: VectorCache | None,
    speaker: Person | None,
) -> list[Candidate]:
    """Score every sentence for the question; best first."""
    if not sentences:
        return []
    focus = analysis.topic if analysis.kind == QUOTE and analysis.topic else analysis.text
    query_terms = set(content_terms(focus)) - set(content_terms(analysis.speaker or ""))
    sentence_terms = [set(content_terms(c.text)) for c in sentences]
    idf = _idf(sentence_terms)
    total = sum(idf.get(t, _unseen_idf(len(sentences))) for t in query_terms)
    ranks = {h: i for i, h in enumerate(dict.fromkeys(c.hit.chunk_id for c in sorted(sentences, key=lambda c: c.hit.rank)))}
    for cand, terms in zip(sentences, sentence_terms):
        cand.kinds = kind_scores(cand.text)
        lexical = sum(idf[t] for t in query_terms & terms) / total if total else 0.0
        same_speaker = 0.0
        if speaker is not None:
            same_speaker = 1.0 if cand.speaker == speaker else (-1.0 if cand.speaker else -0.3)
        cand.parts = {
            "lexical": lexical,
            "kind": cand.kinds.get(analysis.kind, 0.0),
            "retrieval": 1.0 / (1 + ranks[cand.hit.chunk_id]),
            "speaker": same_speaker,
            "dense": 0.0,
            "cosine": 0.0,
        }
        cand.score = _combine(cand.parts)
    ranked = sorted(sentences, key=lambda c: -c.score)
    if vectors is not None:
        top = ranked[:EMBED_TOP]
        cosines = vectors.documents([c.text for c in top]) @ vectors.query(analysis.text)
        low, high = float(cosines.min()), float(cosines.max())
        for cand, cos in zip(top, cosines):
            cand.parts["cosine"] = float(cos)
            cand.parts["dense"] = (float(cos) - low) / (high - low) if high > low else 1.0
            cand.score = _combine(cand.parts)
        ranked = sorted(sentences, key=lambda c: -c.score)
    return ranked


def _combine(parts: dict[str, float]) -> float:
    return (
        W_DENSE * parts["dense"]
        + W_LEXICAL * parts["lexical"]
        + W_KIND * parts["kind"]
        + W_RETRIEVAL * parts["retrieval"]
        + W_SPEAKER * parts["speaker"]
    )


def _idf(sentence_terms: list[set[str]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for terms in sentence_terms:
        for t in terms:
            df[t] = df.get(t, 0) + 1
    n = len(sentence_terms)
    return {t: math.log(1 + n / d) for t, d in df.items()}


def _unseen_idf(n: int) -> float:
    return math.log(1 + n)


def speakers_of(sentences: list[Candidate]) -> list[Person]:
    return list(dict.fromkeys(c.speaker for c in sentences if c.speaker))
