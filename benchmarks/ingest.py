"""Ingestion speed end to end against the embedder's own encode rate on the same texts, same run.

Target: ingestion ≥ 0.9× the encode rate (everything but embedding nearly free).

    python benchmarks/ingest.py [--articles 150] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import DEMO_CORPUS, corpus_articles, machine_line, median

from assistant.ingest.chunking import chunk_article
from assistant.service import Warta
from assistant.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEMO_CORPUS)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    articles = corpus_articles(args.corpus, args.articles)
    settings = Settings.from_env()
    chunks = [c for a in articles for c in chunk_article(a, settings.chunk_max_chars, settings.chunk_overlap_sentences)]
    texts = [c.text for c in chunks]
    service = Warta(settings.replace(index_dir=Path(tempfile.mkdtemp())))
    embedder = service.embedder
    embedder.embed_documents(texts[:16])  # warm up

    encode_rates, ingest_rates = [], []
    for run in range(args.runs):
        t0 = time.perf_counter()
        embedder.embed_documents(texts)
        encode_rates.append(len(texts) / (time.perf_counter() - t0))
        index_dir = Path(tempfile.mkdtemp(prefix="warta-bench-ingest-"))
        run_service = Warta(settings.replace(index_dir=index_dir), embedder=embedder)
        t0 = time.perf_counter()
        report = run_service.ingest_articles(articles)
        ingest_rates.append(report.chunks_added / (time.perf_counter() - t0))
        run_service.close()
        shutil.rmtree(index_dir, ignore_errors=True)
        print(f"run {run + 1}: encode {encode_rates[-1]:.1f} chunks/s, ingest {ingest_rates[-1]:.1f} chunks/s", flush=True)

    print(f"\n{machine_line()}  model: {getattr(embedder, 'model_id', '?')}  "
          f"{len(articles)} articles, {len(texts)} chunks, median of {args.runs} runs")
    print(f"{'embedder encode rate':<28}{median(encode_rates):>10.1f} chunks/s")
    print(f"{'ingestion end to end':<28}{median(ingest_rates):>10.1f} chunks/s")
    print(f"{'ratio (target >= 0.9)':<28}{median(ingest_rates) / median(encode_rates):>10.2f}")


if __name__ == "__main__":
    main()
