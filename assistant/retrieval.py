"""Hybrid retrieval: dense e5 similarity fused with BM25, weighted by how much the query's words
are found in the corpus.

Why query-dependent: BM25 cannot match an English question to Indonesian text, and equal-weight
fusion drags e5 down there (Belebele EN→ID R@1 0.81 → 0.39), while for Indonesian questions with
rare names and numbers BM25 adds what e5 misses. So BM25's weight scales with the share of the
query's terms the lexical index knows (``coverage``), and scores are fused after normalizing each
side over the candidate pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant import lexical
from assistant.records import Filters, Hit
from assistant.store import Index


@dataclass(frozen=True)
class FusionConfig:
    """Tuned on the dev splits only (benchmarks/retrieval.py)."""

    candidates: int = 50
    lexical_weight: float = 0.3
    min_coverage: float = 0.5


def fuse(dense: dict[str, float], lexical_scores: dict[str, float], coverage: float,
         config: FusionConfig) -> dict[str, float]:
    """Combined score per chunk: dense cosine (min-max normalized over the pool) plus BM25
    (normalized by the pool's best) times a weight that grows with the query's coverage."""
    pool = set(dense) | set(lexical_scores)
    if not pool:
        return {}
    d_values = [dense.get(c, 0.0) for c in pool]
    d_lo, d_hi = min(d_values), max(d_values)
    d_span = (d_hi - d_lo) or 1.0
    l_hi = max(lexical_scores.values(), default=0.0) or 1.0
    weight = lexical_weight_for(coverage, config)
    return {
        c: (dense.get(c, d_lo) - d_lo) / d_span + weight * lexical_scores.get(c, 0.0) / l_hi
        for c in pool
    }


def lexical_weight_for(coverage: float, config: FusionConfig) -> float:
    if coverage < config.min_coverage:
        return config.lexical_weight * coverage * 0.5
    return config.lexical_weight * coverage


@dataclass
class CandidatePool:
    """Every candidate of either side, each with both scores (0 BM25 where no term matches)."""

    dense: dict[str, float]
    lexical: dict[str, float]
    coverage: float


def candidate_pool(index: Index, query: str, query_vector: list[float], filters: Filters | None,
                   size: int) -> CandidatePool:
    dense = dict(index.dense_search(query_vector, size, filters))
    analyzed = lexical.analyze(index.conn, query)
    lexical_scores = dict(index.lexical_search(analyzed, size, filters))
    missing_dense = [c for c in lexical_scores if c not in dense]
    if missing_dense:
        dense.update(_cosines(query_vector, index.vectors_for(missing_dense)))
    missing_lexical = [c for c in dense if c not in lexical_scores]
    if missing_lexical and analyzed.known_terms:
        lexical_scores.update(lexical.scores_for(index.conn, analyzed, missing_lexical))
    return CandidatePool(dense, lexical_scores, analyzed.coverage)


def hybrid_search(index: Index, query: str, query_vector: list[float], k: int,
                  filters: Filters | None = None, config: FusionConfig = FusionConfig()) -> list[Hit]:
    pool = candidate_pool(index, query, query_vector, filters, max(config.candidates, k))
    fused = fuse(pool.dense, pool.lexical, pool.coverage, config)
    ranked = sorted(fused, key=lambda c: fused[c], reverse=True)
    hits = index.hits_for(ranked[: k * 3])
    out: list[Hit] = []
    for chunk_id in ranked:
        hit = hits.get(chunk_id)
        if hit is None:
            continue
        hit.score = fused[chunk_id]
        hit.dense_score = pool.dense.get(chunk_id)
        hit.lexical_score = pool.lexical.get(chunk_id, 0.0)
        hit.rank = len(out) + 1
        hit.extra["lexical_coverage"] = pool.coverage
        out.append(hit)
        if len(out) == k:
            break
    return out


def _cosines(query_vector: list[float], vectors: dict[str, list[float]]) -> dict[str, float]:
    import numpy as np

    q = np.asarray(query_vector, dtype=np.float32)
    return {cid: float(np.dot(q, np.asarray(v, dtype=np.float32))) for cid, v in vectors.items()}
