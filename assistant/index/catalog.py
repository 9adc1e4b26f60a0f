"""The catalog: one SQLite file per index holding the articles (with their write status), their
chunks with offsets and sentence spans, and the lexical (BM25) rows of those chunks.

It is the source of truth for which chunks exist. Writes go through ``transaction()`` (one
writer per process, WAL so readers never wait); each thread has its own connection.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IndexMismatch, IndexMissing
from assistant.index import lexical
from assistant.records import Article, Chunk, Filters, Hit

log = logging.getLogger("warta")

CATALOG_FILE = "catalog.sqlite"
SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
    doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL, title TEXT NOT NULL, date TEXT,
    date_int INTEGER, source TEXT, url TEXT, origin TEXT, text TEXT NOT NULL,
    status TEXT NOT NULL, n_chunks INTEGER NOT NULL DEFAULT 0, ingested_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_status ON articles(status);
CREATE TABLE IF NOT EXISTS chunks(
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, sentences TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
""" + lexical.SCHEMA
HIT_COLUMNS = "c.chunk_id, c.doc_id, c.text, c.start, c.end, c.sentences, a.title, a.date, a.source, a.url"
ARTICLE_COLUMNS = "doc_id, title, text, date, source, url, origin"


def date_int(date: str | None) -> int | None:
    """yyyy-mm-dd → yyyymmdd, the form both stores can compare in a range filter."""
    if not date or len(date) < 10:
        return None
    try:
        return int(date[:4]) * 10000 + int(date[5:7]) * 100 + int(date[8:10])
    except ValueError:
        return None


@dataclass
class ArticleState:
    doc_id: str
    content_hash: str
    status: str


