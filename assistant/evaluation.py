"""Evaluation runs: every question goes through ``service.ask()``, the path users get, and is
scored for retrieval, answer correctness, citations, faithfulness, abstention and latency,
side by side with a plain LangChain RAG baseline over the same articles.

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

import argparse
import hashlib
import json
import math
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from tqdm import tqdm

from assistant.answer import MARKER_RE, Answer
from assistant.errors import WartaError
from assistant.eval_sets import FORMATS, Question, QuestionSet, QuestionSetError, load_question_set
from assistant.records import Article
from assistant.settings import BACKENDS, Settings

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


# ---------------------------------------------------------------- text matching

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalize(text: str) -> str:
    """Lower-case, punctuation to spaces, spacing collapsed: how answers are compared."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_PUNCT.sub(" ", text).split())


def contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` as whole words, after normalization."""
    needle = normalize(needle)
    return bool(needle) and f" {needle} " in f" {normalize(haystack)} "


def token_f1(prediction: str, gold: str) -> float:
    predicted, expected = normalize(prediction).split(), normalize(gold).split()
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


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


def build_set_index(question_set: QuestionSet, cache_dir: Path, articles_dir: Path = Path("data/articles")) -> Path:
    """An index for a question set, built once under ``cache_dir``: a public set's own passages,
    or for Warta's sets (questions about an index) the bundled articles."""
    from assistant.service import Warta

    if question_set.articles:
        key = hashlib.sha1("".join(sorted(a.doc_id for a in question_set.articles)).encode()).hexdigest()[:10]
        index_dir = Path(cache_dir) / f"{question_set.name}-{key}"
    else:
        index_dir = Path(cache_dir) / "bundled"
    if not (index_dir / "catalog.sqlite").exists():
        service = Warta(Settings.from_env(index_dir=index_dir))
        if question_set.articles:
            service.ingest_articles(question_set.articles, progress=True)
        else:
            service.ingest([articles_dir], progress=True)
        service.close()
    return index_dir


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


# ---------------------------------------------------------------- running

@dataclass
class SystemRun:
    """One system's answers to the whole set, scored."""

    name: str
    results: list[dict]
    summary: dict


@dataclass
class EvalRun:
    warta: SystemRun
    baseline: SystemRun | None = None
    meta: dict = field(default_factory=dict)

    @property
    def ratios(self) -> dict | None:
        return ratios(self.warta.summary, self.baseline.summary) if self.baseline else None

    def summary(self) -> dict:
        return {
            "meta": self.meta,
            "warta": self.warta.summary,
            "baseline": self.baseline.summary if self.baseline else None,
            "ratios": self.ratios,
        }

    def write(self, out_dir: str | Path) -> list[Path]:
        from assistant.eval_report import write_report

        return write_report(self, Path(out_dir))


def run_eval(
    questions: Iterable[Question],
    service,
    *,
    backend: str | None = None,
    limit: int | None = None,
    progress: bool = True,
    baseline: bool = True,
    baseline_articles: Iterable[Article] | None = None,
) -> EvalRun:
    """Ask every question through ``service.ask()`` and score it; with ``baseline``, answer the
    same questions with ``LangChainBaseline`` over ``baseline_articles`` (default: every article
    in the service's index, via ``service.iter_articles()``) and the service's embedder."""
    questions = list(questions)[:limit] if limit else list(questions)
    started = time.time()
    warta = _answer_all("warta", questions, service, backend=backend, progress=progress)
    meta = {
        "started": datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="seconds"),
        "questions": len(questions),
        "backend": backend or getattr(getattr(service, "settings", None), "backend", None),
        "embedding_model": getattr(getattr(service, "embedder", None), "model_id", None),
    }
    run = EvalRun(warta=warta, meta=meta)
    if baseline:
        from assistant.eval_baseline import LangChainBaseline

        articles = list(baseline_articles) if baseline_articles is not None else list(service.iter_articles())
        reference = LangChainBaseline(articles, service.embedder)
        run.baseline = _answer_all("baseline", questions, reference, backend=None, progress=progress)
        meta["baseline_articles"] = len(articles)
    meta["seconds"] = round(time.time() - started, 2)
    return run


def _answer_all(name: str, questions: list[Question], service, *, backend, progress: bool) -> SystemRun:
    results = []
    articles: dict[str, Article | None] = {}
    for question in tqdm(questions, desc=f"eval {name}", unit="q", disable=not progress):
        answer, error, wall = _ask(service, question, backend)
        for c in answer.citations:
            if c.doc_id not in articles:
                articles[c.doc_id] = service.article(c.doc_id)
        rank = gold_rank(service, question, answer) if question.answerable and question.doc_id and not error else None
        results.append(_result(question, answer, error, wall, score_answer(question, answer, rank, articles)))
    return SystemRun(name, results, summarize(results))


def _ask(service, question: Question, backend) -> tuple[Answer, str | None, float]:
    """A refusal (``WartaError``, e.g. an invalid question) counts as an abstention; any other
    failure is recorded as an error so one bad question cannot stop a long run."""
    started = time.perf_counter()
    try:
        kwargs = {"backend": backend} if backend else {}
        answer = service.ask(question.question, history=list(question.history) or None, **kwargs)
        error = None
    except WartaError as exc:
        answer, error = Answer(question=question.question, text=f"refused: {exc}", abstained=True), None
    except Exception as exc:  # noqa: BLE001 - recorded and reported, see docstring
        answer, error = Answer(question=question.question, text=""), f"{type(exc).__name__}: {exc}"
    return answer, error, time.perf_counter() - started


def _result(question: Question, answer: Answer, error: str | None, wall: float, scores: dict) -> dict:
    return {
        "id": question.id,
        "question": question.question,
        "lang": question.lang,
        "tags": list(question.tags),
        "answerable": question.answerable,
        "gold_answers": list(question.answers),
        "support": list(question.support),
        "doc_id": question.doc_id,
        "answer": answer.text,
        "abstained": answer.abstained,
        "standalone_question": answer.standalone_question,
        "citations": [
            {"n": c.n, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "quote": c.quote, "start": c.start, "end": c.end}
            for c in answer.citations
        ],
        "evidence": [
            {"doc_id": h.doc_id, "chunk_id": h.chunk_id, "score": h.score, "text": h.text[:300]}
            for h in answer.evidence
        ],
        "sentences": [{"text": s.text, "supported": s.supported, "support": s.support} for s in answer.sentences],
        "timings": {**answer.timings, "wall": wall},
        "error": error,
        "scores": scores,
    }


# ---------------------------------------------------------------- comparing runs

def compare_runs(a_summary_path: str | Path, b_summary_path: str | Path, tolerance: float = 0.02) -> tuple[list[str], bool]:
    """Warta's overall metrics of run B against run A (A: the reference, B: the candidate).
    B regresses when a quality metric drops by more than ``tolerance`` (absolute), or a latency
    grows by more than LATENCY_REGRESSION (relative) and LATENCY_FLOOR_S."""
    a, b = _load_summary(a_summary_path)["warta"], _load_summary(b_summary_path)["warta"]
    lines, regressed = [], False
    if a["overall"]["n"] != b["overall"]["n"]:
        lines.append(f"note: A has {a['overall']['n']} questions, B has {b['overall']['n']}")
    for metric in QUALITY_METRICS:
        old, new = a["overall"].get(metric), b["overall"].get(metric)
        if old is None or new is None:
            lines.append(f"  {metric:22} {_fmt(old):>7} → {_fmt(new):>7}")
            continue
        worse = new < old - tolerance
        regressed |= worse
        lines.append(f"{'!' if worse else ' '} {metric:22} {old:7.3f} → {new:7.3f}  ({new - old:+.3f})")
    for stage in sorted(set(a["latency"]) & set(b["latency"])):
        for q in ("p50", "p95"):
            old, new = a["latency"][stage][q], b["latency"][stage][q]
            worse = new > old * (1 + LATENCY_REGRESSION) and new - old > LATENCY_FLOOR_S
            regressed |= worse
            lines.append(f"{'!' if worse else ' '} latency {stage} {q:14} {old:7.3f}s → {new:7.3f}s")
    lines.append("REGRESSION (lines marked !)" if regressed else f"no regression (tolerance {tolerance})")
    return lines, regressed


def _load_summary(path: str | Path) -> dict:
    path = Path(path)
    if path.is_dir():
        path = path / "summary.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


# ---------------------------------------------------------------- command line

def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("questions", nargs="?", help="question file (Warta jsonl, SQuAD json, FacQA or Belebele jsonl)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--index", help="evaluate against this index folder")
    where.add_argument("--corpus", help="build a temporary index of these articles first")
    parser.add_argument("--format", default="auto", choices=FORMATS, help="question file format (default: guess)")
    parser.add_argument("--backend", choices=BACKENDS, help="answer backend (default: the configured one)")
    parser.add_argument("--out", default=None, help="report folder (default: runs/eval-<time>)")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--no-baseline", action="store_true", help="skip the LangChain baseline")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two runs (folders or summary.json)")
    parser.add_argument("--tolerance", type=float, default=0.02, help="allowed drop of a quality metric (--compare)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run_eval_command(args: argparse.Namespace) -> int:
    """``warta eval``: run and report, or compare two runs (exit 1 on a regression)."""
    if args.compare:
        lines, regressed = compare_runs(*args.compare, tolerance=args.tolerance)
        print("\n".join(lines))
        return 1 if regressed else 0
    if not args.questions:
        print("warta eval: give a question file, or --compare A B", file=sys.stderr)
        return 2
    try:
        question_set = load_question_set(args.questions, args.format)
    except QuestionSetError as exc:
        print(f"warta eval: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out or f"runs/eval-{datetime.now():%Y%m%d-%H%M%S}")
    with tempfile.TemporaryDirectory(prefix="warta-eval-", ignore_cleanup_errors=True) as tmp:
        service = _service_for(args, question_set.articles, Path(tmp), progress=not args.quiet)
        try:
            run = run_eval(
                question_set.questions, service, backend=args.backend, limit=args.limit,
                progress=not args.quiet, baseline=not args.no_baseline,
            )
        finally:
            service.close()
    run.meta["question_set"] = question_set.name
    run.write(out)
    from assistant.eval_report import console_summary

    print(console_summary(run))
    print(f"report: {out}/report.md")
    return 0


def _service_for(args: argparse.Namespace, passages: list[Article], tmp: Path, progress: bool):
    """The index to evaluate against: --index, else a temporary one of --corpus or of the set's
    own passages, else the configured index."""
    from assistant.service import Warta

    if args.index:
        return Warta(Settings.from_env(index_dir=args.index))
    if not (args.corpus or passages):
        return Warta(Settings.from_env())
    service = Warta(Settings.from_env(index_dir=tmp / "index"))
    report = service.ingest([args.corpus], progress=progress) if args.corpus else service.ingest_articles(passages, progress=progress)
    if report.errors:
        print(f"warta eval: {len(report.errors)} article(s) could not be indexed", file=sys.stderr)
    return service


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warta eval", description=__doc__.split("\n\n")[0])
    add_eval_arguments(parser)
    return run_eval_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
