"""The lexical side of the index: BM25 over Sastrawi-stemmed terms in SQLite FTS5.

It lives in the same SQLite file as the catalog, so a chunk enters the lexical index in the same
transaction that marks its article complete: the two can never disagree after a crash.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from assistant.glossary import translations
from assistant.textproc import content_terms

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS lexical USING fts5(
    terms, chunk_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 0'
);
"""


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


# "Who attended ...", "Siapa yang menghadiri ...": the verb right after the question word is what
# the answer must do; the rest is the topic, shared by every passage of the story.
_EN_FOCUS = re.compile(
    r"^\W*(?:who|what|which)\s+(?!(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|"
    r"should|the|a|an)\b)([a-z]+(?:ed|s))\b", re.IGNORECASE)
_ID_FOCUS = re.compile(r"^\W*(?:siapa|apa)(?:kah)?\s+(?:yang\s+)?((?:me|di|ber|ter)[a-z]{3,})\b", re.IGNORECASE)


def focus_words(query: str) -> list[str]:
    """The predicate right after who/what, as written (a verb: "attended", "menghadiri")."""
    return [m.group(1) for pattern in (_EN_FOCUS, _ID_FOCUS) if (m := pattern.search(query))]


def index_terms(text: str, title: str = "") -> str:
    """The space-joined stemmed terms stored for a chunk (title words help name matches)."""
    return " ".join(content_terms(f"{title}\n{text}" if title else text))


def add(conn: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
    """Insert (chunk_id, indexed terms) rows; the caller owns the transaction."""
    conn.executemany("INSERT INTO lexical(terms, chunk_id) VALUES (?, ?)", [(t, c) for c, t in rows])


def delete_chunks(conn: sqlite3.Connection, chunk_ids: list[str]) -> None:
    for start in range(0, len(chunk_ids), 500):
        part = chunk_ids[start : start + 500]
        conn.execute(
            f"DELETE FROM lexical WHERE chunk_id IN ({','.join('?' * len(part))})", part
        )


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM lexical").fetchone()[0]


def analyze(conn: sqlite3.Connection, query: str, language: str | None = None) -> LexicalQuery:
    """The query's stemmed terms that the corpus knows; an English query also gets the glossary's
    Indonesian words, and a query word counts as known when its translation is."""
    from assistant.language import detect_language

    terms = list(dict.fromkeys(content_terms(query)))
    bridged: list[tuple[set[str], list[str]]] = []
    if (language or detect_language(query)) == "en":
        bridged = [(set(content_terms(phrase)), content_terms(" ".join(targets)))
                   for phrase, targets in translations(query)]
    candidates = list(dict.fromkeys(terms + [t for _, stems in bridged for t in stems]))
    known = tuple(t for t in candidates if _term_exists(conn, t))
    known_set = set(known)
    covered = known_set.union(*(words for words, stems in bridged if known_set.intersection(stems)))
    coverage = sum(t in covered for t in terms) / len(terms) if terms else 0.0
    focus = focus_words(query)
    focus_stems = content_terms(" ".join(focus))
    if focus and (language or detect_language(query)) == "en":
        focus_stems += content_terms(" ".join(w for _, targets in translations(" ".join(focus)) for w in targets))
    focus_known = tuple(t for t in dict.fromkeys(focus_stems) if t in known_set)
    return LexicalQuery(tuple(candidates), known, coverage, focus_known)


def _term_exists(conn: sqlite3.Connection, term: str) -> bool:
    row = conn.execute("SELECT 1 FROM lexical WHERE lexical MATCH ? LIMIT 1", (_quote(term),)).fetchone()
    return row is not None


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(terms: tuple[str, ...]) -> str | None:
    return " OR ".join(_quote(t) for t in terms) if terms else None


def search(conn: sqlite3.Connection, query: LexicalQuery, k: int, *, complete_only_sql: str = "",
           params: tuple = ()) -> list[tuple[str, float]]:
    """Top-k (chunk_id, bm25) with bm25 > 0, higher is better. ``complete_only_sql`` is an extra
    SQL condition on ``chunks c`` / ``articles a`` (filters, and hiding half-written articles)."""
    expression = match_expression(query.known_terms)
    if expression is None:
        return []
    sql = (
        "SELECT l.chunk_id, -bm25(lexical) AS score FROM lexical l "
        "JOIN chunks c ON c.chunk_id = l.chunk_id JOIN articles a ON a.doc_id = c.doc_id "
        f"WHERE lexical MATCH ? {complete_only_sql} ORDER BY bm25(lexical) LIMIT ?"
    )
    return [(cid, float(s)) for cid, s in conn.execute(sql, (expression, *params, k))]


def scores_for(conn: sqlite3.Connection, terms: tuple[str, ...], chunk_ids: list[str]) -> dict[str, float]:
    """BM25 of given chunks for these terms (chunks that match none are left out)."""
    expression = match_expression(terms)
    if expression is None or not chunk_ids:
        return {}
    marks = ",".join("?" * len(chunk_ids))
    sql = (
        "SELECT chunk_id, -bm25(lexical) FROM lexical WHERE lexical MATCH ? "
        f"AND chunk_id IN ({marks})"
    )
    return {cid: float(s) for cid, s in conn.execute(sql, (expression, *chunk_ids))}
