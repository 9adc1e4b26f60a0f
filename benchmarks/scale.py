"""Query latency, memory and index size as the index grows from 1k chunks to the whole CLICK-ID corpus.

Every vector is a real e5 vector. The whole corpus is ingested once, as a user would
(``warta ingest``, resumable), into ``--full-index``; the smaller tiers are built from the first
articles of the corpus through the same ingestion, reusing the full index's vectors for the same
chunk texts (``StoredVectors``) instead of embedding them again. Each tier is then measured in a
fresh process (so peak RSS is the service's, not this script's): ``retrieve()`` and ``ask()``
p50/p95 over the same questions, the median over ``--runs`` runs, peak RSS, and the index size
on disk per 1k chunks.

    warta ingest CLICKID/clickid_news_corpus.jsonl --index .cache/scale-full/index
    python benchmarks/scale.py [--tiers 1000,10000] [--runs 3] [--questions 40]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from _common import DEMO_CORPUS, ROOT, corpus_articles, folder_mb, machine_line, median, peak_rss_mb, percentile

from assistant.ingest.chunking import chunk_article
from assistant.service import Warta
from assistant.settings import Settings

FIXED_QUESTIONS = [
    "Siapa yang menghadiri rapat koordinasi?",
    "Who won the election?",
    "Berapa korban banjir di Jakarta?",
    "What did the president say about the economy?",
    "Kapan pertandingan final digelar?",
]


class StoredVectors(Embeddings):
    """Passage vectors looked up by text in an index that already holds them (same model, same
    chunking); queries go through the real model."""

    def __init__(self, real: Embeddings, vectors: dict[str, np.ndarray]):
        self.real, self.vectors, self.model_id = real, vectors, real.model_id

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self.vectors]
        if missing:
            raise KeyError(f"{len(missing)} chunk text(s) are not in the full index: rebuild it")
        return [self.vectors[t].tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def stored_vectors(service: Warta) -> dict[str, np.ndarray]:
    collection = service.index().collection
    out: dict[str, np.ndarray] = {}
    total = collection.count()
    for offset in range(0, total, 5000):
        page = collection.get(include=["documents", "embeddings"], limit=5000, offset=offset)
        out.update(zip(page["documents"], np.asarray(page["embeddings"], dtype=np.float32)))
    return out


def articles_for_tier(articles, settings: Settings, tier: int) -> int:
    total = 0
    for n, article in enumerate(articles, 1):
        total += len(chunk_article(article, settings.chunk_max_chars, settings.chunk_overlap_sentences))
        if total >= tier:
            return n
    return len(articles)


def build_tier(full: Warta, articles, tier: int, index_dir: Path, vectors: dict[str, np.ndarray]) -> None:
    settings = Settings.from_env(index_dir=index_dir)
    n = articles_for_tier(articles, settings, tier)
    builder = Warta(settings, embedder=StoredVectors(full.embedder, vectors))
    t0 = time.perf_counter()
    report = builder.ingest_articles(articles[:n], progress=True)
    print(f"tier {tier}: {report.summary()} ({time.perf_counter() - t0:.0f}s)", flush=True)
    builder.close()


def measure(index_dir: Path, questions: list[str], runs: int) -> dict:
    """Runs in its own process (``--measure``): load the service, warm up, time every question."""
    t0 = time.perf_counter()
    service = Warta(Settings.from_env(index_dir=index_dir))
    service.warm_up()
    service.retrieve(questions[0], k=8)
    service.ask(questions[0])
    open_s = time.perf_counter() - t0
    per_run = []
    for _ in range(runs):
        retrieve_ms, ask_ms = [], []
        for q in questions:
            t = time.perf_counter()
            service.retrieve(q, k=service.settings.top_k)
            retrieve_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            service.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
        per_run.append({"retrieve_p50_ms": percentile(retrieve_ms, 0.5), "retrieve_p95_ms": percentile(retrieve_ms, 0.95),
                        "ask_p50_ms": percentile(ask_ms, 0.5), "ask_p95_ms": percentile(ask_ms, 0.95)})
    stats = service.stats()
    row = {key: median([r[key] for r in per_run]) for key in per_run[0]}
    row.update({"chunks": stats["chunks"], "articles": stats["articles"], "index_mb": folder_mb(index_dir),
                "peak_rss_mb": peak_rss_mb(), "rss_after_mb": current_rss_mb(), "open_and_warm_up_s": open_s,
                "runs": runs})
    row["mb_per_1k_chunks"] = row["index_mb"] / max(1, stats["chunks"]) * 1000
    service.close()
    return row


def current_rss_mb() -> float:
    """Resident memory now (the peak is set by loading the model; this shows what the index adds)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEMO_CORPUS,
                        help="articles jsonl (the full CLICK-ID corpus for the published figures)")
    parser.add_argument("--full-index", type=Path, default=ROOT / ".cache" / "scale-full" / "index")
    parser.add_argument("--tiers", default="1000,10000", help="smaller tiers; the full index is always the last")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / ".cache" / "bench-scale")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--question-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # the child process of one tier
        questions = json.loads(args.question_file.read_text())
        print(json.dumps(measure(args.measure, questions, args.runs)))
        return

    if not (args.full_index / "catalog.sqlite").exists():
        sys.exit(f"no full index at {args.full_index}: build it first with\n"
                 f"  warta ingest {args.corpus} --index {args.full_index}")
    articles = corpus_articles(args.corpus)
    full = Warta(Settings.from_env(index_dir=args.full_index))
    full_stats = full.stats()
    distinct = len({a.text for a in articles})  # ingestion keeps one of each duplicate text
    if full_stats["articles"] < distinct or full_stats["pending_articles"]:
        sys.exit(f"the full index holds {full_stats['articles']} of {distinct} articles: "
                 f"finish it with `warta ingest {args.corpus} --index {args.full_index}` (it resumes)")
    args.work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    sample = rng.sample(articles, args.questions - len(FIXED_QUESTIONS))
    question_file = args.work / "questions.json"
    question_file.write_text(json.dumps(FIXED_QUESTIONS + [a.title for a in sample], ensure_ascii=False))

    tiers = [int(t) for t in args.tiers.split(",") if t]
    indexes = {str(t): args.work / f"tier-{t}" for t in tiers}
    if tiers:
        vectors = stored_vectors(full)
        for tier in tiers:
            if not (indexes[str(tier)] / "catalog.sqlite").exists():
                build_tier(full, articles, tier, indexes[str(tier)], vectors)
        del vectors
    full.close()
    indexes["all"] = args.full_index

    results = {}
    for name, index_dir in indexes.items():
        out = subprocess.run([sys.executable, __file__, "--measure", str(index_dir), "--question-file",
                              str(question_file), "--runs", str(args.runs)],
                             capture_output=True, text=True, check=True)
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name}: {json.dumps(results[name])}", flush=True)
    (args.work / "results.json").write_text(json.dumps(results, indent=2))

    print(f"\n{machine_line()}  model: {full_stats['embedding_model']}  runs: {args.runs} (medians)  "
          f"questions: {args.questions}")
    header = ("tier", "chunks", "retr p50", "retr p95", "ask p50", "ask p95", "MB/1k", "peak RSS", "RSS after", "open s")
    print("".join(f"{h:>10}" for h in header))
    for name, r in results.items():
        print(f"{name:>10}{r['chunks']:>10}{r['retrieve_p50_ms']:>10.1f}{r['retrieve_p95_ms']:>10.1f}"
              f"{r['ask_p50_ms']:>10.1f}{r['ask_p95_ms']:>10.1f}{r['mb_per_1k_chunks']:>10.2f}"
              f"{r['peak_rss_mb']:>10.0f}{r['rss_after_mb']:>10.0f}{r['open_and_warm_up_s']:>10.1f}")
    first, base = next(iter(results.items()))
    for name, r in list(results.items())[1:]:
        print(f"growth {first}→{name} ({r['chunks'] / base['chunks']:.0f}× chunks): retrieve p50 "
              f"×{r['retrieve_p50_ms'] / base['retrieve_p50_ms']:.2f}, ask p50 ×{r['ask_p50_ms'] / base['ask_p50_ms']:.2f}, "
              f"size/1k ×{r['mb_per_1k_chunks'] / base['mb_per_1k_chunks']:.2f}, RSS after ×{r['rss_after_mb'] / base['rss_after_mb']:.2f}")


if __name__ == "__main__":
    main()
