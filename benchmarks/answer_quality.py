"""The previous reader against the committed one, side by side, through ``Warta.ask()`` on the
same indexes.

    .venv/bin/python benchmarks/answer_quality.py                     # the default sets below
    .venv/bin/python benchmarks/answer_quality.py news_qa_dev facqa_valid --only new
    .venv/bin/python benchmarks/answer_quality.py news_holdout       # a blind set: run once

Per set and reader: answerable questions answered correctly *and* cited (a citation's quote holds
the support, or comes from the gold article when the set gives no support), unanswerable ones
abstained, EM/F1 of the answer text against the gold answers (markers removed), p50/p95 of
``ask()`` at top-k 8, and the same two rates per language and per question kind (the news
corpus's kinds; Warta's sets' tags). Public sets are asked over an index of their own passages;
Warta's question sets over the bundled articles (the seed article and 300 CLICK-ID articles);
the news corpus's dev split among the bundled articles. Indexes are built once under ``--indexes``
and shared. "previous" is the reader before news training (``data/reader/stage1``, the chunk read
alone as it was calibrated); "new" is the committed one. Sets are read from ``data/reader`` (valid
and dev splits; never test).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import percentile  # noqa: E402

READERS = {"previous": ROOT / "data/reader/stage1", "new": ROOT / "assistant/answer/reader/weights"}
SETS = {
    "idk_mrc_valid": ("data/reader/idk_mrc_valid.json.gz", "auto"),
    "tydiqa_valid": ("data/reader/tydiqa_id_valid.json.gz", "auto"),
    "facqa_valid": ("data/reader/facqa_valid.jsonl.gz", "auto"),
    "news_dev": ("data/questions/news_dev.jsonl", "warta"),
    "news_qa_dev": ("data/reader/news_qa/dev.jsonl.gz", "news-qa"),
    "seed": ("data/questions/seed.jsonl", "warta"),
    "holdout2_seed": ("data/questions/holdout2_seed.jsonl", "warta"),
    "holdout3_seed": ("data/questions/holdout3_seed.jsonl", "warta"),
    "holdout4_seed": ("data/questions/holdout4_seed.jsonl", "warta"),
}
BLIND = {"news_holdout": ("data/questions/news_holdout.jsonl", "warta")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help=f"names ({', '.join({**SETS, **BLIND})}) or question files")
    parser.add_argument("--only", choices=list(READERS), help="run one reader")
    parser.add_argument("--indexes", default=".cache/set-indexes", help="one index per question set, built once")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--show", action="store_true", help="print every miss of the new reader")
    parser.add_argument("--save", help="write the new reader's per-question results (jsonl) here")
    parser.add_argument("--json", help="also write every row as JSON here")
    args = parser.parse_args(argv)
    from assistant.evaluation.runner import build_set_index

    rows = []
    for name in args.sets or list(SETS):
        qset = _question_set(name)
        questions = qset.questions[: args.limit] if args.limit else qset.questions
        index_dir = build_set_index(qset, Path(args.indexes))
        for reader, weights in READERS.items():
            if args.only and reader != args.only:
                continue
            answers = _answers(questions, index_dir, weights, args.show and reader == "new",
                               args.save if reader == "new" else None)
            rows.append((qset.name, reader, score(questions, answers)))
            print(table(rows[-1:], header=len(rows) == 1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps([{"set": n, "reader": r, **s} for n, r, s in rows], indent=1) + "\n",
                                   encoding="utf-8")
    print("\n" + table(rows) + "\n\n" + by_group_table(rows, "by_lang") + "\n\n" + by_group_table(rows, "by_kind"))
    return 0


def _question_set(name: str):
    from assistant.evaluation.sets import load_question_set

    path, fmt = {**SETS, **BLIND}.get(name, (name, "auto"))
    return load_question_set(ROOT / path if not Path(path).is_absolute() else path, fmt)


def _answers(questions, index_dir: Path, weights: Path, show: bool, save: str | None) -> list[dict]:
    from assistant.evaluation.metrics import judge
    from assistant.service import Warta
    from assistant.settings import Settings

    service = Warta(Settings.from_env(index_dir=index_dir, reader_weights=weights))
    service.warm_up()
    out = []
    saved = open(save, "a", encoding="utf-8") if save else None
    for q in questions:
        t = time.perf_counter()
        a = service.ask(q.question, history=list(q.history) or None)
        answer = {"id": q.id, "text": a.text, "abstained": a.abstained, "seconds": time.perf_counter() - t,
                  "confidence": a.confidence,
                  "citations": [{"doc_id": c.doc_id, "quote": c.quote, "start": c.start, "end": c.end}
                                for c in a.citations]}
        out.append(answer)
        ok = judge(q, answer)
        if show and not ok:
            print(f"MISS {q.id} [{'A' if q.answerable else 'U'}] {q.question} | gold {list(q.answers)[:2]} | "
                  f"{a.text[:160]!r} | asked {a.standalone_question!r}", flush=True)
        if saved:
            saved.write(json.dumps({**answer, "question": q.question, "answerable": q.answerable, "ok": ok,
                                    "lang": q.lang, "tags": list(q.tags)}, ensure_ascii=False) + "\n")
    if saved:
        saved.close()
    service.close()
    return out


def score(questions, answers: list[dict]) -> dict:
    from assistant.answer.contract import MARKER_RE
    from assistant.answer.matching import normalize, token_f1
    from assistant.evaluation.metrics import judge

    by_id = {a["id"]: a for a in answers}
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    em = f1 = 0.0
    for q in answerable:
        a = by_id[q.id]
        text = "" if a["abstained"] else MARKER_RE.sub("", a["text"]).strip()
        em += max(float(normalize(text) == normalize(g)) for g in q.answers)
        f1 += max(token_f1(text, g) for g in q.answers)
    seconds = [a["seconds"] for a in answers]
    return {
        "answerable": len(answerable), "unanswerable": len(unanswerable),
        "cited_correct": sum(judge(q, by_id[q.id]) for q in answerable),
        "abstained": sum(by_id[q.id]["abstained"] for q in unanswerable),
        "em": em / len(answerable) if answerable else None,
        "f1": f1 / len(answerable) if answerable else None,
        "p50": percentile(seconds, 0.5), "p95": percentile(seconds, 0.95),
        "by_lang": _by_group(questions, by_id, lambda q: [q.lang]),
        "by_kind": _by_group(questions, by_id, lambda q: [t for t in q.tags if t != "unanswerable"] or ["—"]),
    }


def _by_group(questions, by_id, groups_of) -> dict:
    """Per group: [answerable right, answerable, unanswerable abstained, unanswerable]."""
    from assistant.evaluation.metrics import judge

    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for q in questions:
        for group in groups_of(q):
            cell = out[group]
            if q.answerable:
                cell[0] += judge(q, by_id[q.id])
                cell[1] += 1
            else:
                cell[2] += by_id[q.id]["abstained"]
                cell[3] += 1
    return dict(sorted(out.items()))


def _ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.3f}" if b else "—"


def table(rows, header: bool = True) -> str:
    lines = [f"{'set':<22} {'reader':<9} {'answerable cited-correct':>26} {'unanswerable abstained':>24} "
             f"{'EM':>6} {'F1':>6} {'p50 ms':>7} {'p95 ms':>7}"] if header else []
    for name, reader, s in rows:
        em = f"{s['em']:.3f}" if s["em"] is not None else "—"
        f1 = f"{s['f1']:.3f}" if s["f1"] is not None else "—"
        lines.append(f"{name:<22} {reader:<9} {_ratio(s['cited_correct'], s['answerable']):>26} "
                     f"{_ratio(s['abstained'], s['unanswerable']):>24} {em:>6} {f1:>6} "
                     f"{1000 * s['p50']:>7.0f} {1000 * s['p95']:>7.0f}")
    return "\n".join(lines)


def by_group_table(rows, key: str) -> str:
    """Answerable right / abstained per group (language or kind), previous → new, per set."""
    lines = [f"{key[3:]}: answerable cited-correct, unanswerable abstained (previous → new)"]
    by_set: dict[str, dict[str, dict]] = defaultdict(dict)
    for name, reader, s in rows:
        by_set[name][reader] = s[key]
    for name, readers in by_set.items():
        groups = sorted({g for cells in readers.values() for g in cells})
        for group in groups:
            parts = []
            for reader in READERS:
                c = readers.get(reader, {}).get(group)
                if c:
                    parts.append(f"{reader} {_short(c[0], c[1])} / {_short(c[2], c[3])}")
            lines.append(f"  {name:<16} {group:<12} " + "   ".join(parts))
    return "\n".join(lines)


def _short(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "—"


if __name__ == "__main__":
    raise SystemExit(main())
