"""How one answer is scored, and how scores add up over a question set.

How each metric is computed (all in 0..1, higher is better; ``None`` when nothing to measure):
- ``hit@k`` / ``mrr@10`` (answerable questions with a gold ``doc_id``): the gold article's rank
  among the distinct articles of ``answer.evidence``, in order. When the gold article is not
  there and the evidence holds fewer than 10 articles, ``service.retrieve(standalone question,
  k=10)`` extends the list (its new articles are appended after the evidence).
- ``answer_accuracy``: a gold answer appears (lower-cased, punctuation and spacing ignored, on
  word boundaries) in the answer text or its cited quotes; an abstention is wrong.
  ``answer_f1``: SQuAD token F1 of the answer text, best over the gold answers.
- ``citation_precision`` (answerable questions): share of an answer's citations whose quote holds
  one of the question's ``support`` phrases or, for questions without ``support``, that come from
  the gold article.
  ``citation_recall``: at least one citation does (answerable questions; abstaining scores 0).
- ``cited_correct`` (answerable questions): correct *and* cited, both of the above at once; the
  figure the README reports as "answerable, cited-correct".
- ``citation_exact``: share of citations whose quote is exactly the article text at its offsets.
- ``faithfulness``: share of answer sentences the service's own verifier marked supported.
- ``abstention_precision`` / ``abstention_recall``: abstentions that were on unanswerable
  questions / unanswerable questions that were abstained on.
- latency: p50/p95 of every stage in ``answer.timings`` plus the evaluator's own ``wall`` clock.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Sequence

from assistant.answer.contract import MARKER_RE, Answer
from assistant.answer.matching import contains, token_f1
from assistant.evaluation.sets import Question
from assistant.records import Article

RETRIEVAL_DEPTH = 10
PER_QUESTION_METRICS = (
    "hit@1", "hit@5", "hit@10", "mrr@10", "answer_accuracy", "answer_f1", "citation_precision",
    "citation_recall", "cited_correct", "citation_exact", "faithfulness",
)
QUALITY_METRICS = (*PER_QUESTION_METRICS, "abstention_precision", "abstention_recall")
LATENCY_REGRESSION = 0.5
"""A latency regresses only when it grows by more than 50% and by more than LATENCY_FLOOR_S:
timings on a shared 2-core machine easily move by a quarter between identical runs."""
LATENCY_FLOOR_S = 0.05


# ---------------------------------------------------------------- scoring one answer

def score_answer(question: Question, answer: Answer, gold_rank: int | None, articles: dict[str, Article | None]) -> dict:
    """Per-question scores (see the module docstring); ``articles`` maps cited doc ids to text."""
    answered = not answer.abstained
    scores: dict[str, Any] = {"gold_rank": gold_rank, "abstained": answer.abstained}
    if question.answerable and question.doc_id:
        for k in (1, 5, 10):
            scores[f"hit@{k}"] = float(gold_rank is not None and gold_rank <= k)
        scores["mrr@10"] = 1.0 / gold_rank if gold_rank else 0.0
    text = MARKER_RE.sub("", answer.text)
    if question.answerable:
        quotes = " ".join(c.quote for c in answer.citations)
        scores["answer_accuracy"] = float(answered and any(contains(f"{text} {quotes}", g) for g in question.answers))
        scores["answer_f1"] = max(token_f1(text, g) for g in question.answers) if answered else 0.0
    supporting = [_supports(question, c) for c in answer.citations] if answered else []
    if question.answerable and supporting and supporting[0] is not None:
        scores["citation_precision"] = sum(supporting) / len(supporting)
    if question.answerable and (question.support or question.doc_id):
        scores["citation_recall"] = float(any(supporting))
    if question.answerable:
        scores["cited_correct"] = float(bool(scores["answer_accuracy"]) and bool(scores.get("citation_recall", 1.0)))
    if answered and answer.citations:
        scores["citation_exact"] = sum(_quote_is_exact(c, articles) for c in answer.citations) / len(answer.citations)
    if answered and answer.sentences:
        scores["faithfulness"] = sum(s.supported for s in answer.sentences) / len(answer.sentences)
    return scores


def judge(question: Question, answer: dict) -> bool:
    """One question right or wrong, from a plain answer record ({"abstained", "text", "citations":
    [{"doc_id", "quote"}]}): answerable ones must be correct and cited, unanswerable ones abstained.
    Used where answers are replayed or re-composed (calibration, the answer-quality benchmark)."""
    if not question.answerable:
        return bool(answer["abstained"])
    if answer["abstained"]:
        return False
    text = MARKER_RE.sub("", answer["text"])
    quotes = " ".join(c["quote"] for c in answer["citations"])
    correct = any(contains(f"{text} {quotes}", g) for g in question.answers)
    if question.support:
        cited = any(contains(c["quote"], s) for c in answer["citations"] for s in question.support)
    else:
        cited = not question.doc_id or any(c["doc_id"] == question.doc_id for c in answer["citations"])
    return correct and cited


def _supports(question: Question, citation) -> bool | None:
    if question.support:
        return any(contains(citation.quote, s) for s in question.support)
    if question.doc_id:
        return citation.doc_id == question.doc_id
    return None


def _quote_is_exact(citation, articles: dict[str, Article | None]) -> bool:
    article = articles.get(citation.doc_id)
    return article is not None and article.text[citation.start : citation.end] == citation.quote


def gold_rank(service, question: Question, answer: Answer) -> int | None:
    """1-based rank of the gold article among the retrieved articles (see the module docstring)."""
    ranking = list(dict.fromkeys(h.doc_id for h in answer.evidence))
    if question.doc_id not in ranking and len(ranking) < RETRIEVAL_DEPTH:
        query = answer.standalone_question or question.question
        ranking = list(dict.fromkeys([*ranking, *(h.doc_id for h in service.retrieve(query, k=RETRIEVAL_DEPTH))]))
    ranking = ranking[:RETRIEVAL_DEPTH]
    return ranking.index(question.doc_id) + 1 if question.doc_id in ranking else None


# ---------------------------------------------------------------- aggregation

def summarize(results: Sequence[dict]) -> dict:
    """Metrics overall, per language and per tag, and latency percentiles per stage."""
    by_lang: dict[str, list[dict]] = defaultdict(list)
    by_tag: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_lang[r["lang"]].append(r)
        for tag in r["tags"]:
            by_tag[tag].append(r)
    return {
        "overall": group_metrics(results),
        "by_lang": {k: group_metrics(v) for k, v in sorted(by_lang.items())},
        "by_tag": {k: group_metrics(v) for k, v in sorted(by_tag.items())},
        "latency": latency(results),
    }


def group_metrics(results: Sequence[dict]) -> dict:
    out: dict[str, Any] = {
        "n": len(results),
        "answerable": sum(r["answerable"] for r in results),
        "unanswerable": sum(not r["answerable"] for r in results),
        "errors": sum(bool(r["error"]) for r in results),
    }
    counts = {}
    for metric in PER_QUESTION_METRICS:
        values = [r["scores"][metric] for r in results if r["scores"].get(metric) is not None]
        out[metric] = sum(values) / len(values) if values else None
        counts[metric] = len(values)
    abstained = [r for r in results if r["scores"]["abstained"]]
    unanswerable = [r for r in results if not r["answerable"]]
    right = sum(not r["answerable"] for r in abstained)
    out["abstention_precision"] = right / len(abstained) if abstained else None
    out["abstention_recall"] = right / len(unanswerable) if unanswerable else None
    counts["abstention_precision"], counts["abstention_recall"] = len(abstained), len(unanswerable)
    out["counts"] = counts
    return out


def latency(results: Sequence[dict]) -> dict:
    stages: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for stage, seconds in r["timings"].items():
            stages[stage].append(seconds)
    return {
        stage: {"p50": percentile(v, 50), "p95": percentile(v, 95), "mean": sum(v) / len(v), "n": len(v)}
        for stage, v in sorted(stages.items())
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), without numpy."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratios(warta: dict, baseline: dict) -> dict:
    """Warta / baseline for every overall metric both have (None where the baseline is 0 or absent)."""
    out = {}
    for metric in QUALITY_METRICS:
        a, b = warta["overall"].get(metric), baseline["overall"].get(metric)
        out[metric] = a / b if a is not None and b else None
    for stage in ("total",):
        a, b = warta["latency"].get(stage), baseline["latency"].get(stage)
        out[f"latency_{stage}_p50"] = a["p50"] / b["p50"] if a and b and b["p50"] else None
    return out
