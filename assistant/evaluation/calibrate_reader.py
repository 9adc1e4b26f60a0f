"""Calibrate the reader's abstention margin through the whole pipeline: ``python -m
assistant.evaluation.calibrate_reader`` (the second half of ``make reader``).

For every question of the calibration sets (the valid splits of IDK-MRC, TyDi QA-id and FacQA,
their English translations, and Warta's own news_dev set) the real pipeline retrieves and reads
once; then each candidate (margin, rank penalty) pair re-composes the answer from the same spans
and is scored like the benchmark scores it (answerable: correct and cited; unanswerable:
abstained). The pair with the best mean over those rates is written to the reader's
``config.json`` with the table at that penalty. Test splits are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.answer.compose import compose
from assistant.evaluation.metrics import judge
from assistant.evaluation.runner import build_set_index
from assistant.evaluation.sets import QuestionSet, load_news_qa, load_question_set
from assistant.answer.reader.card import write_model_card
from assistant.answer.reader.datasets import load_translations
from assistant.answer.reader.model import CONFIG_FILE, WEIGHTS_DIR
from assistant.settings import Settings

MARGINS = [round(x, 2) for x in np.arange(-2.0, 8.01, 0.25)]
RANK_PENALTIES = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]
WINDOW_CHARS = [0, 1000, 1600]
NEWS_SETS = ("news_dev", "news_qa_dev")
PUBLIC_FALL_ALLOWED = 0.03
SETS = {
    "idk_mrc": "idk_mrc_valid.json.gz",
    "tydiqa": "tydiqa_id_valid.json.gz",
    "facqa": "facqa_valid.jsonl.gz",
}


def calibration_sets(data: Path, news_dev: Path) -> dict[str, QuestionSet]:
    sets = {name: load_question_set(data / file) for name, file in SETS.items()}
    translations = load_translations(data, "valid")
    english = [replace(q, id=f"{q.id}-en", question=translations[q.id], lang="en")
               for name in ("idk_mrc", "facqa") for q in sets[name].questions if q.id in translations]
    passages = {a.doc_id: a for name in ("idk_mrc", "facqa") for a in sets[name].articles}
    needed = {q.doc_id for q in english}
    sets["english"] = QuestionSet("english-valid", english, [a for d, a in passages.items() if d in needed])
    sets["news_dev"] = load_question_set(news_dev)
    corpus_dev = data / "news_qa" / "dev.jsonl.gz"
    if corpus_dev.exists():
        sets["news_qa_dev"] = load_news_qa(corpus_dev)
    return sets


def read_all(qset: QuestionSet, service) -> list[tuple]:
    """(question, passages read, spans) for each question, through the service's own pipeline."""
    out = []
    for q in qset.questions:
        state = service.prepare(q.question, list(q.history))
        out.append((q, state["passages"], state["spans"]))
    return out


def rates(read: list[tuple], margin: float, band: float, rank_penalty: float) -> tuple[float | None, float | None]:
    """(answerable correct-and-cited rate, unanswerable abstained rate) at this margin and penalty."""
    answered, abstained = [], []
    for q, hits, spans in read:
        (answered if q.answerable else abstained).append(_right(q, compose(spans, hits, margin, band, rank_penalty)))
    mean = (lambda xs: sum(xs) / len(xs) if xs else None)
    return mean(answered), mean(abstained)


