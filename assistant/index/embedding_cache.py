"""Embeddings of questions and sentences kept across requests, shared by concurrent ones.

A question is embedded once for retrieval and again when an LLM's claims are checked; sentences
repeat between questions about the same articles. Both kinds are cached (bounded, least
recently used go first) under one lock, so one request can never evict or half-write an entry
another is reading. It also stands in for the embedder itself (``embed_query``,
``embed_documents``, and every other attribute passed through).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

QUERIES_KEPT = 256
DOCUMENTS_KEPT = 8192


class EmbeddingCache:
    def __init__(self, embedder, max_queries: int | None = None, max_documents: int | None = None):
        self.embedder = embedder
        self.max_queries = max_queries or QUERIES_KEPT
        self.max_documents = max_documents or DOCUMENTS_KEPT
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._documents: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            found = self._get(self._queries, text)
        if found is not None:
            return found
        vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        with self._lock:
            self._put(self._queries, text, vector, self.max_queries)
        return vector

    def documents(self, texts: list[str]) -> np.ndarray:
        """One row per text (in order); each text is embedded at most once while it stays cached."""
        if not texts:
            return np.zeros((0, 1), np.float32)
        with self._lock:
            found = {t: v for t in dict.fromkeys(texts) if (v := self._get(self._documents, t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = {t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, self.embedder.embed_documents(missing))}
            with self._lock:
                for text, vector in fresh.items():
                    self._put(self._documents, text, vector, self.max_documents)
            found.update(fresh)
        return np.stack([found[t] for t in texts])  # from this call's own copies: eviction can't hurt it

    def embed_query(self, text: str) -> list[float]:
        return self.query(text).tolist()

    def __getattr__(self, name: str):
        return getattr(self.embedder, name)

    @staticmethod
    def _get(store: OrderedDict, key: str) -> np.ndarray | None:
        vector = store.get(key)
        if vector is not None:
            store.move_to_end(key)
        return vector

    @staticmethod
    def _put(store: OrderedDict, key: str, vector: np.ndarray, limit: int) -> None:
        store[key] = vector
        store.move_to_end(key)
        while len(store) > limit:
            store.popitem(last=False)
