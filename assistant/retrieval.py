"""Hybrid retrieval: dense e5 similarity fused with BM25, weighted by how much the query's words
are found in the corpus.

Why query-dependent: BM25 cannot match an English question to Indonesian text, and equal-weight
fusion drags e5 down there (Belebele EN→ID R@1 0.81 → 0.39), while for Indonesian questions with
rare names and numbers BM25 adds what e5 misses. So BM25's weight scales with the share of the
query's terms the lexical index knows (``coverage``; English words count as known through the
glossary's Indonesian translations), and each side is scored relative to the pool's best.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant import lexical
from assistant.records import Filters, Hit
from assistant.store import Index

@dataclass(frozen=True)
class FusionConfig:
    """Tuned on the dev splits only (benchmarks/retrieval.py --tune)."""

    candidates: int = 50
    lexical_weight: float = 1.0
    dense_unit: float = 0.05
    """A cosine gap this large to the best candidate costs as much as the whole lexical side."""


def fuse(pool: "CandidatePool", config: FusionConfig) -> dict[str, float]:
    """Combined score per chunk: the dense cosine's gap to the pool's best (in ``dense_unit``s),
    plus BM25 relative to the pool's best times ``lexical_weight × coverage``, so BM25 counts in
    full only when the corpus knows the query's words (directly or through the glossary)."""
    dense, lexical_scores = pool.dense, pool.lexical
    candidates = set(dense) | set(lexical_scores)
    if not candidates:
        return {}
    best_dense = max(dense.values(), default=0.0)
    best_lexical = max(lexical_scores.values(), default=0.0) or 1.0
    weight = config.lexical_weight * pool.coverage
    return {
        c: (dense.get(c, 0.0) - best_dense) / config.dense_unit + weight * lexical_scores.get(c, 0.0) / best_lexical
        for c in candidates
    }


@dataclass
class CandidatePool:
    """Every candidate of either side, each with both scores (0 BM25 where no term matches)."""

    dense: dict[str, float]
    lexical: dict[str, float]
    coverage: float
    hits: dict[str, Hit]


def candidate_pool(index: Index, query: str, query_vector: list[float], filters: Filters | None,
                   size: int) -> CandidatePool:
    """The best ``size`` chunks of each side, each candidate then scored on both sides."""
    dense = dict(index.dense_search(query_vector, size, filters))
    analyzed = lexical.analyze(index.conn, query)
    lexical_candidates = [c for c, _ in index.lexical_search(analyzed, size, filters)]
    missing_dense = [c for c in lexical_candidates if c not in dense]
    if missing_dense:
        dense.update(_cosines(query_vector, index.vectors_for(missing_dense)))
    hits = index.hits_for(list(set(dense) | set(lexical_candidates)))
    lexical_scores = {}
    if analyzed.known_terms:
        for chunk_id, terms in index.lexical_terms(list(hits)).items():
            if score := analyzed.bm25(terms):
                lexical_scores[chunk_id] = score
    dense = {c: v for c, v in dense.items() if c in hits}
    return CandidatePool(dense, lexical_scores, analyzed.coverage, hits)


def hybrid_search(index: Index, query: str, query_vector: list[float], k: int,
                  filters: Filters | None = None, config: FusionConfig = FusionConfig()) -> list[Hit]:
    pool = candidate_pool(index, query, query_vector, filters, max(config.candidates, k))
    fused = fuse(pool, config)
    ranked = sorted(fused, key=lambda c: fused[c], reverse=True)
    out: list[Hit] = []
    for chunk_id in ranked:
        hit = pool.hits.get(chunk_id)
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
