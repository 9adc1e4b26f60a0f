"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
READER_DATA = ROOT / "data" / "reader"
"""The public QA splits shipped with the repository (train and valid, gzipped)."""
DEMO_CORPUS = ROOT / "data" / "articles" / "clickid_demo.jsonl"
"""The bundled 300 CLICK-ID articles; benchmarks that need more take the full corpus with --corpus
(CLICK-ID raw articles, andikawilliam/CLICK-ID, 22,136 records as jsonl)."""


def corpus_articles(path: Path, limit: int | None = None, skip: int = 0):
    """Articles of a jsonl corpus through Warta's own loader, errors skipped."""
    from assistant.ingest.loaders import iter_articles
    from assistant.records import Article

    items = (a for a in iter_articles([path]) if isinstance(a, Article))
    return list(islice(items, skip, None if limit is None else skip + limit))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[position]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def machine_line() -> str:
    return f"cores: {os.cpu_count()}"


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
