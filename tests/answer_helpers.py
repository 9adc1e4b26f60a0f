"""Seed-article hits, a model-free embedder and a chain builder for the answer-stage tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.runnables import Runnable

from assistant.articles import load_articles
from assistant.chain import build_answer_chain
from assistant.chunking import chunk_article
from assistant.records import Article, Hit
from assistant.settings import Settings
from assistant.textproc import words

SEED = Path(__file__).resolve().parents[1] / "data" / "articles" / "seed.md"

from assistant.embeddings import HashingEmbedder


def seed_article() -> Article:
    return load_articles([SEED]).articles[0]


def hits_for(article: Article) -> list[Hit]:
    """Every chunk of the article as a hit, in article order (a stand-in for retrieval)."""
    return [
        Hit(chunk_id=c.chunk_id, doc_id=c.doc_id, text=c.text, start=c.start, end=c.end, sentences=c.sentences,
            score=1.0 / (i + 1), title=article.title, date=article.date, source=article.source, rank=i)
        for i, c in enumerate(chunk_article(article))
    ]


def make_chain(article: Article | None = None, chat_model=None, **settings):
    article = article or seed_article()
    hits = hits_for(article)
    calls: list[tuple[str, int]] = []

    def retrieve(query, k, filters):
        calls.append((query, k))
        return hits[:k]

    chain = build_answer_chain(retrieve, Settings(**settings), embedder=HashingEmbedder(), chat_model=chat_model)
    return Rig(chain, calls)


@dataclass
class Rig:
    """A chain and the queries its retriever was called with."""

    chain: Runnable
    retrieve_calls: list[tuple[str, int]]


def ask(rig: Rig, question: str, history=None, backend: str = "extractive", top_k: int = 8):
    return rig.chain.invoke({"question": question, "history": history or [], "top_k": top_k, "filters": None,
                         "backend": backend})


def assert_contract(answer, article: Article) -> None:
    """Markers ↔ citations, exact quotes, numbering 1..N in order of first use, none unused."""
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    first_use = list(dict.fromkeys(answer.markers()))
    assert first_use == numbers
    for citation in answer.citations + answer.related:
        assert citation.quote == article.text[citation.start:citation.end]
        assert citation.quote.strip()
    if answer.abstained:
        assert answer.citations == [] and answer.markers() == []