def _right(question, draft) -> bool:
    """The benchmark's verdict on a re-composed draft."""
    return judge(question, {
        "abstained": draft.abstained, "text": " ".join(c.text for c in draft.claims),
        "citations": [{"doc_id": qt.hit.doc_id, "quote": qt.text} for c in draft.claims for qt in c.quotes]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data/reader")
    parser.add_argument("--news-dev", default="data/questions/news_dev.jsonl")
    parser.add_argument("--weights", default=str(WEIGHTS_DIR))
    parser.add_argument("--indexes", default=".cache/set-indexes", help="one index per question set, built once")
    parser.add_argument("--limit", type=int, default=0, help="questions per set (smoke tests)")
    parser.add_argument("--windows", default=",".join(map(str, WINDOW_CHARS)), help="window sizes to try (characters)")
    args = parser.parse_args(argv)
    sets = calibration_sets(Path(args.data), Path(args.news_dev))
    if args.limit:
        sets = {name: replace(q, questions=q.questions[: args.limit]) for name, q in sets.items()}
    band = Settings.from_env().answer_band
    news = {name: qset for name, qset in sets.items() if name in NEWS_SETS}
    by_window = {w: read_sets(news, args, w) for w in (int(x) for x in args.windows.split(","))}
    news_objective = {w: best_pair(reads, band)[2] for w, reads in by_window.items()}
    window = max(by_window, key=lambda w: (news_objective[w], -w))
    for w, value in news_objective.items():
        print(f"window {w} characters: best news objective {value:.3f}")
    reads = {**read_sets({n: q for n, q in sets.items() if n not in NEWS_SETS}, args, window), **by_window[window]}
    floor = json.loads((Path(args.data) / "public_floor.json").read_text(encoding="utf-8"))["rates"]
    margin, penalty, objective = best_pair(reads, band, floor)
    table = {m: {name: rates(read, m, band, penalty) for name, read in reads.items()} for m in MARGINS}
    print(f"\nwindow {window}, rank penalty {penalty}:\n" + _format(table, margin))
    config_path = Path(args.weights) / CONFIG_FILE
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.update(null_margin=margin, rank_penalty=penalty, window_chars=window,
                  confidence=confidence_fits({n: r for n, r in reads.items() if n in NEWS_SETS}, margin, band, penalty))
    config["calibration"] = {
        "objective": "news sets' mean rate and public sets' mean rate, weighed equally", "sets": list(reads),
        "at_null_margin": table[margin], "objective_value": round(objective, 4),
        "news_by_window": {w: round(value, 4) for w, value in news_objective.items()},
        "public_floor": floor,
    }
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    card = write_model_card(Path(args.weights))
    print(f"null_margin {margin}, rank_penalty {penalty}, window_chars {window} written to {config_path}; card {card}")
    return 0


def read_sets(sets: dict[str, QuestionSet], args: argparse.Namespace, window: int) -> dict[str, list[tuple]]:
    """Every set read once through the pipeline, the reader seeing ``window`` characters around each chunk."""
    from assistant.service import Warta

    reads = {}
    for name, qset in sets.items():
        service = Warta(Settings.from_env(index_dir=build_set_index(qset, Path(args.indexes)), reader_weights=args.weights))
        service.reader.window_chars = window
        reads[name] = read_all(qset, service)
        service.close()
        print(f"{name}: read {len(reads[name])} questions (window {window})", flush=True)
    return reads


def best_pair(reads: dict[str, list[tuple]], band: float, floor: dict | None = None) -> tuple[float, float, float]:
    """(margin, rank penalty, objective) with the best objective, among the pairs that keep every
    public rate within ``PUBLIC_FALL_ALLOWED`` of ``floor`` (all pairs when none does)."""
    scored = []
    for penalty in RANK_PENALTIES:
        for margin in MARGINS:
            row = {name: rates(read, margin, band, penalty) for name, read in reads.items()}
            scored.append((_objective(row), _within_floor(row, floor), margin, penalty))
    allowed = [s for s in scored if s[1]] or scored
    objective, _, margin, penalty = max(allowed, key=lambda s: (s[0], -s[3], -abs(s[2])))
    return margin, penalty, objective


def _within_floor(row: dict, floor: dict | None) -> bool:
    return not floor or all(value is None or base is None or value >= base - PUBLIC_FALL_ALLOWED
                            for name, bases in floor.items() if name in row
                            for value, base in zip(row[name], bases))


def confidence_fits(reads: dict[str, list[tuple]], margin: float, band: float, penalty: float) -> dict:
    """Logistic fits of "right" on the best margin (answers and abstentions apart) at this pair."""
    samples: dict[str, list[tuple[float, float]]] = {"answered": [], "abstained": []}
    for read in reads.values():
        for q, hits, spans in read:
            draft = compose(spans, hits, margin, band, penalty)
            if draft.margin is not None:
                samples["abstained" if draft.abstained else "answered"].append((draft.margin, float(_right(q, draft))))
    return {kind: _logistic(points) for kind, points in samples.items() if len(points) >= 20}


def _logistic(points: list[tuple[float, float]], steps: int = 50) -> list[float]:
    """[slope, intercept] of P(right) = sigmoid(slope · margin + intercept), by Newton's method
    with a little L2 so a separable sample stays finite."""
    x = np.array([[m, 1.0] for m, _ in points])
    y = np.array([r for _, r in points])
    w = np.zeros(2)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (p - y) + 0.01 * w
        hessian = (x.T * (p * (1 - p))) @ x + 0.01 * np.eye(2)
        w -= np.linalg.solve(hessian, gradient)
    return [round(float(w[0]), 4), round(float(w[1]), 4)]


def _objective(row: dict) -> float:
    """The news sets' mean rate and the public sets' mean rate, weighed equally (either alone
    when the other is absent)."""
    news = [v for name, pair in row.items() if name in NEWS_SETS for v in pair if v is not None]
    public = [v for name, pair in row.items() if name not in NEWS_SETS for v in pair if v is not None]
    means = [sum(vs) / len(vs) for vs in (news, public) if vs]
    return sum(means) / len(means)


def _format(table: dict, best: float) -> str:
    names = list(next(iter(table.values())))
    head = "margin  " + "  ".join(f"{n + ' ans':>13} {n + ' abst':>13}" for n in names) + "   mean"
    lines = [head]
    for margin, row in table.items():
        cells = "  ".join(f"{_cell(a):>13} {_cell(u):>13}" for a, u in row.values())
        mark = " <-" if float(margin) == best else ""
        lines.append(f"{float(margin):6.2f}  {cells}   {_objective(row):.3f}{mark}")
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
