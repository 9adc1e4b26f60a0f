"""The persisted index: a SQLite catalog (articles, chunks, lexical FTS5) beside a Chroma collection.

Write protocol, so a crash at any point leaves nothing half-served and a re-run repairs it:
1. the article rows are written as ``pending`` (one transaction);
2. the chunk vectors are written to Chroma (ids are deterministic, so re-writing is harmless);
3. chunk rows, lexical rows and ``status = complete`` are written in one transaction.
Readers only ever see ``complete`` articles; ``recover()`` removes what a crash left pending.

With a Chroma server (``WARTA_CHROMA_URL``) the server is the shared truth: chunk vectors with
their texts and offsets in one collection, the articles in a second one (written last, as the
commit point). Each process keeps its local catalog and lexical index as a cache of the server,
re-synced at most every ``SERVER_SYNC_SECONDS``, so several processes see each other's articles.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from assistant import lexical
from assistant.errors import IndexMismatch, IndexMissing
from assistant.records import Article, Chunk, Filters, Hit
from assistant.settings import Settings

log = logging.getLogger("warta")

CATALOG_FILE = "catalog.sqlite"
SERVER_SYNC_SECONDS = 2.0
"""With a Chroma server, how stale this process's local catalog may get before it re-syncs."""
CHROMA_DIR = "chroma"
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

HIT_COLUMNS = (
    "c.chunk_id, c.doc_id, c.text, c.start, c.end, c.sentences, a.title, a.date, a.source, a.url"
)


def date_int(date: str | None) -> int | None:
    """yyyy-mm-dd → yyyymmdd, the form Chroma can compare in a range filter."""
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


