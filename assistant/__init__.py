"""Warta: answers questions about news articles and proves every answer with citations.

    from assistant import ask, retrieve, as_retriever
    answer = ask("Who chaired the meeting?")
    documents = retrieve("banjir Jakarta", k=5)          # LangChain Documents with Warta's metadata
    retriever = as_retriever(k=8, filters=Filters(date_from="2019-09-01"))   # a BaseRetriever
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answer.contract import Answer, Citation, SentenceSupport
from assistant.errors import IndexMismatch, IndexMissing, InvalidQuestion, WartaError
from assistant.records import Filters, Hit
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.documents import Document

    from assistant.retrieval.retriever import WartaRetriever

__all__ = ["ask", "retrieve", "as_retriever", "Answer", "Citation", "SentenceSupport", "Filters", "Hit",
           "Settings", "WartaError", "InvalidQuestion", "IndexMissing", "IndexMismatch"]


def _service(index_dir: str | Path | None):
    from assistant.service import get_service

    return get_service(Settings.from_env(index_dir=index_dir) if index_dir else Settings.from_env())


def ask(question: str, history: list[tuple[str, str]] | None = None, index_dir: str | Path | None = None,
        top_k: int | None = None, backend: str | None = None, filters: Filters | None = None) -> Answer:
    """Answer a question from the index, with citations (or an honest abstention)."""
    return _service(index_dir).ask(question, history=history, top_k=top_k, backend=backend, filters=filters)


def retrieve(query: str, k: int = 10, filters: Filters | None = None,
             index_dir: str | Path | None = None) -> list[Document]:
    """The ``k`` best chunks for ``query`` (hybrid e5 + BM25), as LangChain Documents."""
    return as_retriever(k=k, filters=filters, index_dir=index_dir).invoke(query)


def as_retriever(k: int = 8, filters: Filters | None = None, index_dir: str | Path | None = None) -> WartaRetriever:
    """Warta's retrieval as a LangChain ``BaseRetriever``, to plug into any chain."""
    return _service(index_dir).as_retriever(k=k, filters=filters)
