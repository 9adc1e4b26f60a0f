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
from assistant.evaluation.sets import QuestionSet, load_question_set
from assistant.answer.reader.card import write_model_card
from assistant.answer.reader.datasets import load_translations
from assistant.answer.reader.model import CONFIG_FILE, WEIGHTS_DIR

MARGINS = [round(x, 2) for x in np.arange(-2.0, 8.01, 0.25)]
RANK_PENALTIES = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]
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
    return sets


def read_all(qset: QuestionSet, service) -> list[tuple]:
    """(question, hits, spans) for each question, through the service's own pipeline."""
    out = []
    for q in qset.questions:
        state = service.prepare(q.question, list(q.history))
        out.append((q, state["hits"], state["spans"]))
    return out


def rates(read: list[tuple], margin: float, band: float, rank_penalty: float) -> tuple[float | None, float | None]:
    """(answerable correct-and-cited rate, unanswerable abstained rate) at this margin and penalty."""
    answered, abstained = [], []
    for q, hits, spans in read:
        draft = compose(spans, hits, margin, band, rank_penalty)
        answer = {"abstained": draft.abstained, "text": " ".join(c.text for c in draft.claims),
                  "citations": [{"doc_id": qt.hit.doc_id, "quote": qt.text} for c in draft.claims for qt in c.quotes]}
        (answered if q.answerable else abstained).append(judge(q, answer))
    mean = (lambda xs: sum(xs) / len(xs) if xs else None)
    return mean(answered), mean(abstained)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data/reader")
    parser.add_argument("--news-dev", default="data/questions/news_dev.jsonl")
    parser.add_argument("--weights", default=str(WEIGHTS_DIR))
    parser.add_argument("--indexes", default=".cache/set-indexes", help="one index per question set, built once")
    parser.add_argument("--limit", type=int, default=0, help="questions per set (smoke tests)")
    args = parser.parse_args(argv)
    from assistant.service import Warta
    from assistant.settings import Settings

    sets = calibration_sets(Path(args.data), Path(args.news_dev))
    reads = {}
    for name, qset in sets.items():
        if args.limit:
            qset = replace(qset, questions=qset.questions[: args.limit])
        index_dir = build_set_index(qset, Path(args.indexes))
        service = Warta(Settings.from_env(index_dir=index_dir, reader_weights=args.weights))
        reads[name] = read_all(qset, service)
        band = service.settings.answer_band
        service.close()
        print(f"{name}: read {len(reads[name])} questions", flush=True)
    tables = {penalty: {margin: {name: rates(read, margin, band, penalty) for name, read in reads.items()}
                        for margin in MARGINS} for penalty in RANK_PENALTIES}
    best_margin = {p: max(MARGINS, key=lambda m: _objective(tables[p][m])) for p in RANK_PENALTIES}
    for p, m in best_margin.items():
        print(f"rank penalty {p}: best margin {m}, mean {_objective(tables[p][m]):.3f}")
    penalty = max(RANK_PENALTIES, key=lambda p: (_objective(tables[p][best_margin[p]]), -p))
    best = best_margin[penalty]
    print(f"\nat rank penalty {penalty}:\n" + _format(tables[penalty], best))
    config_path = Path(args.weights) / CONFIG_FILE
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["null_margin"], config["rank_penalty"] = best, penalty
    config["calibration"] = {"objective": "mean of the rates below", "sets": list(reads),
                             "at_null_margin": tables[penalty][best],
                             "without_rank_penalty": tables[0.0][best_margin[0.0]]}
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    card = write_model_card(Path(args.weights))
    print(f"null_margin = {best}, rank_penalty = {penalty} written to {config_path}; model card {card}")
    return 0


def _objective(row: dict) -> float:
    values = [v for pair in row.values() for v in pair if v is not None]
    return sum(values) / len(values)


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
