"""The lexical side of the index: BM25 over Sastrawi-stemmed terms in SQLite FTS5.

It lives in the same SQLite file as the catalog, so a chunk enters the lexical index in the same
transaction that marks its article complete: the two can never disagree after a crash. A lexical
row's rowid is its chunk row's rowid, so a chunk's terms and deletions are id lookups, not scans.

Abbreviations an article defines ("rapat koordinasi (rakor)") are expanded wherever the article
uses them: Indonesian news names a thing in full once and abbreviates it everywhere after, so
without this only the first passage would match a question that uses the full words.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.glossary import standard_abbreviations, translations
from assistant.textproc import content_terms, stopwords, words

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(
    terms, chunk_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS lexical_vocab USING fts5vocab(lexical, 'row');
"""
FORMAT = "3"
"""Version of how chunks are turned into lexical rows; an index of another version is rebuilt."""
K1, B = 1.2, 0.75
"""BM25 parameters, the same as SQLite FTS5's bm25()."""
COMMON_SHARE = 0.05
"""Terms in more of the chunks than this only score candidates; they don't search for them (a
term in every tenth story makes the FTS scan slow and barely moves the ranking)."""


@dataclass(frozen=True)
class LexicalQuery:
    """A query reduced to stemmed content terms, with how much of it the corpus knows."""

    terms: tuple[str, ...]
    known_terms: tuple[str, ...]
    coverage: float
    """Share of the query's own terms the corpus knows, directly or through the glossary (low for
    an English question over Indonesian text)."""
    focus_terms: tuple[str, ...] = ()
    """Known stems of the predicate a who/what question asks about ("who attended" → hadir)."""
    document_frequency: dict[str, int] = field(default_factory=dict)
    n_docs: int = 0
    average_length: float = 1.0

    def bm25(self, document_terms: list[str], terms: tuple[str, ...] | None = None) -> float:
        """BM25 of one chunk's indexed terms, exactly as FTS5 scores it, over the known terms
        (or the given subset, such as the focus terms)."""
        counts = Counter(document_terms)
        length_norm = K1 * (1 - B + B * len(document_terms) / self.average_length)
        score = 0.0
        for term in self.known_terms if terms is None else terms:
            tf = counts.get(term)
            if tf:
                n = self.document_frequency[term]
                idf = math.log((self.n_docs - n + 0.5) / (n + 0.5))
                score += (idf if idf > 0 else 1e-6) * tf * (K1 + 1) / (tf + length_norm)
        return score

    def search_terms(self) -> tuple[str, ...]:
        """The known terms rare enough to search with (at least the two rarest)."""
        ranked = sorted(self.known_terms, key=lambda t: self.document_frequency[t])
        rare = [t for t in ranked if self.document_frequency[t] <= COMMON_SHARE * self.n_docs]
        return tuple(rare if len(rare) >= 2 else ranked[:2])


# "Who attended ...", "Siapa yang menghadiri ...": the verb right after the question word is what
# the answer must do; the rest is the topic, shared by every passage of the story.
_EN_FOCUS = re.compile(
    r"^\W*(?:who|what|which)\s+(?!(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|"
    r"should|the|a|an)\b)([a-z]+(?:ed|s))\b", re.IGNORECASE)
_ID_FOCUS = re.compile(r"^\W*(?:siapa|apa)(?:kah)?\s+(?:yang\s+)?((?:me|di|ber|ter)[a-z]{3,})\b", re.IGNORECASE)


def focus_words(query: str) -> list[str]:
    """The predicate right after who/what, as written (a verb: "attended", "menghadiri")."""
    return [m.group(1) for pattern in (_EN_FOCUS, _ID_FOCUS) if (m := pattern.search(query))]


_DEFINITION = re.compile(r"((?:[^\W\d_][\w-]*\s+){2,8})\(([^\W\d_]{2,12})\)")
_CONNECTORS = frozenset("dan di dari ke untuk of the and for".split())


@lru_cache(maxsize=256)  # answering asks again for every question about the same passages
def abbreviations(text: str) -> dict[str, str]:
    """Abbreviations of the text, lower-case → the full words: those it defines ("Forum
    Komunikasi Pimpinan Daerah (Forkopimda)", "rapat koordinasi (rakor)"), then the common ones it
    uses undefined ("Dandim", "PN": ``glossary.ID_ABBREVIATIONS``). A definition's short form
    must be spelled by the last few words in order, each giving a piece that starts with its
    first letter (connectors may give none)."""
    found: dict[str, str] = {}
    for match in _DEFINITION.finditer(text):
        preceding, short = match.group(1).split(), match.group(2).lower()
        if short in stopwords():
            continue
        for n in range(2, len(preceding) + 1):
            long_words = [w.lower() for w in preceding[-n:]]
            if long_words[0] not in _CONNECTORS and _spells(short, long_words):
                found.setdefault(short, " ".join(preceding[-n:]))
                break
    return {**standard_abbreviations(text), **found}


def _spells(short: str, long_words: list[str]) -> bool:
    """Whether ``short`` splits into pieces, one per word in order, each a subsequence of its word
    that starts with the word's first letter (a connector word may give an empty piece)."""
    if not long_words:
        return not short
    word, rest = long_words[0], long_words[1:]
    if word in _CONNECTORS and _spells(short, rest):
        return True
    if not short or short[0] != word[0]:
        return False
    position = 1
    for length in range(1, len(short) + 1):
        if length > 1:
            position = word.find(short[length - 1], position) + 1
            if not position:
                return False
        if _spells(short[length:], rest):
            return True
    return False


