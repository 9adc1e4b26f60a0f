"""Evaluation runs: every question goes through ``service.ask()``, the path users get, and is
scored (``metrics``) for retrieval, answer correctness, citations, faithfulness, abstention and
latency, side by side with a plain LangChain RAG baseline over the same articles; runs can be
compared, and ``warta eval`` is this module's command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from assistant.answer.contract import Answer
from assistant.errors import WartaError
from assistant.evaluation.metrics import (
    LATENCY_FLOOR_S,
    LATENCY_REGRESSION,
    QUALITY_METRICS,
    gold_rank,
    ratios,
    score_answer,
    summarize,
)
from assistant.evaluation.sets import FORMATS, Question, QuestionSet, QuestionSetError, load_question_set
from assistant.records import Article
from assistant.settings import BACKENDS, Settings


def build_set_index(question_set: QuestionSet, cache_dir: Path, articles_dir: Path = Path("data/articles")) -> Path:
    """An index for a question set, built once under ``cache_dir``: a public set's own passages,
    for Warta's sets (questions about an index) the bundled articles, for the news corpus both."""
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
        if not question_set.articles or question_set.among_bundled:
            service.ingest([articles_dir], progress=True)
        service.close()
    return index_dir



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
        from assistant.evaluation.report import write_report

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
        from assistant.evaluation.baseline import LangChainBaseline

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
        service = _service_for(args, question_set, Path(tmp), progress=not args.quiet)
        try:
            run = run_eval(
                question_set.questions, service, backend=args.backend, limit=args.limit,
                progress=not args.quiet, baseline=not args.no_baseline,
            )
        finally:
            service.close()
    run.meta["question_set"] = question_set.name
    run.write(out)
    from assistant.evaluation.report import console_summary

    print(console_summary(run))
    print(f"report: {out}/report.md")
    return 0


def _service_for(args: argparse.Namespace, question_set: QuestionSet, tmp: Path, progress: bool):
    """The index to evaluate against: --index, else a temporary one of --corpus or of the set's
    own passages (with the bundled articles for a set asked among them), else the configured index."""
    from assistant.service import Warta

    passages = question_set.articles
    if args.index:
        return Warta(Settings.from_env(index_dir=args.index))
    if not (args.corpus or passages):
        return Warta(Settings.from_env())
    service = Warta(Settings.from_env(index_dir=tmp / "index"))
    if args.corpus:
        report = service.ingest([args.corpus], progress=progress)
    else:
        report = service.ingest_articles(passages, progress=progress)
        if question_set.among_bundled:
            bundled = service.ingest([service.settings.data_dir], progress=progress)
            report.errors += bundled.errors
    if report.errors:
        print(f"warta eval: {len(report.errors)} article(s) could not be indexed", file=sys.stderr)
    return service


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="warta eval", description=__doc__.split("\n\n")[0])
    add_eval_arguments(parser)
    return run_eval_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