class Index:
    """Catalog + lexical index + Chroma vectors for one index folder (or one Chroma server)."""

    def __init__(self, settings: Settings, embedder, *, create: bool = False):
        self.settings = settings
        self.embedder = embedder
        self.model_id: str = getattr(embedder, "model_id", type(embedder).__name__)
        self.dir = Path(settings.index_dir)
        self._check_folder(create)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.write_lock = threading.RLock()
        self._init_catalog()
        self._init_chroma()

    # ---- setup -------------------------------------------------------------------------------
    def _check_folder(self, create: bool) -> None:
        catalog = self.dir / CATALOG_FILE
        if catalog.exists():
            return
        self.check_folder(self.dir)
        if not create:
            raise IndexMissing(f"no index at {self.dir} yet: run `warta ingest data/articles` first")

    @staticmethod
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

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.dir / CATALOG_FILE, timeout=60, isolation_level=None,
                               check_same_thread=False)
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

    def _init_catalog(self) -> None:
        conn = self.conn
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            with self.transaction() as tx:
                tx.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)",
                               [("schema", SCHEMA_VERSION), ("embedding_model", self.model_id),
                                ("collection", self.settings.collection), ("lexical_format", lexical.FORMAT)])
            return
        if stored.get("embedding_model") != self.model_id:
            raise IndexMismatch(
                f"the index at {self.dir} was built with the embedding model {stored.get('embedding_model')!r}, "
                f"but {self.model_id!r} is configured; vectors of two models cannot be mixed. "
                "Use the same WARTA_EMBEDDING_MODEL, or build a new index in another folder."
            )
        if stored.get("lexical_format") != lexical.FORMAT:
            self.rebuild_lexical(only_if_stale=True)

    def _init_chroma(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.settings.chroma_url)
            client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                         ssl=url.scheme == "https", settings=chroma_settings)
        else:
            client = chromadb.PersistentClient(path=str(self.dir / CHROMA_DIR), settings=chroma_settings)
        self.client = client
        self.remote_articles = None
        if self.settings.chroma_url:
            self.remote_articles = client.get_or_create_collection(
                f"{self.settings.collection}-articles", embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedding_model": self.model_id},
            )
        self._last_sync = float("-inf")
        self._sync_lock = threading.Lock()
        metadata = {"hnsw:space": "cosine", "embedding_model": self.model_id}
        # Our own handle on the collection (Chroma's public API) for what LangChain's wrapper has
        # no call for: upserts with our ids and metadata, deletes by filter, counts, raw gets.
        # No embedding function: every add and query passes explicit vectors.
        self.collection = client.get_or_create_collection(
            self.settings.collection, embedding_function=None, metadata=metadata)
        self.vectors = Chroma(collection_name=self.settings.collection, embedding_function=self.embedder,
                              client=client, collection_metadata=metadata)
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        if stored_model and stored_model != self.model_id:
            raise IndexMismatch(
                f"the Chroma collection {self.settings.collection!r} holds vectors of {stored_model!r}, "
                f"not of the configured {self.model_id!r}"
            )

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
        for part in _batches(doc_ids, 500):
            rows = self.conn.execute(
                f"SELECT doc_id, content_hash, status FROM articles WHERE doc_id IN ({','.join('?' * len(part))})",
                part,
            )
            out.update({r[0]: ArticleState(*r) for r in rows})
        return out

    def doc_with_hash(self, content_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT doc_id FROM articles WHERE content_hash = ? AND status = 'complete' LIMIT 1", (content_hash,)
        ).fetchone()
        return row[0] if row else None

    def article(self, doc_id: str, complete_only: bool = True) -> Article | None:
        row = self.conn.execute(
            "SELECT doc_id, title, text, date, source, url, origin FROM articles "
            "WHERE doc_id = ?" + (" AND status = 'complete'" if complete_only else ""), (doc_id,)
        ).fetchone()
        return Article(*row) if row else None

    def iter_articles(self) -> Iterator[Article]:
        rows = self.conn.execute(
            "SELECT doc_id, title, text, date, source, url, origin FROM articles WHERE status = 'complete' "
            "ORDER BY doc_id"
        )
        for row in rows:
            yield Article(*row)

    def hits_for(self, chunk_ids: list[str]) -> dict[str, Hit]:
        """Hits (score 0) for chunks of complete articles; chunks of anything else are left out."""
        out: dict[str, Hit] = {}
        for part in _batches(chunk_ids, 500):
            rows = self.conn.execute(
                f"SELECT {HIT_COLUMNS} FROM chunks c JOIN articles a ON a.doc_id = c.doc_id "
                # "+a.status": look chunks up by id; the status index would scan every article
                f"WHERE c.chunk_id IN ({','.join('?' * len(part))}) AND +a.status = 'complete'", part
            )
            for cid, doc_id, text, start, end, sentences, title, date, source, url in rows:
                out[cid] = Hit(chunk_id=cid, doc_id=doc_id, text=text, start=start, end=end,
                               sentences=tuple(tuple(s) for s in json.loads(sentences)), score=0.0,
                               title=title, date=date, source=source, url=url)
        return out

    def dense_search(self, query_vector: list[float], k: int, filters: Filters | None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the nearest chunks, best first."""
        results = self.vectors.similarity_search_by_vector_with_relevance_scores(
            query_vector, k=k, filter=chroma_where(filters)
        )
        return [(doc.id, 1.0 - float(distance)) for doc, distance in results]

    def lexical_search(self, query: lexical.LexicalQuery, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        if filters is None or filters.is_empty():
            return lexical.search(self.conn, query, k)
        condition, params = sql_filter(filters)
        return lexical.search(self.conn, query, k, filter_sql=condition, params=params)

    def lexical_terms(self, chunk_ids: list[str]) -> dict[str, list[str]]:
        """The indexed terms of each chunk, as BM25 scored them at ingestion."""
        out: dict[str, list[str]] = {}
        for part in _batches(chunk_ids, 500):
            rows = self.conn.execute(
                "SELECT c.chunk_id, l.terms FROM chunks c JOIN lexical l ON l.rowid = c.rowid "
                f"WHERE c.chunk_id IN ({','.join('?' * len(part))})", part)
            out.update((cid, terms.split()) for cid, terms in rows)
        return out

    def vectors_for(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=chunk_ids, include=["embeddings"])
        return {cid: list(vec) for cid, vec in zip(got["ids"], got["embeddings"])}

    def newest_date(self) -> str | None:
        return self.conn.execute("SELECT max(date) FROM articles WHERE status = 'complete'").fetchone()[0]

    def stats(self) -> dict:
        conn = self.conn
        articles = conn.execute("SELECT count(*) FROM articles WHERE status = 'complete'").fetchone()[0]
        pending = conn.execute("SELECT count(*) FROM articles WHERE status != 'complete'").fetchone()[0]
        catalog_chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        sources = [r[0] for r in conn.execute(
            "SELECT DISTINCT source FROM articles WHERE status = 'complete' AND source IS NOT NULL "
            "AND source != '' ORDER BY source")]
        date_min, date_max = conn.execute(
            "SELECT min(date), max(date) FROM articles WHERE status = 'complete'").fetchone()
        return {
            "articles": articles,
            "pending_articles": pending,
            "chunks": self.collection.count(),
            "catalog_chunks": catalog_chunks,
            "lexical_chunks": lexical.count(conn),
            "embedding_model": self.model_id,
            "index_dir": str(self.dir),
            "chroma": self.settings.chroma_url or "embedded",
            "sources": sources,
            "date_min": date_min,
            "date_max": date_max,
        }

    # ---- writing -----------------------------------------------------------------------------
    def begin_articles(self, articles: list[Article], replaced: list[str]) -> None:
        """Step 1: the articles become ``pending``; old chunks of replaced ones leave the catalog."""
        self._write_pending(articles, replaced)
        if replaced:
            self._unpublish(replaced)
            self.collection.delete(where={"doc_id": {"$in": replaced}})

    def _write_pending(self, articles: list[Article], stale: list[str]) -> None:
        """Article rows as ``pending`` (one transaction), after dropping the catalog chunks of
        ``stale`` doc ids."""
        now = time.time()
        with self.transaction() as tx:
            self._delete_catalog_chunks(tx, stale)
            tx.executemany(
                "INSERT OR REPLACE INTO articles(doc_id, content_hash, title, date, date_int, source, url, "
                "origin, text, status, n_chunks, ingested_at) VALUES (?,?,?,?,?,?,?,?,?, 'pending', 0, ?)",
                [(a.doc_id, a.content_hash, a.title, a.date, date_int(a.date), a.source, a.url, a.origin,
                  a.text, now) for a in articles],
            )

    def write_vectors(self, chunks: list[Chunk], articles: dict[str, Article], vectors: list[list[float]]) -> None:
        """Step 2: the chunk vectors go to Chroma (upsert: a re-run rewrites the same ids)."""
        if not chunks:
            return
        metadatas = []
        hashes = {doc_id: a.content_hash for doc_id, a in articles.items()}  # once per article, not per chunk
        for c in chunks:
            a = articles[c.doc_id]
            meta = {"doc_id": c.doc_id, "title": a.title, "start": c.start, "end": c.end,
                    "chunk_index": c.index, "content_hash": hashes[c.doc_id],
                    "sentences": json.dumps(c.sentences)}
            for key, value in (("date", a.date), ("date_int", date_int(a.date)), ("source", a.source),
                               ("url", a.url)):
                if value is not None:
                    meta[key] = value
            metadatas.append(meta)
        collection = self.collection
        max_batch = getattr(self.client, "get_max_batch_size", lambda: 5000)()
        for lo in range(0, len(chunks), max_batch):
            hi = lo + max_batch
            collection.upsert(ids=[c.chunk_id for c in chunks[lo:hi]], embeddings=vectors[lo:hi],
                              documents=[c.text for c in chunks[lo:hi]], metadatas=metadatas[lo:hi])

    def complete_articles(self, chunks: list[Chunk], articles: dict[str, Article], publish: bool = True) -> None:
        """Step 3: chunk rows, lexical rows and ``complete`` in one transaction."""
        per_doc: dict[str, int] = {doc_id: 0 for doc_id in articles}
        for c in chunks:
            per_doc[c.doc_id] += 1
        terms = {c.chunk_id: lexical.index_terms(c.text, articles[c.doc_id].title) for c in chunks}
        with self.transaction() as tx:  # step 1 (or a server pull) already dropped their old chunks
            tx.executemany(
                "INSERT INTO chunks(chunk_id, doc_id, idx, start, end, text, sentences) VALUES (?,?,?,?,?,?,?)",
                [(c.chunk_id, c.doc_id, c.index, c.start, c.end, c.text, json.dumps(c.sentences))
                 for c in chunks],
            )
            self._add_lexical_rows(tx, terms)
            tx.executemany("UPDATE articles SET status = 'complete', n_chunks = ? WHERE doc_id = ?",
                           [(n, doc_id) for doc_id, n in per_doc.items()])
        if publish and self.remote_articles is not None:
            self._publish(list(articles.values()), per_doc)

    def _publish(self, articles: list[Article], n_chunks: dict[str, int]) -> None:
        """Server mode: the article records go to the server last; that is the commit point."""
        metadatas = []
        for a in articles:
            meta = {"content_hash": a.content_hash, "title": a.title, "n_chunks": n_chunks[a.doc_id]}
            meta.update({k: v for k, v in (("date", a.date), ("source", a.source), ("url", a.url),
                                           ("origin", a.origin)) if v is not None})
            metadatas.append(meta)
        self.remote_articles.upsert(ids=[a.doc_id for a in articles], documents=[a.text for a in articles],
                                    metadatas=metadatas, embeddings=[[1.0]] * len(articles))

    def _unpublish(self, doc_ids: list[str]) -> None:
        if self.remote_articles is not None and doc_ids:
            for part in _batches(doc_ids, 500):
                self.remote_articles.delete(ids=part)

    def sync(self, force: bool = False) -> int:
        """Server mode: bring this process's catalog and lexical index up to the server's
        articles (added, changed or removed by any process). Returns how many changed."""
        if self.remote_articles is None:
            return 0
        with self._sync_lock:
            if not force and time.monotonic() - self._last_sync < SERVER_SYNC_SECONDS:
                return 0
            remote: dict[str, str] = {}
            offset = 0
            while True:
                page = self.remote_articles.get(include=["metadatas"], limit=5000, offset=offset)
                remote.update({i: m["content_hash"] for i, m in zip(page["ids"], page["metadatas"])})
                if len(page["ids"]) < 5000:
                    break
                offset += 5000
            local = dict(self.conn.execute("SELECT doc_id, content_hash FROM articles WHERE status = 'complete'"))
            changed = [d for d, h in remote.items() if local.get(d) != h]
            gone = [d for d in local if d not in remote]
            for part in _batches(changed, 200):
                self._pull(part)
            if gone:
                with self.transaction() as tx:
                    self._delete_catalog_chunks(tx, gone)
                    for part in _batches(gone, 500):
                        tx.execute(f"DELETE FROM articles WHERE doc_id IN ({','.join('?' * len(part))})", part)
            self._last_sync = time.monotonic()
            return len(changed) + len(gone)

    def _pull(self, doc_ids: list[str]) -> None:
        got = self.remote_articles.get(ids=doc_ids, include=["documents", "metadatas"])
        articles = {
            i: Article(doc_id=i, title=m.get("title", i), text=text, date=m.get("date"), source=m.get("source"),
                       url=m.get("url"), origin=m.get("origin"))
            for i, text, m in zip(got["ids"], got["documents"], got["metadatas"])
        }
        rows = self.collection.get(where={"doc_id": {"$in": list(articles)}},
                                            include=["documents", "metadatas"])
        hashes = {doc_id: a.content_hash for doc_id, a in articles.items()}  # once per article, not per chunk
        chunks = [
            Chunk(cid, m["doc_id"], m["chunk_index"], m["start"], m["end"], text,
                  tuple(tuple(s) for s in json.loads(m["sentences"])))
            for cid, text, m in zip(rows["ids"], rows["documents"], rows["metadatas"])
            if m.get("content_hash") == hashes[m["doc_id"]]
        ]
        self._write_pending(list(articles.values()), list(articles))
        self.complete_articles(chunks, articles, publish=False)

    def recover(self) -> list[str]:
        """Remove what an interrupted ingestion left ``pending``; returns those doc ids."""
        pending = [r[0] for r in self.conn.execute("SELECT doc_id FROM articles WHERE status != 'complete'")]
        self.remove_articles(pending)
        return pending

    def remove_articles(self, doc_ids: list[str]) -> None:
        """Take articles out of everything at once: the server's record first (readers elsewhere
        stop seeing them), then their vectors, then catalog, chunk and lexical rows."""
        if not doc_ids:
            return
        self._unpublish(doc_ids)
        for part in _batches(doc_ids, 500):
            self.collection.delete(where={"doc_id": {"$in": part}})
        with self.transaction() as tx:
            self._delete_catalog_chunks(tx, doc_ids)
            for part in _batches(doc_ids, 500):
                tx.execute(f"DELETE FROM articles WHERE doc_id IN ({','.join('?' * len(part))})", part)

    def articles_with_prefix(self, prefix: str) -> list[dict]:
        """Complete articles whose id starts with ``prefix``: id, title, date, origin, chunks."""
        rows = self.conn.execute(
            "SELECT doc_id, title, date, origin, n_chunks, ingested_at FROM articles "
            "WHERE status = 'complete' AND substr(doc_id, 1, ?) = ? ORDER BY ingested_at, doc_id",
            (len(prefix), prefix))
        return [dict(zip(("doc_id", "title", "date", "origin", "chunks", "ingested_at"), r)) for r in rows]

    @staticmethod
    def _delete_catalog_chunks(tx: sqlite3.Connection, doc_ids: list[str]) -> None:
        for part in _batches(doc_ids, 500):
            marks = ",".join("?" * len(part))
            rowids = [r[0] for r in tx.execute(f"SELECT rowid FROM chunks WHERE doc_id IN ({marks})", part)]
            lexical.delete_rows(tx, rowids)
            tx.execute(f"DELETE FROM chunks WHERE doc_id IN ({marks})", part)

    @staticmethod
    def _add_lexical_rows(tx: sqlite3.Connection, terms: dict[str, str]) -> None:
        """Lexical rows for chunk rows already written, each under its chunk row's rowid."""
        for part in _batches(list(terms), 500):
            marks = ",".join("?" * len(part))
            rows = tx.execute(f"SELECT rowid, chunk_id FROM chunks WHERE chunk_id IN ({marks})", part)
            lexical.add(tx, [(rowid, cid, terms[cid]) for rowid, cid in rows])

    def rebuild_lexical(self, only_if_stale: bool = False) -> None:
        """Lexical rows for every catalog chunk from its article, in the current ``lexical.FORMAT``
        (an index built by an older version, or one ``warta doctor`` found inconsistent)."""
        with self.transaction() as tx:
            stored = tx.execute("SELECT value FROM meta WHERE key = 'lexical_format'").fetchone()
            if only_if_stale and stored == (lexical.FORMAT,):
                return  # another process rebuilt it while this one waited
            log.warning("rebuilding the lexical index at %s for this version (once)", self.dir)
            tx.execute("DELETE FROM lexical")
            doc_ids = [r[0] for r in tx.execute("SELECT doc_id FROM articles")]
            for part in _batches(doc_ids, 200):
                marks = ",".join("?" * len(part))
                titles = dict(tx.execute(f"SELECT doc_id, title FROM articles WHERE doc_id IN ({marks})", part))
                rows = tx.execute(f"SELECT chunk_id, doc_id, text FROM chunks WHERE doc_id IN ({marks})", part)
                self._add_lexical_rows(tx, {cid: lexical.index_terms(text, titles[doc_id])
                                            for cid, doc_id, text in rows})
            tx.execute("INSERT OR REPLACE INTO meta VALUES ('lexical_format', ?)", (lexical.FORMAT,))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def chroma_where(filters: Filters | None) -> dict | None:
    if filters is None or filters.is_empty():
        return None
    clauses: list[dict] = []
    if filters.date_from:
        clauses.append({"date_int": {"$gte": date_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_int": {"$lte": date_int(filters.date_to)}})
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def sql_filter(filters: Filters | None) -> tuple[str, tuple]:
    """The SQL twin of ``chroma_where`` plus the rule that only complete articles are served."""
    condition, params = " AND a.status = 'complete'", []
    if filters is not None:
        if filters.date_from:
            condition += " AND a.date_int >= ?"
            params.append(date_int(filters.date_from))
        if filters.date_to:
            condition += " AND a.date_int <= ?"
            params.append(date_int(filters.date_to))
        if filters.sources:
            condition += f" AND a.source IN ({','.join('?' * len(filters.sources))})"
            params.extend(filters.sources)
    return condition, tuple(params)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
