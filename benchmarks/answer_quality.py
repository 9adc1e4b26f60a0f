"""Answer quality and latency of the default (extractive) answerer, through ``Warta.ask()``.

Prints, per question set: answerable questions answered correctly *with* a citation whose quote
holds the support (the target metric), unanswerable questions abstained, citation exactness
(quote == article text at its offsets), and answer latency: cold (the first question on a fresh
service, models already loaded) and warm p50/p95 (a second pass over the set).

    .venv/bin/python benchmarks/answer_quality.py data/questions/dev_seed.jsonl --index .cache/seedidx
    .venv/bin/python benchmarks/answer_quality.py facqa_train150.jsonl --format facqa \
        --index-cache .cache/answer-quality [--features out.jsonl]

Public sets get their own index (built once, under --index-cache). ``--features`` writes, per
question, what the abstention decision saw (best candidate's score parts), for calibration.
Use only TRAIN splits and the dev set for tuning; valid/dev splits and Belebele are for reports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import percentile  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--format", default="auto")
    parser.add_argument("--index", help="existing index (Warta-format question sets)")
    parser.add_argument("--index-cache", default=".cache/answer-quality", help="where public sets' indexes go")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--features", help="write per-question decision features here (jsonl)")
    parser.add_argument("--no-warm", action="store_true", help="skip the second (warm) pass")
    parser.add_argument("--show", action="store_true", help="print every miss")
    args = parser.parse_args(argv)

    from assistant import chain as chain_module
    from assistant.eval_sets import load_question_set
    from assistant.evaluation import contains
    from assistant.service import Warta
    from assistant.settings import Settings

    qset = load_question_set(args.questions, args.format)
    questions = qset.questions[: args.limit] if args.limit else qset.questions
    index_dir = args.index
    if index_dir is None:
        digest = hashlib.sha1(Path(args.questions).read_bytes()).hexdigest()[:10]
        index_dir = str(Path(args.index_cache) / f"{Path(args.questions).stem}-{digest}")
    t0 = time.perf_counter()
    service = Warta(Settings.from_env(index_dir=index_dir))
    load_s = time.perf_counter() - t0
    if qset.articles and not service.index_exists():
        service.ingest_articles(qset.articles)

    captured: dict = {}
    original = chain_module.unanswerable_detail

    def capture(analysis, hits, ranked, speaker):
        captured.update(analysis=analysis, ranked=ranked, speaker=speaker)
        return original(analysis, hits, ranked, speaker)

    chain_module.unanswerable_detail = capture
    features = open(args.features, "w", encoding="utf-8") if args.features else None
    articles: dict = {}
    counts = {"answerable": 0, "correct_supported": 0, "correct": 0, "false_abstain": 0,
              "unanswerable": 0, "abstained": 0, "citations": 0, "exact": 0}
    cold: list[float] = []
    first: list[float] = []
    for n, q in enumerate(questions):
        captured.clear()
        t = time.perf_counter()
        answer = service.ask(q.question, history=list(q.history))
        elapsed = time.perf_counter() - t
        (cold if n == 0 else first).append(elapsed)
        quotes = " ".join(c.quote for c in answer.citations)
        for c in answer.citations:
            if c.doc_id not in articles:
                articles[c.doc_id] = service.article(c.doc_id)
            counts["citations"] += 1
            art = articles[c.doc_id]
            counts["exact"] += bool(art and art.text[c.start:c.end] == c.quote)
        if q.answerable:
            counts["answerable"] += 1
            correct = not answer.abstained and any(contains(f"{answer.text} {quotes}", g) for g in q.answers)
            if q.support:
                supported = any(contains(c.quote, s) for c in answer.citations for s in q.support)
            else:
                supported = any(c.doc_id == q.doc_id for c in answer.citations)
            counts["correct"] += correct
            counts["correct_supported"] += correct and supported
            counts["false_abstain"] += answer.abstained
            ok = correct and supported
        else:
            counts["unanswerable"] += 1
            counts["abstained"] += answer.abstained
            ok = answer.abstained
        if args.show and not ok:
            print(f"MISS {q.id} [{'A' if q.answerable else 'U'}] {q.question} | gold {list(q.answers)[:2]} | "
                  f"{answer.text[:200]!r}")
        if features is not None:
            features.write(json.dumps(_features(q, answer, captured, ok), ensure_ascii=False) + "\n")
    warm: list[float] = []
    if not args.no_warm:
        for q in questions:
            t = time.perf_counter()
            service.ask(q.question, history=list(q.history))
            warm.append(time.perf_counter() - t)
    if features is not None:
        features.close()
    c = counts
    print(json.dumps({
        "set": qset.name, "questions": len(questions), "service_load_s": round(load_s, 2),
        "answerable_correct_supported": _ratio(c["correct_supported"], c["answerable"]),
        "answerable_correct": _ratio(c["correct"], c["answerable"]),
        "false_abstentions": c["false_abstain"],
        "unanswerable_abstained": _ratio(c["abstained"], c["unanswerable"]),
        "citation_exact": _ratio(c["exact"], c["citations"]),
        "latency_cold_first_question_ms": round(1000 * cold[0], 1) if cold else None,
        "latency_first_pass_p50_ms": round(1000 * percentile(first, 0.5), 1) if first else None,
        "latency_first_pass_p95_ms": round(1000 * percentile(first, 0.95), 1) if first else None,
        "latency_warm_p50_ms": round(1000 * percentile(warm, 0.5), 1) if warm else None,
        "latency_warm_p95_ms": round(1000 * percentile(warm, 0.95), 1) if warm else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "counts": counts,
    }, indent=1))
    return 0


def _ratio(a: int, b: int) -> str | None:
    return f"{a}/{b} = {a / b:.3f}" if b else None


def _features(q, answer, captured: dict, ok: bool) -> dict:
    from assistant.answering import _can_answer

    analysis, ranked = captured.get("analysis"), captured.get("ranked") or []
    eligible = [c for c in ranked if analysis and _can_answer(c, analysis, captured.get("speaker"))]
    best = eligible[0] if eligible else None
    return {
        "id": q.id, "answerable": q.answerable, "ok": ok, "abstained": answer.abstained,
        "kind": analysis.kind if analysis else None, "focus": list(analysis.focus_terms) if analysis else [],
        "n_eligible": len(eligible),
        "best": {k: round(v, 3) for k, v in best.parts.items()} if best else None,
        "best_has_gold": bool(best and any(g.lower() in best.text.lower() for g in q.answers)),
        "names": list(analysis.names) if analysis else [],
        "max_cosine": max((c.parts.get("cosine", 0.0) for c in eligible), default=0.0),
        "max_lexical": max((c.parts.get("lexical", 0.0) for c in eligible), default=0.0),
        "max_focus": max((c.parts.get("focus", 0.0) for c in eligible), default=0.0),
        "max_attribute": max((c.parts.get("attribute", 0.0) for c in eligible), default=0.0),
    }


if __name__ == "__main__":
    raise SystemExit(main())
