"""The reference point Warta must beat: a plain LangChain RAG over the same articles.

Recursive 1000/200-character chunks, the service's own embedder, top-4 by cosine in an in-memory
store; no lexical index, no fusion, no verification, no abstention. The first chunk is the whole
answer and its only citation. It answers through the same ``ask``/``retrieve``/``article``
methods as the service, so the evaluator scores both with the same code.
"""

from __future__ import annotations

import time
from typing import Iterable

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.answer.contract import Answer, Citation, SentenceSupport
from assistant.records import Article, Filters, Hit

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


class LangChainBaseline:
    name = "langchain-baseline"

    def __init__(self, articles: Iterable[Article], embedder: Embeddings):
        self.articles = {a.doc_id: a for a in articles}
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
        )
        documents = splitter.create_documents(
            [a.text for a in self.articles.values()],
            metadatas=[{"doc_id": a.doc_id} for a in self.articles.values()],
        )
        ids = [f"{d.metadata['doc_id']}#lc{d.metadata['start_index']}" for d in documents]
        self.store = InMemoryVectorStore(embedder)
        if documents:
            self.store.add_documents(documents, ids=ids)

    def article(self, doc_id: str) -> Article | None:
        return self.articles.get(doc_id)

    def retrieve(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        if not self.articles:
            return []
        found = self.store.similarity_search_with_score(query, k=k)
        return [self._hit(doc, score, rank) for rank, (doc, score) in enumerate(found, start=1)]

    def ask(self, question: str, history=None, top_k=None, backend=None, filters=None) -> Answer:
        started = time.perf_counter()
        hits = self.retrieve(question, k=TOP_K)
        elapsed = time.perf_counter() - started
        timings = {"retrieve": elapsed, "total": elapsed}
        if not hits:
            return Answer(question=question, text="", abstained=True, timings=timings, backend=self.name)
        first = hits[0]
        article = self.articles[first.doc_id]
        citation = Citation(
            n=1, doc_id=first.doc_id, title=article.title, source=article.source, date=article.date,
            url=article.url, chunk_id=first.chunk_id, quote=first.text, start=first.start, end=first.end,
        )
        # The answer is the quote itself, so its one "sentence" is supported by construction.
        return Answer(
            question=question,
            text=f"{first.text} [1]",
            citations=[citation],
            evidence=hits,
            timings=timings,
            standalone_question=question,
            backend=self.name,
            sentences=[SentenceSupport(text=first.text, citations=[1], support=1.0, supported=True)],
        )

    def _hit(self, doc: Document, score: float, rank: int) -> Hit:
        article = self.articles[doc.metadata["doc_id"]]
        start = doc.metadata["start_index"]
        end = start + len(doc.page_content)
        return Hit(
            chunk_id=f"{article.doc_id}#lc{start}", doc_id=article.doc_id, text=doc.page_content,
            start=start, end=end, sentences=((start, end),), score=float(score), title=article.title,
            date=article.date, source=article.source, url=article.url, dense_score=float(score), rank=rank,
        )
