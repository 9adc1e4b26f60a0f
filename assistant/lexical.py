"""The lexical side of the index: BM25 over Sastrawi-stemmed terms in SQLite FTS5.

It lives in the same SQLite file as the catalog, so a chunk enters the lexical index in the same
transaction that marks its article complete: the two can never disagree after a crash. A lexical
row's rowid is its chunk row's rowid, so a chunk's terms and deletions are id lookups, not scans.

An English question's words count through the news glossary (``glossary.translations``): BM25
weighs in only as much as the corpus knows the question's words (``coverage``).
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from assistant.glossary import translations
from assistant.textproc import content_terms

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(
    terms, chunk_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS lexical_vocab USING fts5vocab(lexical, 'row');
"""
FORMAT = "4"
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
    document_frequency: dict[str, int] = field(default_factory=dict)
    n_docs: int = 0
    average_length: float = 1.0

    def bm25(self, document_terms: list[str]) -> float:
        """BM25 of one chunk's indexed terms over the query's known terms, exactly as FTS5 scores it."""
        counts = Counter(document_terms)
        length_norm = K1 * (1 - B + B * len(document_terms) / self.average_length)
        score = 0.0
        for term in self.known_terms:
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


def index_terms(text: str, title: str = "") -> str:
    """The space-joined stemmed terms stored for a chunk (title words help name matches)."""
    return " ".join(content_terms(f"{title}\n{text}" if title else text))


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
    n_docs, average_length = corpus_size(conn)
    return LexicalQuery(tuple(candidates), known, coverage, frequency, n_docs, average_length)


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
