"""The trained reader against the rule-based answer step it replaced, side by side, through
``Warta.ask()`` on the same indexes.

    .venv/bin/python benchmarks/answer_quality.py                     # the default sets below
    .venv/bin/python benchmarks/answer_quality.py news_dev facqa_valid --only reader
    .venv/bin/python benchmarks/answer_quality.py data/questions/news_holdout.jsonl   # a blind set: run once

Per set and system: answerable questions answered correctly *and* cited (a citation's quote holds
the support, or comes from the gold article when the set gives no support), unanswerable ones
abstained, EM/F1 of the answer text against the gold answers (markers removed), and p50/p95 of
``ask()``. Public sets are asked over an index of their own passages; Warta's question sets over
the bundled articles (``data/articles``: the seed article and 300 CLICK-ID articles). Indexes are
built once under ``--cache`` and shared by both systems. The rules run in a git worktree of
``--rules-ref`` (the last commit with the rule answerer) in a subprocess; its answers are cached,
scored here by the same code. Sets are read from ``data/reader`` (the valid splits; never test).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import percentile  # noqa: E402

RULES_REF = "5d0c8dd"
SETS = {
    "idk_mrc_valid": ("data/reader/idk_mrc_valid.json.gz", "auto"),
    "tydiqa_valid": ("data/reader/tydiqa_id_valid.json.gz", "auto"),
    "facqa_valid": ("data/reader/facqa_valid.jsonl.gz", "auto"),
    "belebele_en": ("data/reader/belebele_en_id_dev.jsonl.gz", "belebele-en"),
    "belebele_id": ("data/reader/belebele_en_id_dev.jsonl.gz", "belebele-id"),
    "news_dev": ("data/questions/news_dev.jsonl", "warta"),
    "seed": ("data/questions/seed.jsonl", "warta"),
}
RULES_RUNNER = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from assistant.service import Warta
from assistant.settings import Settings
service = Warta(Settings.from_env(index_dir=sys.argv[2]))
for line in sys.stdin:
    q = json.loads(line)
    t = time.perf_counter()
    try:
        a = service.ask(q["question"], history=[tuple(h) for h in q["history"]] or None)
        out = {"text": a.text, "abstained": a.abstained,
               "citations": [{"doc_id": c.doc_id, "quote": c.quote, "start": c.start, "end": c.end} for c in a.citations]}
    except Exception as exc:
        out = {"text": f"error: {exc}", "abstained": True, "citations": []}
    out.update(id=q["id"], seconds=time.perf_counter() - t)
    print(json.dumps(out, ensure_ascii=False), flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help=f"names ({', '.join(SETS)}) or question files")
    parser.add_argument("--only", choices=["reader", "rules"], help="run one system")
    parser.add_argument("--rules-ref", default=RULES_REF)
    parser.add_argument("--cache", default=".cache/bench-answers", help="the rules' worktree and cached answers")
    parser.add_argument("--indexes", default=".cache/set-indexes", help="one index per question set, built once")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--show", action="store_true", help="print every miss of the reader")
    parser.add_argument("--save", help="write the reader's per-question results (jsonl) here")
    args = parser.parse_args(argv)
    from assistant.evaluation.runner import build_set_index

    cache = Path(args.cache)
    rows = []
    for name in args.sets or list(SETS):
        qset, fmt = _question_set(name)
        questions = qset.questions[: args.limit] if args.limit else qset.questions
        index_dir = build_set_index(qset, Path(args.indexes))
        for system in ("rules", "reader"):
            if args.only and system != args.only:
                continue
            answers = (_rules_answers(args.rules_ref, questions, index_dir, cache, qset.name) if system == "rules"
                       else _reader_answers(questions, index_dir, args.show, args.save))
            rows.append((qset.name, system, score(questions, answers)))
    print(table(rows))
    return 0


def _question_set(name: str):
    from assistant.evaluation.sets import load_question_set

    path, fmt = SETS.get(name, (name, "auto"))
    return load_question_set(ROOT / path if not Path(path).is_absolute() else path, fmt), fmt


def _reader_answers(questions, index_dir: Path, show: bool, save: str | None) -> list[dict]:
    from assistant.evaluation.metrics import judge
    from assistant.service import Warta
    from assistant.settings import Settings

    service = Warta(Settings.from_env(index_dir=index_dir))
    service.warm_up()
    out = []
    saved = open(save, "a", encoding="utf-8") if save else None
    for q in questions:
        t = time.perf_counter()
        a = service.ask(q.question, history=list(q.history) or None)
        answer = {"id": q.id, "text": a.text, "abstained": a.abstained, "seconds": time.perf_counter() - t,
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


def _rules_answers(ref: str, questions, index_dir: Path, cache: Path, set_name: str) -> list[dict]:
    """The old answer step's answers, run once per (ref, set, questions) and cached."""
    digest = hashlib.sha1(json.dumps([q.id for q in questions]).encode()).hexdigest()[:10]
    cached = cache / "rules" / f"{ref}-{set_name}-{digest}.jsonl"
    if cached.exists():
        return [json.loads(line) for line in cached.read_text(encoding="utf-8").splitlines()]
    worktree = cache / f"worktree-{ref}"
    if not worktree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree.resolve()), ref],
                       check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    feed = "".join(json.dumps({"id": q.id, "question": q.question, "history": [list(h) for h in q.history]},
                              ensure_ascii=False) + "\n" for q in questions)
    done = subprocess.run([sys.executable, "-c", RULES_RUNNER, str(worktree.resolve()), str(index_dir.resolve())],
                          input=feed, capture_output=True, text=True, env=env, cwd=str(worktree), check=True)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(done.stdout, encoding="utf-8")
    return [json.loads(line) for line in done.stdout.splitlines()]


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
        "by_lang": _by_lang(questions, by_id),
    }


def _by_lang(questions, by_id) -> dict:
    from assistant.evaluation.metrics import judge

    out = {}
    for lang in sorted({q.lang for q in questions}):
        group = [q for q in questions if q.lang == lang]
        a = [q for q in group if q.answerable]
        u = [q for q in group if not q.answerable]
        out[lang] = (sum(judge(q, by_id[q.id]) for q in a), len(a), sum(by_id[q.id]["abstained"] for q in u), len(u))
    return out


def table(rows) -> str:
    def ratio(a, b):
        return f"{a}/{b} = {a / b:.3f}" if b else "—"

    lines = [f"{'set':<22} {'answer step':<7} {'answerable cited-correct':>26} {'unanswerable abstained':>24} "
             f"{'EM':>6} {'F1':>6} {'p50 ms':>7} {'p95 ms':>7}  by language (answered, abstained)"]
    for name, system, s in rows:
        em = f"{s['em']:.3f}" if s["em"] is not None else "—"
        f1 = f"{s['f1']:.3f}" if s["f1"] is not None else "—"
        langs = "; ".join(f"{lang} {c}/{n}" + (f", {ab}/{u}" if u else "") for lang, (c, n, ab, u) in s["by_lang"].items())
        lines.append(f"{name:<22} {system:<7} {ratio(s['cited_correct'], s['answerable']):>26} "
                     f"{ratio(s['abstained'], s['unanswerable']):>24} {em:>6} {f1:>6} "
                     f"{1000 * s['p50']:>7.0f} {1000 * s['p95']:>7.0f}  {langs}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
