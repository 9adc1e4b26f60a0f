"""Embeddings of questions and sentences kept across questions, shared by concurrent requests.

Sentences repeat between questions about the same articles, and embedding is the slow part of
checking an LLM's claims; the cache is bounded (least recently used go first) and locked, so one
request can never evict or half-write an entry another request is reading.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


DEFAULT_MAX_ITEMS = 8192


class VectorCache:
    def __init__(self, embedder, max_items: int | None = None):
        self.embedder = embedder
        self.max_items = max_items or DEFAULT_MAX_ITEMS
        self._documents: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            found = self._get(self._queries, text)
        if found is not None:
            return found
        vector = _unit(self.embedder.embed_query(text))
        with self._lock:
            self._put(self._queries, text, vector)
        return vector

    def documents(self, texts: list[str]) -> np.ndarray:
        """One row per text (in order); each text is embedded at most once while it stays cached."""
        if not texts:
            return np.zeros((0, 1), np.float32)
        with self._lock:
            found = {t: v for t in dict.fromkeys(texts) if (v := self._get(self._documents, t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = {t: _unit(v) for t, v in zip(missing, self.embedder.embed_documents(missing))}
            with self._lock:
                for text, vector in fresh.items():
                    self._put(self._documents, text, vector)
            found.update(fresh)
        return np.stack([found[t] for t in texts])  # from this call's own copies: eviction can't hurt it

    @staticmethod
    def _get(store: OrderedDict, key: str) -> np.ndarray | None:
        vector = store.get(key)
        if vector is not None:
            store.move_to_end(key)
        return vector

    def _put(self, store: OrderedDict, key: str, vector: np.ndarray) -> None:
        store[key] = vector
        store.move_to_end(key)
        while len(store) > self.max_items:
            store.popitem(last=False)


def _unit(vector) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / (float(np.linalg.norm(array)) or 1.0)
