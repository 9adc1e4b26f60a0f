"""The persisted index: the SQLite ``catalog`` (articles, chunks, lexical rows) beside the Chroma
``vectors``, behind one ``Index`` that keeps them consistent.

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

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.index import lexical
from assistant.index.catalog import CATALOG_FILE, ArticleState, Catalog, batches, check_folder
from assistant.index.vectors import VectorStore
from assistant.records import Article, Chunk, Filters, Hit
from assistant.settings import Settings

__all__ = ["CATALOG_FILE", "ArticleState", "Consistency", "Index"]

SERVER_SYNC_SECONDS = 2.0
"""With a Chroma server, how stale this process's local catalog may get before it re-syncs."""


@dataclass
class Consistency:
    """What ``warta doctor`` needs to know: parts of the index that do not agree."""

    pending: list[str]
    """Articles an interrupted ingestion left half-written."""
    orphan_vectors: list[str]
    """Chroma vectors of no catalog chunk."""
    missing_vectors: list[str]
    """Catalog chunks without a vector."""
    chunks: int
    lexical_rows: int
    linked_lexical_rows: int

    @property
    def lexical_ok(self) -> bool:
        return self.chunks == self.lexical_rows == self.linked_lexical_rows


class Index:
    """Catalog + lexical index + Chroma vectors for one index folder (or one Chroma server)."""

    check_folder = staticmethod(check_folder)

    def __init__(self, settings: Settings, embedder, *, create: bool = False):
        self.settings = settings
        self.embedder = embedder
        self.model_id: str = getattr(embedder, "model_id", type(embedder).__name__)
        self.dir = Path(settings.index_dir)
        self.catalog = Catalog(self.dir, self.model_id, settings.collection, create=create)
        self.vectors = VectorStore(settings, embedder, self.dir, self.model_id)
        self._last_sync = float("-inf")
        self._sync_lock = threading.Lock()

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's catalog connection (the lexical analysis of a query reads it)."""
        return self.catalog.conn

    @property
    def collection(self):
        """The chunk vectors' ``chromadb`` collection."""
        return self.vectors.collection

    # ---- reading -----------------------------------------------------------------------------
    def article_states(self, doc_ids: list[str]) -> dict[str, ArticleState]:
        return self.catalog.article_states(doc_ids)

    def doc_with_hash(self, content_hash: str) -> str | None:
        return self.catalog.doc_with_hash(content_hash)

    def article(self, doc_id: str, complete_only: bool = True) -> Article | None:
        return self.catalog.article(doc_id, complete_only)

    def iter_articles(self) -> Iterator[Article]:
        return self.catalog.iter_articles()

    def articles_with_prefix(self, prefix: str) -> list[dict]:
        return self.catalog.articles_with_prefix(prefix)

    def hits_for(self, chunk_ids: list[str]) -> dict[str, Hit]:
        return self.catalog.hits_for(chunk_ids)

    def dense_search(self, query_vector: list[float], k: int, filters: Filters | None) -> list[tuple[str, float]]:
        return self.vectors.search(query_vector, k, filters)

    def lexical_search(self, query: lexical.LexicalQuery, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        return self.catalog.lexical_search(query, k, filters)

    def lexical_terms(self, chunk_ids: list[str]) -> dict[str, list[str]]:
        return self.catalog.lexical_terms(chunk_ids)

    def vectors_for(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        return self.vectors.vectors_for(chunk_ids)

    def newest_date(self) -> str | None:
        return self.catalog.newest_date()

    def stats(self) -> dict:
        return {**self.catalog.stats(), "chunks": self.vectors.count(), "embedding_model": self.model_id,
                "index_dir": str(self.dir), "chroma": self.settings.chroma_url or "embedded"}

    # ---- writing -----------------------------------------------------------------------------
    def begin_articles(self, articles: list[Article], replaced: list[str]) -> None:
        """Step 1: the articles become ``pending``; old chunks of replaced ones leave the catalog."""
        self.catalog.write_pending(articles, replaced)
        if replaced:
            self.vectors.unpublish(replaced)
            self.vectors.delete_articles(replaced)

    def write_vectors(self, chunks: list[Chunk], articles: dict[str, Article], vectors: list[list[float]]) -> None:
        """Step 2: the chunk vectors go to Chroma (upsert: a re-run rewrites the same ids)."""
        self.vectors.write(chunks, articles, vectors)

    def complete_articles(self, chunks: list[Chunk], articles: dict[str, Article]) -> None:
        """Step 3: chunk rows, lexical rows and ``complete`` in one transaction, then (server
        mode) the article records: the commit point others see."""
        per_doc = self.catalog.complete(chunks, articles)
        self.vectors.publish(list(articles.values()), per_doc)

    def recover(self) -> list[str]:
        """Remove what an interrupted ingestion left ``pending``; returns those doc ids."""
        pending = self.catalog.pending_ids()
        self.remove_articles(pending)
        return pending

    def remove_articles(self, doc_ids: list[str]) -> None:
        """Take articles out of everything at once: the server's record first (readers elsewhere
        stop seeing them), then their vectors, then catalog, chunk and lexical rows."""
        if not doc_ids:
            return
        self.vectors.unpublish(doc_ids)
        self.vectors.delete_articles(doc_ids)
        self.catalog.delete(doc_ids)

    def sync(self, force: bool = False) -> int:
        """Server mode: bring this process's catalog and lexical index up to the server's
        articles (added, changed or removed by any process). Returns how many changed."""
        if self.vectors.remote_articles is None:
            return 0
        with self._sync_lock:
            if not force and time.monotonic() - self._last_sync < SERVER_SYNC_SECONDS:
                return 0
            remote = self.vectors.published_hashes()
            local = self.catalog.complete_hashes()
            changed = [d for d, h in remote.items() if local.get(d) != h]
            gone = [d for d in local if d not in remote]
            for part in batches(changed, 200):
                articles, chunks = self.vectors.published(part)
                self.catalog.write_pending(list(articles.values()), list(articles))
                self.catalog.complete(chunks, articles)
            if gone:
                self.catalog.delete(gone)
            self._last_sync = time.monotonic()
            return len(changed) + len(gone)

    # ---- consistency (``warta doctor``) --------------------------------------------------------
    def consistency(self) -> Consistency:
        catalog_ids, vector_ids = self.catalog.chunk_ids(), self.vectors.ids()
        chunks, lexical_rows, linked = self.catalog.lexical_rows_agree()
        return Consistency(pending=self.catalog.pending_ids(), orphan_vectors=sorted(vector_ids - catalog_ids),
                           missing_vectors=sorted(catalog_ids - vector_ids), chunks=chunks,
                           lexical_rows=lexical_rows, linked_lexical_rows=linked)

    def delete_vectors(self, chunk_ids: list[str]) -> None:
        self.vectors.delete_ids(chunk_ids)

    def reembed(self, chunk_ids: list[str]) -> None:
        """Vectors again for catalog chunks that lost theirs."""
        chunks, articles = self.catalog.chunks(chunk_ids)
        self.vectors.write(chunks, articles, self.embedder.embed_documents([c.text for c in chunks]))

    def rebuild_lexical(self, only_if_stale: bool = False) -> None:
        self.catalog.rebuild_lexical(only_if_stale)

    def close(self) -> None:
        self.catalog.close()
