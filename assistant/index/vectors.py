"""The chunk vectors in Chroma: embedded in the index folder, or a Chroma server shared by
several processes (then a second collection holds the articles, written last as the commit
point, so other processes can follow).

LangChain's ``Chroma`` does the similarity search (the standard vector-store interface); the
``chromadb`` collection this module creates itself does what that wrapper has no call for:
upserts with Warta's ids and metadata, deletes by filter, counts and raw gets. Every add and
query passes explicit vectors: the collections have no embedding function.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.errors import IndexMismatch
from assistant.index.catalog import batches, date_int
from assistant.records import Article, Chunk, Filters
from assistant.settings import Settings

CHROMA_DIR = "chroma"
PAGE = 5000


class VectorStore:
    def __init__(self, settings: Settings, embedder, folder: Path, model_id: str):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(settings.chroma_url)
            self.client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                              ssl=url.scheme == "https", settings=chroma_settings)
        else:
            self.client = chromadb.PersistentClient(path=str(Path(folder) / CHROMA_DIR), settings=chroma_settings)
        metadata = {"hnsw:space": "cosine", "embedding_model": model_id}
        self.remote_articles = (self.client.get_or_create_collection(
            f"{settings.collection}-articles", embedding_function=None, metadata=metadata)
            if settings.chroma_url else None)
        self.collection = self.client.get_or_create_collection(settings.collection, embedding_function=None,
                                                               metadata=metadata)
        self.langchain = Chroma(collection_name=settings.collection, embedding_function=embedder, client=self.client,
                                collection_metadata=metadata)
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        if stored_model and stored_model != model_id:
            raise IndexMismatch(f"the Chroma collection {settings.collection!r} holds vectors of {stored_model!r}, "
                                f"not of the configured {model_id!r}")

    # ---- chunk vectors -----------------------------------------------------------------------
    def search(self, query_vector: list[float], k: int, filters: Filters | None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) of the nearest chunks, best first."""
        results = self.langchain.similarity_search_by_vector_with_relevance_scores(
            query_vector, k=k, filter=chroma_where(filters))
        return [(doc.id, 1.0 - float(distance)) for doc, distance in results]

    def write(self, chunks: list[Chunk], articles: dict[str, Article], vectors: list[list[float]]) -> None:
        """Upsert: a re-run rewrites the same ids (chunk ids are deterministic)."""
        if not chunks:
            return
        hashes = {doc_id: a.content_hash for doc_id, a in articles.items()}  # once per article, not per chunk
        metadatas = []
        for c in chunks:
            a = articles[c.doc_id]
            meta = {"doc_id": c.doc_id, "title": a.title, "start": c.start, "end": c.end, "chunk_index": c.index,
                    "content_hash": hashes[c.doc_id], "sentences": json.dumps(c.sentences)}
            for key, value in (("date", a.date), ("date_int", date_int(a.date)), ("source", a.source), ("url", a.url)):
                if value is not None:
                    meta[key] = value
            metadatas.append(meta)
        max_batch = getattr(self.client, "get_max_batch_size", lambda: PAGE)()
        for lo in range(0, len(chunks), max_batch):
            hi = lo + max_batch
            self.collection.upsert(ids=[c.chunk_id for c in chunks[lo:hi]], embeddings=vectors[lo:hi],
                                   documents=[c.text for c in chunks[lo:hi]], metadatas=metadatas[lo:hi])

    def vectors_for(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=chunk_ids, include=["embeddings"])
        return {cid: list(vec) for cid, vec in zip(got["ids"], got["embeddings"])}

    def delete_articles(self, doc_ids: list[str]) -> None:
        for part in batches(doc_ids, 500):
            self.collection.delete(where={"doc_id": {"$in": part}})

    def delete_ids(self, chunk_ids: list[str]) -> None:
        for part in batches(chunk_ids, PAGE):
            self.collection.delete(ids=part)

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=PAGE, offset=offset)["ids"]
            out.update(page)
            if len(page) < PAGE:
                return out
            offset += PAGE

    def count(self) -> int:
        return self.collection.count()

    # ---- the articles, with a server -----------------------------------------------------------
    def publish(self, articles: list[Article], n_chunks: dict[str, int]) -> None:
        """Server mode: the article records go to the server last; that is the commit point."""
        if self.remote_articles is None:
            return
        metadatas = []
        for a in articles:
            meta = {"content_hash": a.content_hash, "title": a.title, "n_chunks": n_chunks[a.doc_id]}
            meta.update({k: v for k, v in (("date", a.date), ("source", a.source), ("url", a.url),
                                           ("origin", a.origin)) if v is not None})
            metadatas.append(meta)
        self.remote_articles.upsert(ids=[a.doc_id for a in articles], documents=[a.text for a in articles],
                                    metadatas=metadatas, embeddings=[[1.0]] * len(articles))

    def unpublish(self, doc_ids: list[str]) -> None:
        if self.remote_articles is not None and doc_ids:
            for part in batches(doc_ids, 500):
                self.remote_articles.delete(ids=part)

    def published_hashes(self) -> dict[str, str]:
        """Server mode: every published article's content hash."""
        out: dict[str, str] = {}
        offset = 0
        while True:
            page = self.remote_articles.get(include=["metadatas"], limit=PAGE, offset=offset)
            out.update({i: m["content_hash"] for i, m in zip(page["ids"], page["metadatas"])})
            if len(page["ids"]) < PAGE:
                return out
            offset += PAGE

    def published(self, doc_ids: list[str]) -> tuple[dict[str, Article], list[Chunk]]:
        """Server mode: these articles and those of their chunks written for their current text."""
        got = self.remote_articles.get(ids=doc_ids, include=["documents", "metadatas"])
        articles = {
            i: Article(doc_id=i, title=m.get("title", i), text=text, date=m.get("date"), source=m.get("source"),
                       url=m.get("url"), origin=m.get("origin"))
            for i, text, m in zip(got["ids"], got["documents"], got["metadatas"])
        }
        rows = self.collection.get(where={"doc_id": {"$in": list(articles)}}, include=["documents", "metadatas"])
        hashes = {doc_id: a.content_hash for doc_id, a in articles.items()}  # once per article, not per chunk
        chunks = [
            Chunk(cid, m["doc_id"], m["chunk_index"], m["start"], m["end"], text,
                  tuple(tuple(s) for s in json.loads(m["sentences"])))
            for cid, text, m in zip(rows["ids"], rows["documents"], rows["metadatas"])
            if m.get("content_hash") == hashes[m["doc_id"]]
        ]
        return articles, chunks


def chroma_where(filters: Filters | None) -> dict | None:
    """Date and source filters as a Chroma ``where`` (the twin of ``catalog.sql_filter``)."""
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
