"""Evidence selection: from retrieved chunks to scored candidate sentences, with their speakers.

The hits of one article are merged back into reading order so a sentence like "Dia juga ..."
or '"...," imbuhnya.' can be attributed to the person named a few sentences earlier, even when
that person sits in another chunk. Sentences are scored by lexical overlap (stemmed, idf-weighted,
over ``QueryUnit``s: an English question's glossary phrases match their Indonesian words, and the
question's focus terms weigh double; a sentence also holds the full words of the abbreviations
it uses: "Rakor" → "rapat koordinasi", "PN" → "pengadilan negeri"), whether they hold the
focus, the embedder's similarity to
the question (only for the few best pre-scored candidates, cut to ``EMBED_MAX_CHARS`` and cached,
because embedding is the slow part), the kind of answer they hold, and the hit's retrieval rank.
``parts["attribute"]`` (overlap with what the question asks about beyond names and dates) feeds
the abstention rule in ``answering``.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.language import (
    PERSON,
    PRONOUNS,
    QUOTE,
    THING,
    SPEECH_VERB_RE,
    TITLE_WORDS,
    EN_FUNCTION_WORDS,
    QuestionAnalysis,
    frame_words,
    is_anaphoric,
    kind_scores,
    phrase_match,
)
from assistant.glossary import ID_ABBREVIATIONS, related_stems, translations
from assistant.lexical import abbreviations
from assistant.records import Hit
from assistant.textproc import content_terms, stopwords, words

# Score weights; the kind weight is high because a sentence without the asked-for kind of
# answer (a date for "when") cannot answer, however similar it is.
W_DENSE = 1.0
W_LEXICAL = 1.0
W_KIND = 0.8
W_RETRIEVAL = 0.2
W_SPEAKER = 1.0
W_FOCUS = 0.5
W_NAMES = 0.0
"""Bonus for holding the names the question gives (an acronym such as "KPUD", a person's name):
of two sentences sharing as many words, the one naming what is asked about answers it."""
"""Bonus for holding the question's focus (its predicate: "attended" → "dihadiri")."""
FOCUS_BOOST = 2.0
"""Focus units weigh this many times their idf in the lexical overlap."""
EMBED_TOP = 3
"""How many pre-scored sentences get an embedding per question (the rest keep dense 0): each new
sentence costs ~25 ms on 2 cores, so only the few that can still win are embedded."""
EMBED_MAX_CHARS = 300
DENSE_FLOOR = 0.75
DENSE_FULL = 0.90
MAX_GAP_CHARS = 3
"""Two sentences this close (whitespace apart) are consecutive in the article."""

RANK_WORDS = frozenset(
    "Kombes AKBP AKP Kompol Iptu Ipda Aiptu Brigjen Irjen Komjen Jenderal Kolonel Letkol Mayor "
    "Mayjen Letjen Inf Kav Laksamana Marsekal Dr Prof Ir H Hj KH".split()
)
_TITLES = frozenset(TITLE_WORDS) - RANK_WORDS
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
    if not lower or lower[0] in stopwords() or lower[0].endswith("nya") or lower[0] in PRONOUNS:
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


def names_given(name: str, text: str) -> set[str]:
    """Every way ``text`` writes the person whose name holds the word ``name`` (with ranks and
    initials, without office): "Siti" → {"Siti"}, "Syahduddi" → {"Kombes M Syahduddi", ...}."""
    return {_mention_at(text, m.start())[0] for m in re.finditer(rf"\b{re.escape(name)}\b", text)}


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


@dataclass(frozen=True)
class QueryUnit:
    """One thing a sentence may share with the question: a stem, or an English glossary phrase
    with its Indonesian renderings; any one alternative (all of its stems) matches."""

    label: str
    alternatives: tuple[frozenset[str], ...]
    """The last alternative is the question's own word(s)."""
    focus: bool = False
    optional: bool = False
    """A word naming the kind of answer ("what *challenge*", "which *institutions*"): a sentence
    holding it gains, one without it loses nothing (the answer is an instance of it)."""


FRAME_WORDS = frozenset(
    """name names date time day year month place number many much kind type nama tanggal hari
    tahun bulan pukul jam jumlah tempat lokasi letak judul menjabat dijabat jabatan pangkat position
    serves served role title job rank""".split()
)
"""Words that frame what kind of answer is wanted ("what is the name of", "tanggal berapa"),
not what it is about: they are left out of the overlap."""


_DATE_WORD_RE = re.compile(
    r"(?:19|20)\d\d|januari|februari|maret|april|mei|juni|juli|agustus|september|oktober|november|desember"
    r"|senin|selasa|rabu|kamis|jumat|sabtu|minggu|january|february|march|june|july|august|october|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|sekarang|kini|now|currently|today"
)
"""Dates in a question that is not about a date are context (often from the article's dateline),
and so is "now": "Siapa Wali Kota Banda Aceh sekarang?" asks for the office holder the article names."""


_GENERIC_SUBJECT = frozenset(content_terms("pertama kali kedua terakhir awal first time times"))
"""Words that say which occurrence, not which event: left out of ``parts["subject"]``."""


def query_units(analysis: QuestionAnalysis) -> list[QueryUnit]:
    """What a sentence should share with the question: its content stems (for English questions
    also the glossary's Indonesian words, since the articles may be Indonesian), without the
    speaker's words; units holding a focus term are marked."""
    text = analysis.topic if analysis.kind == QUOTE and analysis.topic else analysis.text
    if analysis.kind == QUOTE and not analysis.topic and analysis.speaker:
        text = analysis.text.replace(analysis.speaker, " ")
    speaker_terms = set(content_terms(analysis.speaker or ""))
    focus_stems = set(content_terms(" ".join(analysis.focus_terms)))
    focus_words = set(analysis.focus_terms)
    units: list[QueryUnit] = []
    seen: set[str] = set()
    rest = text
    kind_words = frame_words(analysis.text, analysis.language) - FRAME_WORDS
    if analysis.language == "en":
        for english, targets in translations(text):
            stems = frozenset(content_terms(english))
            if not stems or stems <= speaker_terms or english in FRAME_WORDS:
                continue
            alternatives = [frozenset(content_terms(t)) for t in targets] + [stems]
            is_focus = bool(set(english.split()) & focus_words)
            units.append(QueryUnit(english, tuple(a for a in alternatives if a), is_focus, english in kind_words))
            seen |= stems
            rest = re.sub(rf"\b{re.escape(english)}\b", " ", rest, flags=re.IGNORECASE)
    frames = FRAME_WORDS | (EN_FUNCTION_WORDS if analysis.language == "en" else frozenset())
    for word in words(rest):
        if word in frames:
            continue
        for stem in content_terms(word):
            if stem in seen or stem in speaker_terms:
                continue
            seen.add(stem)
            alternatives = tuple(frozenset([r]) for r in related_stems(stem))
            if word in ID_ABBREVIATIONS:  # "Dandim" is said "Komandan Kodim" too
                alternatives += (frozenset(content_terms(ID_ABBREVIATIONS[word])),)
            alternatives += (frozenset([stem]),)  # the question's own word goes last, as above
            units.append(QueryUnit(stem, alternatives, stem in focus_stems or word in focus_words, word in kind_words))
    return units


def attribute_units(units: list[QueryUnit], analysis: QuestionAnalysis) -> list[int]:
    """Indexes of the units saying what the question asks about: not its names, not dates."""
    skip = set(content_terms(" ".join(analysis.names))) | {u.label for u in units if _DATE_WORD_RE.fullmatch(u.label)}
    return [i for i, u in enumerate(units) if not u.alternatives[-1] <= skip]


def unit_matches(unit: QueryUnit, terms: set[str]) -> bool:
    return any(alt <= terms for alt in unit.alternatives)


def score_candidates(
    sentences: list[Candidate],
    analysis: QuestionAnalysis,
    vectors: VectorCache | None,
    speaker: Person | None,
) -> list[Candidate]:
    """Score every sentence for the question; best first. Embeds at most ``EMBED_TOP`` sentences
    (the best by everything else), each cut to ``EMBED_MAX_CHARS``; vectors are cached."""
    if not sentences:
        return []
    units = query_units(analysis)
    expansions = _abbreviations_by_article(sentences)
    sentence_terms = [set(content_terms(c.text)) | expanded_terms(c.text, expansions[c.hit.doc_id])
                      for c in sentences]
    idf = _idf(sentence_terms)
    unseen = _unseen_idf(len(sentences))
    weights = [
        (FOCUS_BOOST if u.focus else 1.0) * max((min(idf.get(t, unseen) for t in alt) for alt in u.alternatives),
                                                 default=unseen)
        for u in units
    ]
    required = [0.0 if u.optional else w for u, w in zip(units, weights)]
    total = sum(required)
    focus_units = [i for i, u in enumerate(units) if u.focus]
    date_stems = {u.label for u in units if _DATE_WORD_RE.fullmatch(u.label)}
    plain = attribute_units(units, analysis)
    plain_total = sum(required[i] for i in plain)
    subject = [i for i in plain if not units[i].focus and units[i].label not in _GENERIC_SUBJECT]
    subject_total = sum(required[i] for i in subject)
    name_units = [i for i, u in enumerate(units) if i not in plain and not (u.alternatives[-1] <= date_stems)]
    ranks = {h: i for i, h in enumerate(dict.fromkeys(c.hit.chunk_id for c in sorted(sentences, key=lambda c: c.hit.rank)))}
    for cand, terms in zip(sentences, sentence_terms):
        cand.kinds = kind_scores(cand.text)
        if cand.speaker is not None and is_anaphoric(cand.text):
            cand.kinds[PERSON] = 1.0  # "Dia juga meminta ...": the answer's lead-in names the person
        if cand.speaker is not None and cand.text.lstrip().startswith(('"', "“")):
            cand.kinds[QUOTE] = 1.0  # the opening sentence of a quotation whose speech verb comes later
        if cand.speaker is not None:  # "Dia juga meminta ..." mentions its speaker, by pronoun
            terms = terms | set(content_terms(cand.speaker.label))
        matched = [unit_matches(u, terms) for u in units]
        bonus = sum(w for u, w, m in zip(units, weights, matched) if u.optional and m)
        lexical = sum(w for w, m in zip(weights, matched) if m) / (total + bonus) if total + bonus else 0.0
        focus = sum(matched[i] for i in focus_units) / len(focus_units) if focus_units else 1.0
        plain_bonus = sum(weights[i] for i in plain if units[i].optional and matched[i])
        attribute = (sum(weights[i] for i in plain if matched[i]) / (plain_total + plain_bonus)
                     if plain_total + plain_bonus else 1.0)
        subject_bonus = sum(weights[i] for i in subject if units[i].optional and matched[i])
        subject_share = (sum(weights[i] for i in subject if matched[i]) / (subject_total + subject_bonus)
                         if subject_total + subject_bonus else 1.0)
        names = sum(matched[i] for i in name_units) / len(name_units) if name_units else 0.0
        same_speaker = 0.0
        if speaker is not None:
            same_speaker = 1.0 if cand.speaker == speaker else (-1.0 if cand.speaker else -0.3)
        cand.parts = {
            "lexical": lexical,
            "focus": focus if focus_units else 0.0,
            "has_focus": 1.0 if focus_units else 0.0,
            "attribute": attribute,
            "subject": subject_share,
            "names": names,
            # "which *election*": a sentence naming the answer's kind holds that kind of answer
            "kind": 1.0 if analysis.kind == THING and bonus else _kind_part(cand.kinds, analysis),
            "retrieval": 1.0 / (1 + ranks[cand.hit.chunk_id]),
            "speaker": same_speaker,
            "dense": 0.0,
            "cosine": 0.0,
        }
        cand.score = _combine(cand.parts)
    ranked = sorted(sentences, key=lambda c: -c.score)
    if vectors is not None:
        top = ranked[:EMBED_TOP]
        known = {id(c): c.hit.dense_score for c in top if _is_whole_chunk(c)}
        to_embed = [c for c in top if id(c) not in known]
        if to_embed:
            query = vectors.query(analysis.text)
            for cand, cos in zip(to_embed, vectors.documents([_for_embedding(c.text) for c in to_embed]) @ query):
                known[id(cand)] = float(cos)
        for cand in top:
            cos = known[id(cand)]
            cand.parts["cosine"] = float(cos)
            cand.parts["dense"] = dense_part(float(cos))
            cand.score = _combine(cand.parts)
        ranked = sorted(sentences, key=lambda c: -c.score)
    return ranked


def _kind_part(kinds: dict[str, float], analysis: QuestionAnalysis) -> float:
    """How well a sentence holds the asked-for kind; a statement asked "seperti apa" or "why"
    should also hold that (a manner, a reason), so both count half."""
    if analysis.quoted_kind is None:
        return kinds.get(analysis.kind, 0.0)
    return (kinds.get(analysis.kind, 0.0) + kinds.get(analysis.quoted_kind, 0.0)) / 2


def _abbreviations_by_article(sentences: list[Candidate]) -> dict[str, dict[str, str]]:
    """Each article's abbreviations, from what of it was retrieved (see ``lexical.abbreviations``)."""
    texts: dict[str, list[str]] = {}
    for cand in sentences:
        texts.setdefault(cand.hit.doc_id, [cand.hit.title]).append(cand.text)
    return {doc_id: abbreviations(" ".join(parts)) for doc_id, parts in texts.items()}


def expanded_terms(text: str, expansions: dict[str, str]) -> set[str]:
    """Stems of the full words of the abbreviations a text uses: "Rakor digelar ..." also says
    "rapat koordinasi", and "Ketua PN" says "pengadilan negeri"."""
    return set(content_terms(" ".join(expansions[w] for w in dict.fromkeys(words(text)) if w in expansions)))


def dense_part(cosine: float) -> float:
    """e5 cosine mapped to 0..1 between DENSE_FLOOR and DENSE_FULL (absolute, so a sentence's
    score does not depend on which other sentences were embedded)."""
    return min(1.0, max(0.0, (cosine - DENSE_FLOOR) / (DENSE_FULL - DENSE_FLOOR)))


def _is_whole_chunk(cand: Candidate) -> bool:
    """A sentence that is its whole chunk already has its cosine: the retriever's dense score
    (same model, same "passage" side), so it needs no embedding."""
    hit = cand.hit
    return (hit.dense_score is not None and len(hit.sentences) == 1 and len(cand.text) <= EMBED_MAX_CHARS
            and hit.text.strip() == cand.text.strip())


def _for_embedding(text: str) -> str:
    """Very long sentences (attendee lists) are cut for scoring: embedding cost grows with length."""
    if len(text) <= EMBED_MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, EMBED_MAX_CHARS)
    return text[: cut if cut > 0 else EMBED_MAX_CHARS]


def _combine(parts: dict[str, float]) -> float:
    return (
        W_DENSE * parts["dense"]
        + W_LEXICAL * parts["lexical"]
        + W_FOCUS * parts["focus"]
        + W_NAMES * parts.get("names", 0.0)
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
