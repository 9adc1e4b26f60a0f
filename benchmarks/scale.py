"""Query latency, memory and index size as the index grows from 1k to 100k chunks.

Builds (and keeps, resumable) one index of the CLICK-ID news corpus under .cache/bench-scale,
growing it tier by tier; at each tier measures retrieve() and ask() p50/p95 over the same
questions, peak RSS, and the index size on disk per 1k chunks.

Chunks up to ``--real-chunks`` get real e5 vectors. Beyond that (e5 does ~35 chunks/s on 2 cores,
so 100k real vectors take most of an hour) the remaining articles are ingested with their real
text, chunks and BM25 rows, but with vectors that are jittered copies of the real ones: the tiers
above ``--real-chunks`` measure how latency and size scale, not retrieval quality. The output
says which tiers are partly synthetic.

    python benchmarks/scale.py [--tiers 1000,10000,100000] [--real-chunks 10000] [--questions 40]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from _common import DEFAULT_DATA, ROOT, corpus_articles, folder_mb, machine_line, peak_rss_mb, percentile

from assistant.chunking import chunk_article
from assistant.service import Warta
from assistant.settings import Settings

FIXED_QUESTIONS = [
    "Siapa yang menghadiri rapat koordinasi?",
    "Who won the election?",
    "Berapa korban banjir di Jakarta?",
    "What did the president say about the economy?",
    "Kapan pertandingan final digelar?",
]


class JitteredCopies(Embeddings):
    """Passage vectors that are noisy copies of real e5 vectors (cosine ≈ 0.9 to their source);
    queries still go through the real model. Only for filling the large benchmark tiers."""

    def __init__(self, real: Embeddings, pool: np.ndarray, seed: int = 7):
        self.real, self.pool, self.model_id = real, pool, real.model_id
        self.rng = np.random.default_rng(seed)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        picks = self.pool[self.rng.integers(0, len(self.pool), len(texts))]
        noisy = picks + self.rng.normal(0.0, 0.45 / np.sqrt(picks.shape[1]), picks.shape)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def real_vectors(service: Warta, limit: int) -> np.ndarray:
    got = service.index().vectors._collection.get(include=["embeddings"], limit=limit)
    return np.asarray(got["embeddings"], dtype=np.float32)


def articles_for_tier(articles, settings: Settings, tier: int) -> int:
    total = 0
    for n, article in enumerate(articles, 1):
        total += len(chunk_article(article, settings.chunk_max_chars, settings.chunk_overlap_sentences))
        if total >= tier:
            return n
    return len(articles)


def measure(service: Warta, questions: list[str]) -> dict:
    service.retrieve(questions[0], k=8)
    service.ask(questions[0])
    retrieve_ms, ask_ms = [], []
    for q in questions:
        t0 = time.perf_counter()
        service.retrieve(q, k=service.settings.top_k)
        retrieve_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        service.ask(q)
        ask_ms.append((time.perf_counter() - t0) * 1000)
    return {"retrieve_p50_ms": percentile(retrieve_ms, 0.5), "retrieve_p95_ms": percentile(retrieve_ms, 0.95),
            "ask_p50_ms": percentile(ask_ms, 0.5), "ask_p95_ms": percentile(ask_ms, 0.95)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DATA / "clickid" / "clickid_news_corpus.jsonl")
    parser.add_argument("--tiers", default="1000,10000,100000")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--real-chunks", type=int, default=10000)
    parser.add_argument("--index", type=Path, default=ROOT / ".cache" / "bench-scale")
    args = parser.parse_args()

    articles = corpus_articles(args.corpus)
    settings = Settings.from_env(index_dir=args.index)
    service = Warta(settings)
    rng = random.Random(7)
    results_file = args.index / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    real_articles = articles_for_tier(articles, settings, args.real_chunks)
    for tier in [int(t) for t in args.tiers.split(",")]:
        n = articles_for_tier(articles, settings, tier)
        t0 = time.perf_counter()
        report = service.ingest_articles(articles[: min(n, real_articles)], progress=True)
        if n > real_articles:
            filler = Warta(settings, embedder=JitteredCopies(service.embedder, real_vectors(service, args.real_chunks)))
            report = filler.ingest_articles(articles[real_articles:n], progress=True)
            filler.close()
        print(f"tier {tier}: {report.summary()} ({time.perf_counter() - t0:.0f}s)", flush=True)
        sample = rng.sample(articles[:n], min(args.questions - len(FIXED_QUESTIONS), n))
        questions = FIXED_QUESTIONS + [a.title for a in sample]
        stats = service.stats()
        row = measure(service, questions)
        size = folder_mb(args.index)
        row.update({"chunks": stats["chunks"], "articles": stats["articles"], "index_mb": size,
                    "synthetic_vectors": max(0, stats["chunks"] - args.real_chunks),
                    "mb_per_1k_chunks": size / max(1, stats["chunks"]) * 1000, "peak_rss_mb": peak_rss_mb()})
        results[str(tier)] = row
        results_file.write_text(json.dumps(results, indent=2))
        print(json.dumps(row), flush=True)

    print(f"\n{machine_line()}  model: {service.stats()['embedding_model']}")
    header = ("tier", "chunks", "synthetic", "retr p50", "retr p95", "ask p50", "ask p95", "MB/1k", "RSS MB")
    print("".join(f"{h:>10}" for h in header))
    for tier, r in sorted(results.items(), key=lambda kv: int(kv[0])):
        print(f"{tier:>10}{r['chunks']:>10}{r.get('synthetic_vectors', 0):>10}{r['retrieve_p50_ms']:>10.1f}"
              f"{r['retrieve_p95_ms']:>10.1f}{r['ask_p50_ms']:>10.1f}{r['ask_p95_ms']:>10.1f}"
              f"{r['mb_per_1k_chunks']:>10.2f}{r['peak_rss_mb']:>10.0f}")
    base = results.get("1000")
    if base:
        for tier, r in sorted(results.items(), key=lambda kv: int(kv[0])):
            print(f"growth 1k→{tier}: retrieve p50 ×{r['retrieve_p50_ms'] / base['retrieve_p50_ms']:.2f}, "
                  f"ask p50 ×{r['ask_p50_ms'] / base['ask_p50_ms']:.2f}, size/1k ×"
                  f"{r['mb_per_1k_chunks'] / base['mb_per_1k_chunks']:.2f}")


if __name__ == "__main__":
    main()
