"""Retrieval quality through Warta's own ingest and retrieve: BM25, dense and hybrid side by side.

Dev splits only (held-out splits are kept for checking): TyDi-id valid questions over all TyDi
passages (valid and train), FacQA valid, Belebele dev asked in English and in Indonesian; read
from the repository's copies in data/reader.

    python benchmarks/retrieval.py [--data data/reader] [--sets tydi,facqa,belebele-en,belebele-id]
                                   [--limit N] [--tune]

Indexes are cached under .cache/bench-indexes/ (per set and embedding model), so a second run
only re-queries. ``--tune`` grid-searches the fusion settings on these dev splits. ``--ablate``
prints the hybrid with retrieval's one hand-made aid, the English news glossary, switched off:
the measurement that decides whether it keeps its place. (The same measurement removed three
others: a question-predicate boost, a table of common abbreviations and the expansion of
abbreviations an article defines changed no figure on these sets.)
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.ingest.loaders import load_articles  # noqa: E402
from assistant.evaluation.sets import QuestionSet, load_question_set  # noqa: E402
from assistant.retrieval.hybrid import CandidatePool, FusionConfig, candidate_pool, fuse  # noqa: E402
from assistant.index import lexical  # noqa: E402
from assistant.service import Warta  # noqa: E402
from assistant.settings import Settings  # noqa: E402

KS = (1, 5, 10)


@dataclass
class Pool:
    """One question's gold article and the candidates Warta's retrieval considered for it."""

    gold: str
    candidates: CandidatePool


def load_sets(data: Path, names: list[str]) -> dict[str, QuestionSet]:
    out = {}
    for name in names:
        if name == "tydi":
            valid = load_question_set(data / "tydiqa_id_valid.json.gz", "squad")
            train = load_question_set(data / "tydiqa_id_train.json.gz", "squad")
            seen = {a.doc_id for a in valid.articles}
            valid.articles += [a for a in train.articles if a.doc_id not in seen]
            out[name] = valid
        elif name == "facqa":
            out[name] = load_question_set(data / "facqa_valid.jsonl.gz", "facqa")
        elif name in ("belebele-en", "belebele-id"):
            out[name] = load_question_set(data / "belebele_en_id_dev.jsonl.gz", name)
        elif name == "news":  # Warta's own news dev questions over the bundled articles
            qset = load_question_set(ROOT / "data" / "questions" / "news_dev.jsonl")
            qset.articles = load_articles([ROOT / "data" / "articles"]).articles
            out[name] = qset
        else:
            raise SystemExit(f"unknown set {name}")
    return out


def service_for(name: str, qset: QuestionSet, cache: Path) -> Warta:
    corpus = "belebele" if name.startswith("belebele") else name
    settings = Settings.from_env(index_dir=cache / corpus)
    service = Warta(settings)
    index_dir = cache / corpus
    marker = index_dir / f".complete-{len(qset.articles)}"
    if not marker.exists():
        t0 = time.perf_counter()
        report = service.ingest_articles(qset.articles, progress=True)
        print(f"  indexed {name}: {report.summary()} (embedding {report.embed_seconds:.0f}s of "
              f"{time.perf_counter() - t0:.0f}s)", flush=True)
        marker.touch()
    return service


def pools_for(service: Warta, qset: QuestionSet, limit: int | None, depth: int) -> list[Pool]:
    index = service.index()
    pools = []
    questions = [q for q in qset.questions if q.answerable or q.doc_id][:limit]
    vectors = [service.embedder.embed_query(q.question) for q in questions]
    for q, vector in zip(questions, vectors):
        pools.append(Pool(q.doc_id, candidate_pool(index, q.question, vector, None, depth)))
    return pools


def doc_of(chunk_id: str) -> str:
    return chunk_id.split("::", 1)[0]


def ranked_docs(scores: dict[str, float]) -> list[str]:
    out: list[str] = []
    for chunk_id in sorted(scores, key=scores.get, reverse=True):
        doc = doc_of(chunk_id)
        if doc not in out:
            out.append(doc)
    return out


def metrics(rankings: list[tuple[str, list[str]]]) -> dict[str, float]:
    n = len(rankings) or 1
    out = {f"R@{k}": sum(gold in docs[:k] for gold, docs in rankings) / n for k in KS}
    out["MRR@10"] = sum(1 / (docs[:10].index(gold) + 1) for gold, docs in rankings if gold in docs[:10]) / n
    return out


def evaluate(pools: list[Pool], config: FusionConfig) -> dict[str, dict[str, float]]:
    return {
        "bm25": metrics([(p.gold, ranked_docs(p.candidates.lexical)) for p in pools]),
        "dense": metrics([(p.gold, ranked_docs(p.candidates.dense)) for p in pools]),
        "hybrid": metrics([(p.gold, ranked_docs(fuse(p.candidates, config))) for p in pools]),
    }


def tune(all_pools: dict[str, list[Pool]]) -> FusionConfig:
    best, best_score = FusionConfig(), -1.0
    grid = itertools.product([0.5, 0.7, 1.0, 1.3, 1.6], [0.03, 0.05, 0.08])
    for weight, unit in grid:
        config = replace(FusionConfig(), lexical_weight=weight, dense_unit=unit)
        score = sum(evaluate(p, config)["hybrid"]["R@1"] for p in all_pools.values()) / len(all_pools)
        if score > best_score:
            best, best_score = config, score
    print(f"best on dev: {best} mean R@1 {best_score:.3f}")
    return best


ABLATIONS = ("glossary",)


def ablated(name: str, sets: dict[str, QuestionSet], cache: Path, limit: int | None) -> dict[str, list[Pool]]:
    """Pools computed with one aid switched off."""
    from unittest import mock

    patch = {"glossary": mock.patch.object(lexical, "translations", lambda text: [])}[name]
    with patch:
        pools = {}
        for set_name, qset in sets.items():
            service = service_for(set_name, qset, cache)
            pools[set_name] = pools_for(service, qset, limit, FusionConfig().candidates)
            service.close()
        return pools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "reader")
    parser.add_argument("--sets", default="tydi,facqa,belebele-en,belebele-id,news")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench-indexes")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--ablate", nargs="*", choices=ABLATIONS, help="also run with these aids (default: each) switched off")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sets = load_sets(args.data, args.sets.split(","))
    all_pools = {}
    for name, qset in sets.items():
        print(f"{name}: {len(qset.questions)} questions, {len(qset.articles)} passages", flush=True)
        service = service_for(name, qset, args.cache)
        t0 = time.perf_counter()
        all_pools[name] = pools_for(service, qset, args.limit, FusionConfig().candidates)
        print(f"  queried in {time.perf_counter() - t0:.1f}s", flush=True)
    config = tune(all_pools) if args.tune else FusionConfig()
    print(f"\ncores: {os.cpu_count()}  fusion: {config}")
    print(f"{'set':<13}{'method':<8}" + "".join(f"{m:>8}" for m in ("R@1", "R@5", "R@10", "MRR@10")))
    for name, pools in all_pools.items():
        for method, values in evaluate(pools, config).items():
            print(f"{name:<13}{method:<8}" + "".join(f"{values[m]:>8.3f}" for m in ("R@1", "R@5", "R@10", "MRR@10")))
    if args.ablate is not None:
        print(f"\nhybrid without one aid ({'set':<13}" + "".join(f"{m:>8}" for m in ("R@1", "R@5", "R@10", "MRR@10")) + ")")
        for aid in args.ablate or ABLATIONS:
            for name, pools in ablated(aid, sets, args.cache, args.limit).items():
                values = evaluate(pools, config)["hybrid"]
                print(f"without {aid:<14}{name:<13}" + "".join(f"{values[m]:>8.3f}" for m in ("R@1", "R@5", "R@10", "MRR@10")))


if __name__ == "__main__":
    main()
