"""Warta's hybrid retrieval as a LangChain ``BaseRetriever``, so any LangChain chain can use it.

Each ``Document`` is one chunk: ``page_content`` is the chunk text, ``id`` its chunk id, and
``metadata`` carries what a citation needs (doc_id, chunk_id, title, date, source, url, the
chunk's start/end offsets in its article, its sentence spans) and the scores (fused, dense,
BM25, rank). ``hit_of`` turns such a Document back into the ``Hit`` the answer stage reads.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.records import Filters, Hit


class WartaRetriever(BaseRetriever):
    """``invoke(query)``, or ``invoke(query, k=5, filters=Filters(...))`` to override per call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: Any
    """The ``Warta`` service whose index is searched."""
    k: int = 8
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, filters: Filters | None = None) -> list[Document]:
        hits = self.service.retrieve(query, k=k or self.k, filters=filters if filters is not None else self.filters)
        return [document_of(hit) for hit in hits]

    def newest_date(self) -> str | None:
        """The newest article's date: "today" for questions about yesterday or the latest news."""
        return self.service.newest_date()


def document_of(hit: Hit) -> Document:
    metadata = {
        "doc_id": hit.doc_id, "chunk_id": hit.chunk_id, "title": hit.title, "date": hit.date, "source": hit.source,
        "url": hit.url, "start": hit.start, "end": hit.end, "sentences": [list(s) for s in hit.sentences],
        "score": hit.score, "dense_score": hit.dense_score, "lexical_score": hit.lexical_score, "rank": hit.rank,
    }
    return Document(id=hit.chunk_id, page_content=hit.text, metadata=metadata)


def hit_of(document: Document) -> Hit:
    m = document.metadata
    return Hit(chunk_id=m["chunk_id"], doc_id=m["doc_id"], text=document.page_content, start=m["start"],
               end=m["end"], sentences=tuple(tuple(s) for s in m["sentences"]), score=m.get("score", 0.0),
               title=m.get("title", ""), date=m.get("date"), source=m.get("source"), url=m.get("url"),
               dense_score=m.get("dense_score"), lexical_score=m.get("lexical_score"), rank=m.get("rank", 0))