class Catalog:
    def __init__(self, folder: Path, model_id: str, collection: str, *, create: bool):
        self.dir = Path(folder)
        self.model_id = model_id
        if not (self.dir / CATALOG_FILE).exists():
            check_folder(self.dir)
            if not create:
                raise IndexMissing(f"no index at {self.dir} yet: run `warta ingest data/articles` first")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.write_lock = threading.RLock()
        self._init_schema(collection)

    # ---- setup -------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.dir / CATALOG_FILE, timeout=60, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """One SQLite connection per thread: WAL lets readers run while a writer commits."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _init_schema(self, collection: str) -> None:
        conn = self.conn
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            with self.transaction() as tx:
                tx.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)",
                               [("schema", SCHEMA_VERSION), ("embedding_model", self.model_id),
                                ("collection", collection), ("lexical_format", lexical.FORMAT)])
            return
        if stored.get("embedding_model") != self.model_id:
            raise IndexMismatch(
                f"the index at {self.dir} was built with the embedding model {stored.get('embedding_model')!r}, "
                f"but {self.model_id!r} is configured; vectors of two models cannot be mixed. "
                "Use the same WARTA_EMBEDDING_MODEL, or build a new index in another folder."
            )
        if stored.get("lexical_format") != lexical.FORMAT:
            self.rebuild_lexical(only_if_stale=True)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        with self.write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ---- reading -----------------------------------------------------------------------------
    def article_states(self, doc_ids: list[str]) -> dict[str, ArticleState]:
        out: dict[str, ArticleState] = {}
        for part in batches(doc_ids, 500):
            rows = self.conn.execute(
                f"SELECT doc_id, content_hash, status FROM articles WHERE doc_id IN ({marks(part)})", part)
            out.update({r[0]: ArticleState(*r) for r in rows})
        return out

    def complete_hashes(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT doc_id, content_hash FROM articles WHERE status = 'complete'"))

    def pending_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT doc_id FROM articles WHERE status != 'complete'")]

    def doc_with_hash(self, content_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT doc_id FROM articles WHERE content_hash = ? AND status = 'complete' LIMIT 1", (content_hash,)
        ).fetchone()
        return row[0] if row else None

    def article(self, doc_id: str, complete_only: bool = True) -> Article | None:
        row = self.conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE doc_id = ?"
            + (" AND status = 'complete'" if complete_only else ""), (doc_id,)).fetchone()
        return Article(*row) if row else None

    def iter_articles(self) -> Iterator[Article]:
        rows = self.conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE status = 'complete' ORDER BY doc_id")
        for row in rows:
            yield Article(*row)

    def articles_with_prefix(self, prefix: str) -> list[dict]:
        """Complete articles whose id starts with ``prefix``: id, title, date, origin, chunks."""
        rows = self.conn.execute(
            "SELECT doc_id, title, date, origin, n_chunks, ingested_at FROM articles "
            "WHERE status = 'complete' AND substr(doc_id, 1, ?) = ? ORDER BY ingested_at, doc_id",
            (len(prefix), prefix))
        return [dict(zip(("doc_id", "title", "date", "origin", "chunks", "ingested_at"), r)) for r in rows]

    def hits_for(self, chunk_ids: list[str]) -> dict[str, Hit]:
        """Hits (score 0) for chunks of complete articles; chunks of anything else are left out."""
        out: dict[str, Hit] = {}
        for part in batches(chunk_ids, 500):
            rows = self.conn.execute(
                f"SELECT {HIT_COLUMNS} FROM chunks c JOIN articles a ON a.doc_id = c.doc_id "
                # "+a.status": look chunks up by id; the status index would scan every article
                f"WHERE c.chunk_id IN ({marks(part)}) AND +a.status = 'complete'", part)
            for cid, doc_id, text, start, end, sentences, title, date, source, url in rows:
                out[cid] = Hit(chunk_id=cid, doc_id=doc_id, text=text, start=start, end=end,
                               sentences=tuple(tuple(s) for s in json.loads(sentences)), score=0.0,
                               title=title, date=date, source=source, url=url)
        return out

    def chunks(self, chunk_ids: list[str]) -> tuple[list[Chunk], dict[str, Article]]:
        """Catalog chunks by id, with their articles (complete or not): what re-embedding needs."""
        chunks, articles = [], {}
        for part in batches(chunk_ids, 500):
            rows = self.conn.execute(
                f"SELECT chunk_id, doc_id, idx, start, end, text, sentences FROM chunks WHERE chunk_id IN ({marks(part)})",
                part)
            for cid, doc_id, idx, s, e, text, sentences in rows:
                chunks.append(Chunk(cid, doc_id, idx, s, e, text, tuple(tuple(x) for x in json.loads(sentences))))
                if doc_id not in articles:
                    articles[doc_id] = self.article(doc_id, complete_only=False)
        return chunks, articles

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks")}

    def lexical_search(self, query: lexical.LexicalQuery, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        if filters is None or filters.is_empty():
            return lexical.search(self.conn, query, k)
        condition, params = sql_filter(filters)
        return lexical.search(self.conn, query, k, filter_sql=condition, params=params)

    def lexical_terms(self, chunk_ids: list[str]) -> dict[str, list[str]]:
        """The indexed terms of each chunk, as BM25 scored them at ingestion."""
        out: dict[str, list[str]] = {}
        for part in batches(chunk_ids, 500):
            rows = self.conn.execute(
                "SELECT c.chunk_id, l.terms FROM chunks c JOIN lexical l ON l.rowid = c.rowid "
                f"WHERE c.chunk_id IN ({marks(part)})", part)
            out.update((cid, terms.split()) for cid, terms in rows)
        return out

    def lexical_rows_agree(self) -> tuple[int, int, int]:
        """(chunks, lexical rows, chunks whose lexical row is theirs): all three equal when sound."""
        conn = self.conn
        chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        linked = conn.execute("SELECT count(*) FROM chunks c JOIN lexical l ON l.rowid = c.rowid "
                              "AND l.chunk_id = c.chunk_id").fetchone()[0]
        return chunks, lexical.count(conn), linked

    def newest_date(self) -> str | None:
        return self.conn.execute("SELECT max(date) FROM articles WHERE status = 'complete'").fetchone()[0]

    def stats(self) -> dict:
        conn = self.conn
        date_min, date_max = conn.execute("SELECT min(date), max(date) FROM articles WHERE status = 'complete'").fetchone()
        return {
            "articles": conn.execute("SELECT count(*) FROM articles WHERE status = 'complete'").fetchone()[0],
            "pending_articles": conn.execute("SELECT count(*) FROM articles WHERE status != 'complete'").fetchone()[0],
            "catalog_chunks": conn.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "lexical_chunks": lexical.count(conn),
            "sources": [r[0] for r in conn.execute(
                "SELECT DISTINCT source FROM articles WHERE status = 'complete' AND source IS NOT NULL "
                "AND source != '' ORDER BY source")],
            "date_min": date_min,
            "date_max": date_max,
        }

    # ---- writing -----------------------------------------------------------------------------
    def write_pending(self, articles: list[Article], stale: list[str]) -> None:
        """Article rows as ``pending`` (one transaction), after dropping the chunks of ``stale`` ids."""
        now = time.time()
        with self.transaction() as tx:
            self._delete_chunks(tx, stale)
            tx.executemany(
                "INSERT OR REPLACE INTO articles(doc_id, content_hash, title, date, date_int, source, url, "
                "origin, text, status, n_chunks, ingested_at) VALUES (?,?,?,?,?,?,?,?,?, 'pending', 0, ?)",
                [(a.doc_id, a.content_hash, a.title, a.date, date_int(a.date), a.source, a.url, a.origin,
                  a.text, now) for a in articles],
            )

    def complete(self, chunks: list[Chunk], articles: dict[str, Article]) -> dict[str, int]:
        """Chunk rows, lexical rows and ``complete`` in one transaction; returns chunks per article."""
        per_doc: dict[str, int] = {doc_id: 0 for doc_id in articles}
        for c in chunks:
            per_doc[c.doc_id] += 1
        terms = {c.chunk_id: lexical.index_terms(c.text, articles[c.doc_id].title) for c in chunks}
        with self.transaction() as tx:  # write_pending (or a server pull) already dropped their old chunks
            tx.executemany(
                "INSERT INTO chunks(chunk_id, doc_id, idx, start, end, text, sentences) VALUES (?,?,?,?,?,?,?)",
                [(c.chunk_id, c.doc_id, c.index, c.start, c.end, c.text, json.dumps(c.sentences)) for c in chunks],
            )
            self._add_lexical_rows(tx, terms)
            tx.executemany("UPDATE articles SET status = 'complete', n_chunks = ? WHERE doc_id = ?",
                           [(n, doc_id) for doc_id, n in per_doc.items()])
        return per_doc

    def delete(self, doc_ids: list[str]) -> None:
        """Articles with their chunk and lexical rows, in one transaction."""
        with self.transaction() as tx:
            self._delete_chunks(tx, doc_ids)
            for part in batches(doc_ids, 500):
                tx.execute(f"DELETE FROM articles WHERE doc_id IN ({marks(part)})", part)

    def rebuild_lexical(self, only_if_stale: bool = False) -> None:
        """Lexical rows for every chunk from its article, in the current ``lexical.FORMAT`` (an index
        built by an older version, or one ``warta doctor`` found inconsistent)."""
        with self.transaction() as tx:
            stored = tx.execute("SELECT value FROM meta WHERE key = 'lexical_format'").fetchone()
            if only_if_stale and stored == (lexical.FORMAT,):
                return  # another process rebuilt it while this one waited
            log.warning("rebuilding the lexical index at %s for this version (once)", self.dir)
            tx.execute("DELETE FROM lexical")
            doc_ids = [r[0] for r in tx.execute("SELECT doc_id FROM articles")]
            for part in batches(doc_ids, 200):
                titles = dict(tx.execute(f"SELECT doc_id, title FROM articles WHERE doc_id IN ({marks(part)})", part))
                rows = tx.execute(f"SELECT chunk_id, doc_id, text FROM chunks WHERE doc_id IN ({marks(part)})", part)
                self._add_lexical_rows(tx, {cid: lexical.index_terms(text, titles[doc_id])
                                            for cid, doc_id, text in rows})
            tx.execute("INSERT OR REPLACE INTO meta VALUES ('lexical_format', ?)", (lexical.FORMAT,))

    @staticmethod
    def _delete_chunks(tx: sqlite3.Connection, doc_ids: list[str]) -> None:
        for part in batches(doc_ids, 500):
            rowids = [r[0] for r in tx.execute(f"SELECT rowid FROM chunks WHERE doc_id IN ({marks(part)})", part)]
            lexical.delete_rows(tx, rowids)
            tx.execute(f"DELETE FROM chunks WHERE doc_id IN ({marks(part)})", part)

    @staticmethod
    def _add_lexical_rows(tx: sqlite3.Connection, terms: dict[str, str]) -> None:
        """Lexical rows for chunk rows already written, each under its chunk row's rowid."""
        for part in batches(list(terms), 500):
            rows = tx.execute(f"SELECT rowid, chunk_id FROM chunks WHERE chunk_id IN ({marks(part)})", part)
            lexical.add(tx, [(rowid, cid, terms[cid]) for rowid, cid in rows])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def check_folder(folder: Path) -> None:
    """IndexMismatch when ``folder`` (without a catalog) is a file or holds other things."""
    if (folder / CATALOG_FILE).exists():
        return
    if folder.exists() and not folder.is_dir():
        raise IndexMismatch(f"{folder} is a file, not an index folder")
    leftovers = [p for p in folder.iterdir() if not p.name.startswith(".")] if folder.is_dir() else []
    if leftovers:
        raise IndexMismatch(
            f"{folder} is not a Warta index (it holds {', '.join(sorted(p.name for p in leftovers)[:5])}); "
            "point WARTA_INDEX_DIR at an empty or new folder"
        )


def sql_filter(filters: Filters | None) -> tuple[str, tuple]:
    """Date and source filters as SQL on ``articles a``, plus the rule that only complete articles are served."""
    condition, params = " AND a.status = 'complete'", []
    if filters is not None:
        if filters.date_from:
            condition += " AND a.date_int >= ?"
            params.append(date_int(filters.date_from))
        if filters.date_to:
            condition += " AND a.date_int <= ?"
            params.append(date_int(filters.date_to))
        if filters.sources:
            condition += f" AND a.source IN ({marks(filters.sources)})"
            params.extend(filters.sources)
    return condition, tuple(params)


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(items) -> str:
    return ",".join("?" * len(items))
