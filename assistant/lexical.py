"""The lexical side of the index: BM25 over Sastrawi-stemmed terms in SQLite FTS5.

It lives in the same SQLite file as the catalog, so a chunk enters the lexical index in the same
transaction that marks its article complete: the two can never disagree after a crash.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

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

    @property
    def coverage(self) -> float:
        """Share of the query's terms that occur in the corpus (low for English over Indonesian)."""
        return len(self.known_terms) / len(self.terms) if self.terms else 0.0


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


def analyze(conn: sqlite3.Connection, query: str) -> LexicalQuery:
    terms = tuple(dict.fromkeys(content_terms(query)))
    known = tuple(t for t in terms if _term_exists(conn, t))
    return LexicalQuery(terms, known)


def _term_exists(conn: sqlite3.Connection, term: str) -> bool:
    row = conn.execute("SELECT 1 FROM lexical WHERE lexical MATCH ? LIMIT 1", (_quote(term),)).fetchone()
    return row is not None


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: LexicalQuery) -> str | None:
    if not query.known_terms:
        return None
    return " OR ".join(_quote(t) for t in query.known_terms)


def search(conn: sqlite3.Connection, query: LexicalQuery, k: int, *, complete_only_sql: str = "",
           params: tuple = ()) -> list[tuple[str, float]]:
    """Top-k (chunk_id, bm25) with bm25 > 0, higher is better. ``complete_only_sql`` is an extra
    SQL condition on ``chunks c`` / ``articles a`` (filters, and hiding half-written articles)."""
    expression = match_expression(query)
    if expression is None:
        return []
    sql = (
        "SELECT l.chunk_id, -bm25(lexical) AS score FROM lexical l "
        "JOIN chunks c ON c.chunk_id = l.chunk_id JOIN articles a ON a.doc_id = c.doc_id "
        f"WHERE lexical MATCH ? {complete_only_sql} ORDER BY bm25(lexical) LIMIT ?"
    )
    return [(cid, float(s)) for cid, s in conn.execute(sql, (expression, *params, k))]


def scores_for(conn: sqlite3.Connection, query: LexicalQuery, chunk_ids: list[str]) -> dict[str, float]:
    """BM25 of given chunks for the query (0 for chunks that match no term)."""
    expression = match_expression(query)
    if expression is None or not chunk_ids:
        return {}
    marks = ",".join("?" * len(chunk_ids))
    sql = (
        "SELECT chunk_id, -bm25(lexical) FROM lexical WHERE lexical MATCH ? "
        f"AND chunk_id IN ({marks})"
    )
    return {cid: float(s) for cid, s in conn.execute(sql, (expression, *chunk_ids))}
