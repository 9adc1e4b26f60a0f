"""English questions read as asked against read half-translated (``glossary.in_indonesian``, what
the trained reader does), over the same retrieved chunks, at the reader's calibrated margin and
rank penalty.

    .venv/bin/python benchmarks/english_questions.py                      # the sets below
    .venv/bin/python benchmarks/english_questions.py news_dev --limit 10

Sets: the English translations of the valid splits (IDK-MRC, FacQA; the calibration's "english"
set), and the English questions of Warta's own sets over the bundled articles. Only English
questions are read: Indonesian ones reach the reader unchanged.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WARTA_SETS = ["news_dev", "seed", "dev_seed", "dev2_seed", "dev3_seed", "dev4_seed"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", default=["english", *WARTA_SETS])
    parser.add_argument("--indexes", default=".cache/set-indexes", help="one index per question set, built once")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    from assistant.evaluation.calibrate_reader import calibration_sets, rates
    from assistant.evaluation.runner import build_set_index
    from assistant.evaluation.sets import load_question_set
    from assistant.service import Warta
    from assistant.settings import Settings

    print(f"{'set':<12} {'n':>4}  {'as asked: answerable, abstained':>32}  {'half-translated':>20}")
    for name in args.sets:
        qset = (calibration_sets(ROOT / "data/reader", ROOT / "data/questions/news_dev.jsonl")["english"]
                if name == "english" else load_question_set(ROOT / "data/questions" / f"{name}.jsonl"))
        questions = [q for q in qset.questions if q.lang == "en"][: args.limit]
        qset = replace(qset, questions=questions)
        service = Warta(Settings.from_env(index_dir=build_set_index(qset, Path(args.indexes))))
        reader = service.reader
        reads = {"as asked": [], "half-translated": []}
        for q in questions:
            # the pipeline's own read is the half-translated one; only the question as asked is read again
            state = service.prepare(q.question, list(q.history))
            passages = [h.text for h in state["passages"]]
            as_asked = reader.read(state["standalone"], passages, half_translate=False) if passages else []
            reads["as asked"].append((q, state["passages"], as_asked))
            reads["half-translated"].append((q, state["passages"], state["spans"]))
        cells = [_pair(rates(read, reader.null_margin, service.settings.answer_band, reader.rank_penalty))
                 for read in reads.values()]
        print(f"{name:<12} {len(questions):>4}  {cells[0]:>32}  {cells[1]:>20}", flush=True)
        service.close()
    return 0


def _pair(rates: tuple[float | None, float | None]) -> str:
    return ", ".join("—" if v is None else f"{v:.3f}" for v in rates)


if __name__ == "__main__":
    sys.exit(main())
