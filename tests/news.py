"""Short news articles of several topics (crime, sports, economy, one in English) and helpers
that run the answer chain over them with model-free parts: the hashing embedder and the fake
reader. Tests of the answer stage use these instead of one article."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from langchain_core.retrievers import BaseRetriever

from assistant.ingest.loaders import load_articles
from assistant.answer.chain import AnswerChain, build_answer_chain
from assistant.ingest.chunking import chunk_article
from assistant.index.embedding_cache import EmbeddingCache
from assistant.index.embeddings import HashingEmbedder
from assistant.answer.reader.fake import FakeReader
from assistant.records import Article, Hit
from assistant.retrieval.retriever import document_of
from assistant.settings import Settings

NEWS_DIR = Path(__file__).resolve().parent / "fixtures" / "news"
CRIME, SPORTS, ECONOMY, ENGLISH = "news-crime-medan", "news-sports-persib", "news-economy-bi", "news-english-flood"


def news_articles() -> dict[str, Article]:
    return {a.doc_id: a for a in load_articles([NEWS_DIR]).articles}


def hits_for(articles: list[Article]) -> list[Hit]:
    """Every chunk of the articles as a hit, in order (a stand-in for retrieval)."""
    hits = []
    for article in articles:
        for chunk in chunk_article(article):
            hits.append(Hit(chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, text=chunk.text, start=chunk.start,
                            end=chunk.end, sentences=chunk.sentences, score=1.0 / (len(hits) + 1),
                            title=article.title, date=article.date, source=article.source, url=article.url,
                            rank=len(hits) + 1))
    return hits


class ListRetriever(BaseRetriever):
    """A stand-in for retrieval: the first k of fixed hits, recording each (query, k)."""

    hits: list
    calls: list

    def _get_relevant_documents(self, query, *, run_manager, k=8, filters=None):
        self.calls.append((query, k))
        return [document_of(h) for h in self.hits[:k]]


@dataclass
class Rig:
    """A chain over fixed hits and the queries its retriever was called with."""

    chain: AnswerChain
    retrieve_calls: list[tuple[str, int]]
    articles: dict[str, Article]


def make_chain(articles: list[Article] | None = None, reader=None, chat_model=None, **settings) -> Rig:
    articles = articles if articles is not None else list(news_articles().values())
    retriever = ListRetriever(hits=hits_for(articles), calls=[])
    chain = build_answer_chain(retriever, reader or FakeReader(), Settings(reader="fake", **settings),
                               embeddings=EmbeddingCache(HashingEmbedder()), chat_model=chat_model)
    return Rig(chain, retriever.calls, {a.doc_id: a for a in articles})


def ask(rig: Rig, question: str, history=None, backend: str = "extractive", top_k: int = 30):
    return rig.chain.invoke({"question": question, "history": history or [], "top_k": top_k, "filters": None,
                             "backend": backend})


def assert_contract(answer, articles: dict[str, Article]) -> None:
    """Markers ↔ citations, exact quotes, numbering 1..N in order of first use, none unused."""
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert list(dict.fromkeys(answer.markers())) == numbers
    for citation in answer.citations + answer.related:
        assert citation.quote == articles[citation.doc_id].text[citation.start:citation.end]
        assert citation.quote.strip()
    if answer.abstained:
        assert answer.citations == [] and answer.markers() == []