def index_terms(text: str, title: str = "", expansions: dict[str, str] | None = None) -> str:
    """The space-joined stemmed terms stored for a chunk (title words help name matches). A chunk
    using an abbreviation of ``expansions`` without its full words gets them once (once, so a
    passage that repeats the short form doesn't outweigh one that spells it out)."""
    full = f"{title}\n{text}" if title else text
    if expansions:
        lowered = full.lower()
        used = dict.fromkeys(w for w in words(full) if w in expansions)
        full += "".join(f"\n{expansions[w]}" for w in used if expansions[w].lower() not in lowered)
    return " ".join(content_terms(full))


_sizes: OrderedDict[tuple[str, int], tuple[int, float]] = OrderedDict()
_sizes_lock = threading.Lock()
SIZES_KEPT = 64
"""Corpus sizes remembered (per index file and change marker); older ones are dropped."""


def corpus_size(conn: sqlite3.Connection) -> tuple[int, float]:
    """(number of chunks, average indexed terms per chunk), recounted only when rows were added
    (counting costs tens of ms at 100k chunks; the newest rowid is a cheap change marker)."""
    newest = conn.execute("SELECT coalesce(max(rowid), 0) FROM lexical").fetchone()[0]
    key = (conn.execute("PRAGMA database_list").fetchone()[2], newest)
    with _sizes_lock:
        cached = _sizes.get(key)
    if cached is None:
        n_docs = count(conn)
        total = conn.execute("SELECT coalesce(sum(cnt), 0) FROM lexical_vocab").fetchone()[0]
        cached = (n_docs, (total / n_docs if n_docs else 1.0) or 1.0)
        with _sizes_lock:
            _sizes[key] = cached
            while len(_sizes) > SIZES_KEPT:
                _sizes.popitem(last=False)
    return cached


def add(conn: sqlite3.Connection, rows: list[tuple[int, str, str]]) -> None:
    """Insert (chunk rowid, chunk_id, indexed terms) rows; the caller owns the transaction."""
    conn.executemany("INSERT OR REPLACE INTO lexical(rowid, chunk_id, terms) VALUES (?, ?, ?)", rows)


def delete_rows(conn: sqlite3.Connection, rowids: list[int]) -> None:
    for start in range(0, len(rowids), 500):
        part = rowids[start : start + 500]
        conn.execute(f"DELETE FROM lexical WHERE rowid IN ({','.join('?' * len(part))})", part)


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM lexical").fetchone()[0]


def analyze(conn: sqlite3.Connection, query: str, language: str | None = None) -> LexicalQuery:
    """The query's stemmed terms that the corpus knows; an English query also gets the glossary's
    Indonesian words, and a query word counts as known when its translation is."""
    from assistant.language import detect_language

    english = (language or detect_language(query)) == "en"
    terms = list(dict.fromkeys(content_terms(query)))
    bridged: list[tuple[set[str], list[str]]] = []
    if english:
        bridged = [(set(content_terms(phrase)), content_terms(" ".join(targets)))
                   for phrase, targets in translations(query)]
    candidates = list(dict.fromkeys(terms + [t for _, stems in bridged for t in stems]))
    frequency = {t: n for t in candidates if (n := _document_frequency(conn, t))}
    known = tuple(frequency)
    known_set = set(known)
    covered = known_set.union(*(words for words, stems in bridged if known_set.intersection(stems)))
    coverage = sum(t in covered for t in terms) / len(terms) if terms else 0.0
    focus = focus_words(query)
    focus_stems = content_terms(" ".join(focus))
    if focus and english:
        focus_stems += content_terms(" ".join(w for _, targets in translations(" ".join(focus)) for w in targets))
    focus_known = tuple(t for t in dict.fromkeys(focus_stems) if t in known_set)
    n_docs, average_length = corpus_size(conn)
    return LexicalQuery(tuple(candidates), known, coverage, focus_known, frequency, n_docs, average_length)


def _document_frequency(conn: sqlite3.Connection, term: str) -> int:
    row = conn.execute("SELECT doc FROM lexical_vocab WHERE term = ?", (term,)).fetchone()
    return row[0] if row else 0


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(terms: tuple[str, ...]) -> str | None:
    return " OR ".join(_quote(t) for t in terms) if terms else None


def search(conn: sqlite3.Connection, query: LexicalQuery, k: int, *, filter_sql: str = "",
           params: tuple = ()) -> list[tuple[str, float]]:
    """Top-k candidates (chunk_id, FTS5 bm25 over the rare query terms), best first; the caller
    scores candidates with ``LexicalQuery.bm25`` over all terms and drops chunks of articles
    that are not complete. ``filter_sql`` is an extra SQL condition on ``chunks c`` /
    ``articles a`` (date and source filters); without one, no join slows the scan."""
    expression = match_expression(query.search_terms())
    if expression is None:
        return []
    if not filter_sql:
        sql = "SELECT chunk_id, -rank FROM lexical WHERE lexical MATCH ? ORDER BY rank LIMIT ?"
        return [(cid, float(s)) for cid, s in conn.execute(sql, (expression, k))]
    sql = (
        "SELECT l.chunk_id, -l.rank FROM lexical l "
        "JOIN chunks c ON c.chunk_id = l.chunk_id JOIN articles a ON a.doc_id = c.doc_id "
        f"WHERE lexical MATCH ? {filter_sql} ORDER BY l.rank LIMIT ?"
    )
    return [(cid, float(s)) for cid, s in conn.execute(sql, (expression, *params, k))]
